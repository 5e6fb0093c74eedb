import Foundation
import GRDB
import SummaryCache

/// Row ↔ `CacheEntry` mapping of the SQLite store.
enum SQLiteRows {
    static let upsertSQL = """
        INSERT OR REPLACE INTO summary_entries
            (id, tenant, document_id, document_version, embedder_model, embedder_dimensions,
             embedder_normalized, embedder_max_length, query_text, query_vector, summary_text,
             summary_token_cost, created_at, last_used_at, hits, updated_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """

    /// `EntryID` is a UInt64; SQLite integers are Int64, so the bit pattern is stored.
    static func dbID(_ id: EntryID) -> Int64 { Int64(bitPattern: id.rawValue) }

    static func arguments(_ e: CacheEntry, updatedAt: Double) throws -> StatementArguments {
        guard e.queryVector.count == e.fingerprint.dimensions else {
            throw CacheStoreError.corruptRow(entryID: dbID(e.id), reason:
                "vector has \(e.queryVector.count) values, fingerprint says \(e.fingerprint.dimensions)")
        }
        let values: [(any DatabaseValueConvertible)?] = [
            dbID(e.id), e.tenant.rawValue, e.document.documentID.rawValue, e.document.version,
            e.fingerprint.modelID, Int64(e.fingerprint.dimensions), e.fingerprint.normalized,
            Int64(e.fingerprint.maxLength), e.queryText, VectorCodec.encode(e.queryVector), e.summaryText,
            Int64(e.summaryTokenCost), e.createdAt, e.lastUsedAt, Int64(e.hits), updatedAt,
        ]
        return StatementArguments(values)
    }

    /// Decodes one row; a NULL or mistyped column throws (GRDB's subscripts would trap).
    static func entry(_ row: Row) throws -> CacheEntry {
        let rawID: Int64 = try row.decode(forColumn: "id")
        let dims: Int64 = try row.decode(forColumn: "embedder_dimensions")
        let maxLength: Int64 = try row.decode(forColumn: "embedder_max_length")
        let tokenCost: Int64 = try row.decode(forColumn: "summary_token_cost")
        let hits: Int64 = try row.decode(forColumn: "hits")
        guard dims >= 0, dims <= Int64(Int32.max), maxLength >= 0, tokenCost >= 0, hits >= 0 else {
            throw CacheStoreError.corruptRow(entryID: rawID, reason:
                "negative or oversized counter (dimensions \(dims), max length \(maxLength), cost \(tokenCost), hits \(hits))")
        }
        let fingerprint = EmbedderFingerprint(
            modelID: try row.decode(forColumn: "embedder_model"), dimensions: Int(dims),
            normalized: try row.decode(forColumn: "embedder_normalized"), maxLength: Int(maxLength))
        let blob: Data = try row.decode(forColumn: "query_vector")
        let vector = try VectorCodec.decode(blob, dimensions: Int(dims), entryID: rawID)
        let document = DocumentKey(documentID: DocumentID(try row.decode(forColumn: "document_id")),
                                   version: try row.decode(forColumn: "document_version"))
        return CacheEntry(
            id: EntryID(UInt64(bitPattern: rawID)),
            tenant: TenantID(try row.decode(forColumn: "tenant")),
            document: document,
            fingerprint: fingerprint,
            queryText: try row.decode(forColumn: "query_text"), queryVector: vector,
            summaryText: try row.decode(forColumn: "summary_text"),
            summaryTokenCost: Int(tokenCost),
            createdAt: try row.decode(forColumn: "created_at"),
            lastUsedAt: try row.decode(forColumn: "last_used_at"), hits: Int(hits))
    }
}
