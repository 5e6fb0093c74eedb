import ServeCore
import SummaryCache

/// Small helpers shared by the policy tests.
enum Fixture {
    static let embedder = HashingEmbedder(dimensions: 64)
    static var fingerprint: EmbedderFingerprint { embedder.fingerprint }
    static let otherFingerprint = EmbedderFingerprint(modelID: "other-model", dimensions: 64, normalized: true, maxLength: 512)
    static let alice = TenantID("alice")
    static let bob = TenantID("bob")
    static let doc1 = DocumentKey(documentID: DocumentID("doc-1"), version: "v1")

    static func vector(_ text: String) -> [Float] { embedder.embedOne(text) }

    static func config(threshold: Float = 0.5, ttl: Double = 100, maxEntries: Int = 1000, maxBytes: Int = 1 << 30) -> CacheConfig {
        var c = CacheConfig()
        c.similarityThreshold = threshold
        c.ttlSeconds = ttl
        c.maxEntries = maxEntries
        c.maxBytes = maxBytes
        return c
    }

    @discardableResult
    static func store(_ p: inout SummaryCachePolicy, tenant: TenantID = alice, document: DocumentKey = doc1,
                      fingerprint: EmbedderFingerprint = fingerprint, query: String, summary: String = "summary",
                      cost: Int = 100, now: Double) throws -> StoreOutcome {
        try p.store(tenant: tenant, document: document, fingerprint: fingerprint, query: query, vector: vector(query),
                    summary: summary, summaryTokenCost: cost, now: now)
    }

    static func lookup(_ p: inout SummaryCachePolicy, tenant: TenantID = alice, document: DocumentKey = doc1,
                       fingerprint: EmbedderFingerprint = fingerprint, query: String, now: Double) throws -> LookupOutcome {
        try p.lookup(tenant: tenant, document: document, fingerprint: fingerprint, query: query, vector: vector(query), now: now)
    }
}
