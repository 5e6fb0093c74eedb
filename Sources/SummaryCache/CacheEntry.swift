/// One cached query-aware summary: the summary of one document version, written by the LLM for one
/// question, reusable for semantically equivalent later questions within the same partition.
public struct CacheEntry: Sendable, Codable, Equatable, Identifiable {
    public var id: EntryID
    public var tenant: TenantID
    public var document: DocumentKey
    public var fingerprint: EmbedderFingerprint
    /// The question the summary was written for (what a hit reports as "reused question").
    public var queryText: String
    /// The question's embedding, L2-normalised by the policy before storing.
    public var queryVector: [Float]
    public var summaryText: String
    /// LLM tokens (prompt + completion) it cost to produce the summary: what a hit saves and what
    /// eviction weighs (an expensive summary is kept longer than a cheap one).
    public var summaryTokenCost: Int
    /// Seconds (caller's clock) when the summary was stored. The entry expires at
    /// `createdAt + ttlSeconds`, whatever happens in between.
    public var createdAt: Double
    /// Seconds of the most recent hit (or `createdAt`). Feeds eviction only, never expiry.
    public var lastUsedAt: Double
    /// Number of hits served from this entry.
    public var hits: Int

    public init(id: EntryID, tenant: TenantID, document: DocumentKey, fingerprint: EmbedderFingerprint,
                queryText: String, queryVector: [Float], summaryText: String, summaryTokenCost: Int,
                createdAt: Double, lastUsedAt: Double? = nil, hits: Int = 0) {
        self.id = id
        self.tenant = tenant
        self.document = document
        self.fingerprint = fingerprint
        self.queryText = queryText
        self.queryVector = queryVector
        self.summaryText = summaryText
        self.summaryTokenCost = summaryTokenCost
        self.createdAt = createdAt
        self.lastUsedAt = lastUsedAt ?? createdAt
        self.hits = hits
    }

    /// The partition this entry lives in (the only one a lookup may find it through).
    public var partitionKey: PartitionKey {
        PartitionKey(tenant: tenant, document: document, fingerprint: fingerprint)
    }

    /// Approximate resident size in bytes, used by the byte limit: texts in UTF-8, the vector as
    /// Float32, plus a fixed overhead for identifiers and bookkeeping.
    public var bytes: Int {
        Self.fixedOverheadBytes + queryText.utf8.count + summaryText.utf8.count
            + queryVector.count * MemoryLayout<Float>.size
            + tenant.rawValue.utf8.count + document.documentID.rawValue.utf8.count
            + document.version.utf8.count + fingerprint.modelID.utf8.count
    }

    /// Per-entry bookkeeping (ids, times, counters, index links) charged on top of the payload.
    public static let fixedOverheadBytes = 256
}
