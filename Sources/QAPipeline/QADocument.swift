import SummaryCache

/// A document the pipeline can summarise: an id that survives edits plus the exact content. The
/// cache key uses `version`, a hash of the content, so an edited document never hits a summary of
/// its old text.
public struct QADocument: Sendable, Equatable, Codable {
    public var id: DocumentID
    public var text: String
    public var title: String?

    public init(id: DocumentID, text: String, title: String? = nil) {
        self.id = id
        self.text = text
        self.title = title
    }

    public var key: DocumentKey { DocumentKey(documentID: id, version: version) }

    /// "fnv1a64:<16 hex>:<utf8 bytes>": FNV-1a over the UTF-8 bytes plus the length. Not
    /// cryptographic: it detects edits, it does not resist someone forging a collision within
    /// their own tenant (which could only serve them a stale summary of their own document).
    public var version: String { Self.contentHash(text) }

    public static func contentHash(_ text: String) -> String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        var n = 0
        for byte in text.utf8 {
            h ^= UInt64(byte)
            h = h &* 0x100_0000_01b3
            n += 1
        }
        let hex = String(h, radix: 16)
        return "fnv1a64:" + String(repeating: "0", count: 16 - hex.count) + hex + ":\(n)"
    }
}

/// Documents the user loaded for retrieval, indexed by BM25.
public struct QACorpus: Sendable {
    public private(set) var documents: [DocumentID: QADocument] = [:]
    public private(set) var index = BM25Index()

    public init(_ documents: [QADocument] = []) {
        for d in documents { add(d) }
    }

    public mutating func add(_ document: QADocument) {
        documents[document.id] = document
        index.add(document.id, text: (document.title.map { $0 + "\n" } ?? "") + document.text)
    }

    public mutating func remove(_ id: DocumentID) {
        documents.removeValue(forKey: id)
        index.remove(id)
    }

    public var count: Int { documents.count }

    /// The `k` best documents for `query` (BM25), best first.
    public func retrieve(_ query: String, k: Int) -> [QADocument] {
        index.search(query, k: k).compactMap { documents[$0.id] }
    }
}
