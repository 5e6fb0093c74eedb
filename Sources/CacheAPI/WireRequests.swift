import QAPipeline
import SummaryCache

/// An id that arrives as `"x"` or as `{"rawValue": "x"}` (how QAPipeline's Codable wire types,
/// e.g. `RemoteLookupRequest`, encode `TenantID` and `DocumentID`).
struct WireID: Decodable, Sendable {
    let value: String
    private enum Keys: String, CodingKey { case rawValue }

    init(from decoder: any Decoder) throws {
        if let s = try? decoder.singleValueContainer().decode(String.self) {
            value = s
        } else {
            value = try decoder.container(keyedBy: Keys.self).decode(String.self, forKey: .rawValue)
        }
    }
}

/// A document reference: `{"id", "version"}` (a caller-defined version tag) or `{"id", "text"}`
/// (the version is the content hash plus the summary prompt's version, exactly as `/v1/qa` keys
/// its entries, so both endpoints share summaries). `documentID` is accepted for `id`.
struct DocumentRef: Decodable, Sendable {
    var id: String
    var version: String?
    var text: String?
    var title: String?

    private enum Keys: String, CodingKey { case id, documentID, document_id, version, text, title }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Keys.self)
        guard let id = try c.decodeIfPresent(WireID.self, forKey: .id) ?? c.decodeIfPresent(WireID.self, forKey: .documentID)
            ?? c.decodeIfPresent(WireID.self, forKey: .document_id) else {
            throw DecodingError.keyNotFound(Keys.id, .init(codingPath: c.codingPath, debugDescription: "document id"))
        }
        self.id = id.value
        version = try c.decodeIfPresent(String.self, forKey: .version)
        text = try c.decodeIfPresent(String.self, forKey: .text)
        title = try c.decodeIfPresent(String.self, forKey: .title)
    }

    func key() throws(CacheAPIError) -> DocumentKey {
        guard !id.isEmpty else { throw .badRequest("The document id is empty.", param: "document.id") }
        if let version, !version.isEmpty { return DocumentKey(documentID: DocumentID(id), version: version) }
        if let text { return QAPipeline.cacheKey(QADocument(id: DocumentID(id), text: text)) }
        throw .badRequest("A document needs a \"version\" or its \"text\".", param: "document.version")
    }

    func qaDocument() throws(CacheAPIError) -> QADocument {
        guard !id.isEmpty else { throw .badRequest("The document id is empty.", param: "documents.id") }
        guard let text else { throw .badRequest("Document '\(id)' has no \"text\".", param: "documents.text") }
        return QADocument(id: DocumentID(id), text: text, title: title)
    }
}

/// `POST /v1/summary-cache/lookup`. Accepts `RemoteLookupRequest`'s encoding, or plain text: without
/// `vector` the server embeds `query` with its own embedder (MiniLM) and fingerprint.
struct LookupBody: Decodable, Sendable {
    var tenant: String?
    var document: DocumentRef
    var fingerprint: EmbedderFingerprint?
    var query: String
    var vector: [Float]?

    private enum Keys: String, CodingKey { case tenant, document, fingerprint, query, vector }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Keys.self)
        tenant = try c.decodeIfPresent(WireID.self, forKey: .tenant)?.value
        document = try c.decode(DocumentRef.self, forKey: .document)
        fingerprint = try c.decodeIfPresent(EmbedderFingerprint.self, forKey: .fingerprint)
        query = try c.decode(String.self, forKey: .query)
        vector = try c.decodeIfPresent([Float].self, forKey: .vector)
    }
}

/// `POST /v1/summary-cache/store`: a lookup body plus the summary and what it cost. The client's
/// `now` (in `RemoteStoreRequest`) is ignored: TTLs run on the server's clock.
struct StoreBody: Decodable, Sendable {
    var lookup: LookupBody
    var summary: String
    var summaryTokenCost: Int

    private enum Keys: String, CodingKey { case summary, summaryTokenCost, summary_token_cost }

    init(from decoder: any Decoder) throws {
        lookup = try LookupBody(from: decoder)
        let c = try decoder.container(keyedBy: Keys.self)
        summary = try c.decode(String.self, forKey: .summary)
        summaryTokenCost = try c.decodeIfPresent(Int.self, forKey: .summaryTokenCost)
            ?? c.decodeIfPresent(Int.self, forKey: .summary_token_cost) ?? 0
    }
}

/// `POST /v1/summary-cache/invalidate`: drops every cached summary of one document (all versions).
public struct InvalidateRequest: Sendable, Equatable, Codable {
    public var tenant: TenantID
    public var documentID: DocumentID

    public init(tenant: TenantID, documentID: DocumentID) {
        self.tenant = tenant
        self.documentID = documentID
    }
}

struct InvalidateBody: Decodable, Sendable {
    var tenant: String?
    var documentID: String

    private enum Keys: String, CodingKey { case tenant, documentID, document_id, document }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Keys.self)
        tenant = try c.decodeIfPresent(WireID.self, forKey: .tenant)?.value
        if let id = try c.decodeIfPresent(WireID.self, forKey: .documentID) ?? c.decodeIfPresent(WireID.self, forKey: .document_id) {
            documentID = id.value
        } else if let d = try c.decodeIfPresent(DocumentRef.self, forKey: .document) {
            documentID = d.id
        } else {
            throw DecodingError.keyNotFound(Keys.documentID, .init(codingPath: c.codingPath, debugDescription: "document id"))
        }
    }
}

/// `POST /v1/qa`: a question and inline documents, or none (then the tenant's loaded corpus is
/// searched with BM25 for `topK` documents).
struct QABody: Decodable, Sendable {
    var tenant: String?
    var question: String
    var documents: [DocumentRef]?
    var topK: Int?

    private enum Keys: String, CodingKey { case tenant, question, documents, topK, top_k }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Keys.self)
        tenant = try c.decodeIfPresent(WireID.self, forKey: .tenant)?.value
        question = try c.decode(String.self, forKey: .question)
        documents = try c.decodeIfPresent([DocumentRef].self, forKey: .documents)
        topK = try c.decodeIfPresent(Int.self, forKey: .topK) ?? c.decodeIfPresent(Int.self, forKey: .top_k)
    }
}

/// `POST /v1/qa/corpus`: adds (or with `replace`, replaces) documents of the caller's corpus.
struct CorpusBody: Decodable, Sendable {
    var tenant: String?
    var documents: [DocumentRef]
    var replace: Bool?
}
