import QAPipeline
import SummaryCache

/// Reply of `/store`.
public struct StoreReply: Sendable, Equatable, Codable {
    public var object = "summary_cache.store"
    public var tenant: String
    public var documentID: String
    public var version: String
    public var stored: Bool
}

/// Reply of `/invalidate`.
public struct InvalidateReply: Sendable, Equatable, Codable {
    public var object = "summary_cache.invalidation"
    public var tenant: String
    public var documentID: String
    /// Entries removed from the local cache (not counting a remote tier's).
    public var removed: Int
}

/// Counters of one tenant since the server started, plus what it holds now.
public struct TenantCacheStats: Sendable, Equatable, Codable {
    public var tenant: String
    public var entries = 0
    public var bytes = 0
    public var lookups = 0
    public var hits = 0
    public var remoteHits = 0
    public var misses = 0
    public var stores = 0
    public var invalidations = 0
    /// Summary tokens not spent thanks to hits.
    public var tokensSaved = 0
    public var qaRequests = 0
    public var hitRate: Double { lookups == 0 ? 0 : Double(hits) / Double(lookups) }

    public init(tenant: String) { self.tenant = tenant }

    private enum CodingKeys: String, CodingKey {
        case tenant, entries, bytes, lookups, hits, remoteHits, misses, stores, invalidations, tokensSaved, qaRequests, hitRate
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        tenant = try c.decode(String.self, forKey: .tenant)
        entries = try c.decode(Int.self, forKey: .entries)
        bytes = try c.decode(Int.self, forKey: .bytes)
        lookups = try c.decode(Int.self, forKey: .lookups)
        hits = try c.decode(Int.self, forKey: .hits)
        remoteHits = try c.decode(Int.self, forKey: .remoteHits)
        misses = try c.decode(Int.self, forKey: .misses)
        stores = try c.decode(Int.self, forKey: .stores)
        invalidations = try c.decode(Int.self, forKey: .invalidations)
        tokensSaved = try c.decode(Int.self, forKey: .tokensSaved)
        qaRequests = try c.decode(Int.self, forKey: .qaRequests)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(tenant, forKey: .tenant)
        try c.encode(entries, forKey: .entries)
        try c.encode(bytes, forKey: .bytes)
        try c.encode(lookups, forKey: .lookups)
        try c.encode(hits, forKey: .hits)
        try c.encode(remoteHits, forKey: .remoteHits)
        try c.encode(misses, forKey: .misses)
        try c.encode(stores, forKey: .stores)
        try c.encode(invalidations, forKey: .invalidations)
        try c.encode(tokensSaved, forKey: .tokensSaved)
        try c.encode(qaRequests, forKey: .qaRequests)
        try c.encode(hitRate, forKey: .hitRate)
    }
}

/// Reply of `GET /v1/summary-cache/stats`: the caller's tenant; for an admin key without
/// `?tenant=`, every tenant plus the whole cache's policy counters and the tiering counters.
public struct StatsReply: Sendable, Equatable, Codable {
    public var object = "summary_cache.stats"
    public var tenants: [TenantCacheStats]
    /// Admin only: the policy's counters over all tenants.
    public var global: CacheStats?
    /// Admin only, when a remote tier is configured: bytes that crossed / did not cross the network.
    public var tiering: TieredSummaryCache.Stats?
    public var embedder: EmbedderFingerprint?
    public var similarityThreshold: Float?
}

/// Reply of `POST /v1/qa`: the answer and, per document, how its summary was obtained.
public struct QAReply: Sendable, Equatable, Codable {
    public var object = "qa.answer"
    public var tenant: String
    public var question: String
    public var answer: String
    public var documents: [DocumentProvenance]
    public var usage: Usage
    public var embedSeconds: Double
    public var llmSeconds: Double

    public struct Usage: Sendable, Equatable, Codable {
        public var answerPromptTokens: Int
        public var answerCompletionTokens: Int
        public var summaryTokensSpent: Int
        public var summaryTokensSaved: Int
        public var summaryCalls: Int
        public var cacheHits: Int
    }

    init(tenant: TenantID, _ r: QAResponse) {
        self.tenant = tenant.rawValue
        question = r.question
        answer = r.answer
        documents = r.documents
        usage = Usage(answerPromptTokens: r.answerPromptTokens, answerCompletionTokens: r.answerCompletionTokens,
                      summaryTokensSpent: r.summaryTokensSpent, summaryTokensSaved: r.summaryTokensSaved,
                      summaryCalls: r.summaryCalls, cacheHits: r.hits)
        embedSeconds = r.embedSeconds
        llmSeconds = r.llmSeconds
    }
}

/// Reply of `POST /v1/qa/corpus`.
public struct CorpusReply: Sendable, Equatable, Codable {
    public var object = "qa.corpus"
    public var tenant: String
    public var loaded: Int
    public var total: Int
    /// Documents whose text changed: their cached summaries were invalidated.
    public var changed: [String]
}
