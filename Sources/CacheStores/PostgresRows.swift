import Foundation
import PostgresNIO
import SummaryCache

/// Row ↔ `CacheEntry` mapping of the PostgreSQL store.
enum PostgresRows {
    /// Inserts a new row (database-assigned id) and returns its id.
    static func insert(_ e: CacheEntry, writer: String) throws -> PostgresQuery {
        let v = try Values(e)
        return """
            INSERT INTO loraserve_summary_entries
                (tenant, document_id, document_version, embedder_model, embedder_dimensions,
                 embedder_normalized, embedder_max_length, query_text, query_vector, summary_text,
                 summary_token_cost, created_at, last_used_at, hits, writer, updated_at)
            VALUES (\(e.tenant.rawValue), \(e.document.documentID.rawValue), \(e.document.version),
                    \(e.fingerprint.modelID), \(v.dimensions), \(e.fingerprint.normalized), \(v.maxLength),
                    \(e.queryText), \(v.vector), \(e.summaryText), \(v.tokenCost), \(e.createdAt),
                    \(e.lastUsedAt), \(v.hits), \(writer), \(unescaped: PostgresSchema.nowSQL))
            RETURNING id
            """
    }

    /// Writes `e` into row `row` (re-creating it if another controller deleted it meanwhile).
    static func upsert(_ e: CacheEntry, row: Int64, writer: String) throws -> PostgresQuery {
        let v = try Values(e)
        return """
            INSERT INTO loraserve_summary_entries
                (id, tenant, document_id, document_version, embedder_model, embedder_dimensions,
                 embedder_normalized, embedder_max_length, query_text, query_vector, summary_text,
                 summary_token_cost, created_at, last_used_at, hits, writer, updated_at)
            VALUES (\(row), \(e.tenant.rawValue), \(e.document.documentID.rawValue), \(e.document.version),
                    \(e.fingerprint.modelID), \(v.dimensions), \(e.fingerprint.normalized), \(v.maxLength),
                    \(e.queryText), \(v.vector), \(e.summaryText), \(v.tokenCost), \(e.createdAt),
                    \(e.lastUsedAt), \(v.hits), \(writer), \(unescaped: PostgresSchema.nowSQL))
            ON CONFLICT (id) DO UPDATE SET
                tenant = EXCLUDED.tenant, document_id = EXCLUDED.document_id,
                document_version = EXCLUDED.document_version, embedder_model = EXCLUDED.embedder_model,
                embedder_dimensions = EXCLUDED.embedder_dimensions,
                embedder_normalized = EXCLUDED.embedder_normalized,
                embedder_max_length = EXCLUDED.embedder_max_length, query_text = EXCLUDED.query_text,
                query_vector = EXCLUDED.query_vector, summary_text = EXCLUDED.summary_text,
                summary_token_cost = EXCLUDED.summary_token_cost, created_at = EXCLUDED.created_at,
                last_used_at = EXCLUDED.last_used_at, hits = EXCLUDED.hits, writer = EXCLUDED.writer,
                updated_at = EXCLUDED.updated_at
            RETURNING id
            """
    }

    /// Column values that need a range check or conversion before binding.
    private struct Values {
        var dimensions: Int32, maxLength: Int32, tokenCost: Int64, hits: Int64, vector: ByteBuffer

        init(_ e: CacheEntry) throws {
            guard e.queryVector.count == e.fingerprint.dimensions else {
                throw CacheStoreError.corruptRow(entryID: Int64(bitPattern: e.id.rawValue), reason:
                    "vector has \(e.queryVector.count) values, fingerprint says \(e.fingerprint.dimensions)")
            }
            guard let dims = Int32(exactly: e.fingerprint.dimensions) else {
                throw CacheStoreError.valueOutOfRange(field: "embedder_dimensions", value: "\(e.fingerprint.dimensions)")
            }
            guard let maxLength = Int32(exactly: e.fingerprint.maxLength) else {
                throw CacheStoreError.valueOutOfRange(field: "embedder_max_length", value: "\(e.fingerprint.maxLength)")
            }
            dimensions = dims
            self.maxLength = maxLength
            tokenCost = Int64(e.summaryTokenCost)
            hits = Int64(e.hits)
            vector = ByteBuffer(bytes: VectorCodec.encode(e.queryVector))  // bytea, non-throwing encoder
        }
    }

    /// Decodes a row selected with `PostgresSchema.selectColumns`; returns the row id, the entry
    /// (with the row id as a provisional `EntryID`) and the change time.
    static func entry(_ row: PostgresRow) throws -> (row: Int64, entry: CacheEntry, updatedAt: Double) {
        let r = row.makeRandomAccess()
        let id = try r[0].decode(Int64.self)
        let dims = try r[5].decode(Int.self)
        let maxLength = try r[7].decode(Int.self)
        let tokenCost = try r[11].decode(Int.self)
        let hits = try r[14].decode(Int.self)
        guard dims >= 0, maxLength >= 0, tokenCost >= 0, hits >= 0 else {
            throw CacheStoreError.corruptRow(entryID: id, reason:
                "negative counter (dimensions \(dims), max length \(maxLength), cost \(tokenCost), hits \(hits))")
        }
        let vector = try VectorCodec.decode(try r[9].decode(Data.self), dimensions: dims, entryID: id)
        let entry = CacheEntry(
            id: EntryID(UInt64(bitPattern: id)),
            tenant: TenantID(try r[1].decode(String.self)),
            document: DocumentKey(documentID: DocumentID(try r[2].decode(String.self)),
                                  version: try r[3].decode(String.self)),
            fingerprint: EmbedderFingerprint(modelID: try r[4].decode(String.self), dimensions: dims,
                                             normalized: try r[6].decode(Bool.self), maxLength: maxLength),
            queryText: try r[8].decode(String.self), queryVector: vector,
            summaryText: try r[10].decode(String.self), summaryTokenCost: tokenCost,
            createdAt: try r[12].decode(Double.self), lastUsedAt: try r[13].decode(Double.self), hits: hits)
        return (id, entry, try r[15].decode(Double.self))
    }
}
