import SummaryCache

/// What the pipeline needs from a summary cache: the local policy+store (`LocalSummaryCache`), a
/// remote one, or both stacked (`TieredSummaryCache`).
public protocol SummaryCacheBackend: Sendable {
    func lookup(tenant: TenantID, document: DocumentKey, fingerprint: EmbedderFingerprint,
                query: String, vector: [Float], now: Double) async throws -> SummaryLookup
    /// The same with the document's unit vectors, so the focus guard can run (a backend that
    /// cannot use them, such as a remote cache, ignores them: see the default below).
    func lookup(tenant: TenantID, document: DocumentKey, fingerprint: EmbedderFingerprint,
                query: String, vector: [Float], focus: DocumentFocus?, now: Double) async throws -> SummaryLookup
    func store(tenant: TenantID, document: DocumentKey, fingerprint: EmbedderFingerprint,
               query: String, vector: [Float], summary: String, summaryTokenCost: Int, now: Double) async throws
    /// Drops every cached summary of a tenant's document (all versions).
    func invalidate(tenant: TenantID, documentID: DocumentID) async throws
    /// This backend's own verdict on serving `hit`, which another tier found, for `query`: nil to
    /// serve it, else the miss to report instead (its threshold, question guards, focus guard and
    /// verifier would not reuse that cached question's summary). `focus` (optional) lets the focus
    /// guard run too: the two questions' vectors and the document's units.
    func overrule(_ hit: SummaryLookup.Hit, query: String, focus: RemoteHitFocus?) async -> SummaryLookup?
}

/// What the focus guard needs to judge a hit another tier found: the cached question's vector is
/// not on the wire, so the tier that asks re-embeds the cached question's text with its own
/// embedder (same fingerprint, so the same vector the remote stored).
public struct RemoteHitFocus: Sendable {
    public var cachedVector: [Float]
    public var queryVector: [Float]
    public var document: DocumentFocus

    public init(cachedVector: [Float], queryVector: [Float], document: DocumentFocus) {
        self.cachedVector = cachedVector
        self.queryVector = queryVector
        self.document = document
    }
}

extension SummaryCacheBackend {
    /// Default: no policy of its own, so nothing to overrule.
    public func overrule(_ hit: SummaryLookup.Hit, query: String, focus: RemoteHitFocus?) async -> SummaryLookup? { nil }

    /// Without the focus guard (no document context).
    public func overrule(_ hit: SummaryLookup.Hit, query: String) async -> SummaryLookup? {
        await overrule(hit, query: query, focus: nil)
    }

    /// Default: no focus guard (the document context is dropped).
    public func lookup(tenant: TenantID, document: DocumentKey, fingerprint: EmbedderFingerprint,
                       query: String, vector: [Float], focus: DocumentFocus?, now: Double) async throws -> SummaryLookup {
        try await lookup(tenant: tenant, document: document, fingerprint: fingerprint, query: query, vector: vector, now: now)
    }
}

/// The result of a lookup, flattened for provenance and for the wire.
public struct SummaryLookup: Sendable, Equatable, Codable {
    public enum Tier: String, Sendable, Codable { case local, remote }

    public struct Hit: Sendable, Equatable, Codable {
        public var summary: String
        /// The question the summary was written for.
        public var cachedQuery: String
        public var similarity: Float
        /// The summary's LLM cost (prompt + completion tokens), saved by this hit.
        public var tokensSaved: Int
        public var entryID: UInt64
        public var tier: Tier

        public init(summary: String, cachedQuery: String, similarity: Float, tokensSaved: Int, entryID: UInt64, tier: Tier) {
            self.summary = summary
            self.cachedQuery = cachedQuery
            self.similarity = similarity
            self.tokensSaved = tokensSaved
            self.entryID = entryID
            self.tier = tier
        }
    }

    public var hit: Hit?
    /// Nearest cached question's similarity (nil: the partition was empty).
    public var bestSimilarity: Float?
    /// Guards that vetoed the candidates above the threshold ("entities: Utica vs Carthage").
    public var vetoes: [String]
    /// Why there was no hit (nil on a hit).
    public var missReason: String?

    public init(hit: Hit?, bestSimilarity: Float?, vetoes: [String], missReason: String?) {
        self.hit = hit
        self.bestSimilarity = bestSimilarity
        self.vetoes = vetoes
        self.missReason = missReason
    }

    init(_ outcome: LookupOutcome, tier: Tier) {
        var vetoes: [String] = []
        for c in outcome.provenance.candidates {
            if case let .vetoed(verdict) = c.outcome { vetoes += verdict.findings.map(\.description) }
        }
        var hit: Hit?
        var reason: String?
        switch outcome.result {
        case let .hit(e, similarity):
            hit = Hit(summary: e.summaryText, cachedQuery: e.queryText, similarity: similarity,
                      tokensSaved: e.summaryTokenCost, entryID: e.id.rawValue, tier: tier)
        case let .miss(r):
            reason = r.description
        }
        self.init(hit: hit, bestSimilarity: outcome.provenance.bestSimilarity, vetoes: vetoes, missReason: reason)
    }
}

/// The in-process cache: the pure `SummaryCachePolicy` plus a durable `SummaryStore`, every policy
/// action applied to the store in order.
public actor LocalSummaryCache: SummaryCacheBackend {
    public private(set) var policy: SummaryCachePolicy
    public let store: any SummaryStore
    /// Last veto on a candidate every other guard passed (`ReuseVerifier`); nil: none.
    public let verifier: ReuseVerifier?

    public init(config: CacheConfig = CacheConfig(), store: any SummaryStore = InMemorySummaryStore(),
                verifier: ReuseVerifier? = nil) throws {
        policy = try SummaryCachePolicy(config: config)
        self.store = store
        self.verifier = verifier
    }

    /// Rebuilds the policy from the store (at startup).
    public func restore(now: Double) async throws {
        try await restore(try await store.loadAll(), now: now)
    }

    /// Rebuilds the policy from entries the caller read from the store (at startup).
    public func restore(_ loaded: [CacheEntry], now: Double) async throws {
        let actions = try policy.restore(loaded, now: now)
        try await store.apply(actions)
    }

    /// Takes in entries other writers of a shared store added or touched (see
    /// `SummaryCachePolicy.merge`); evictions it causes are applied to the store.
    @discardableResult
    public func merge(_ incoming: [CacheEntry], now: Double) async throws -> SummaryCachePolicy.MergeOutcome {
        let outcome = policy.merge(incoming, now: now)
        try await store.apply(outcome.actions)
        return outcome
    }

    public func lookup(tenant: TenantID, document: DocumentKey, fingerprint: EmbedderFingerprint,
                       query: String, vector: [Float], now: Double) async throws -> SummaryLookup {
        try await lookup(tenant: tenant, document: document, fingerprint: fingerprint, query: query, vector: vector, focus: nil, now: now)
    }

    public func lookup(tenant: TenantID, document: DocumentKey, fingerprint: EmbedderFingerprint,
                       query: String, vector: [Float], focus: DocumentFocus?, now: Double) async throws -> SummaryLookup {
        var verify: ((String) -> GuardFinding?)?
        if let v = verifier {
            // Score the candidates off this actor (the encoder takes milliseconds a pair; other
            // lookups and stores proceed meanwhile). A candidate that appeared during the await is
            // scored inline.
            let candidates = try policy.verificationCandidates(tenant: tenant, document: document, fingerprint: fingerprint,
                                                               query: query, vector: vector, now: now)
            // A verifier that reads evidence gets each cached question's closest document unit.
            var evidence: [String: String] = [:]
            if v.readsEvidence, let focus {
                for e in candidates { evidence[e.queryText] = focus.closestUnit(e.queryVector) }
            }
            let known = await v.probabilities(cached: candidates.map(\.queryText), query: query, evidence: evidence)
            verify = { cached in v.veto(cached: cached, query: query, known: known[cached]) }
        }
        let outcome = try policy.lookup(tenant: tenant, document: document, fingerprint: fingerprint,
                                        query: query, vector: vector, focus: focus, verify: verify, now: now)
        try await store.apply(outcome.actions)
        return SummaryLookup(outcome, tier: .local)
    }

    public func store(tenant: TenantID, document: DocumentKey, fingerprint: EmbedderFingerprint,
                      query: String, vector: [Float], summary: String, summaryTokenCost: Int, now: Double) async throws {
        let outcome = try policy.store(tenant: tenant, document: document, fingerprint: fingerprint, query: query,
                                       vector: vector, summary: summary, summaryTokenCost: summaryTokenCost, now: now)
        try await store.apply(outcome.actions)
    }

    public func invalidate(tenant: TenantID, documentID: DocumentID) async throws {
        // The store first: a shared one deletes every writer's rows of the document in one
        // transaction and records which, so the other controllers drop exactly those entries
        // (`forget(tenant:documentID:entries:)`). The policy's own deletes then find nothing left.
        try await store.delete(tenant: tenant, documentID: documentID)
        try await store.apply(policy.invalidate(tenant: tenant, documentID: documentID))
    }

    /// Drops the in-memory entries of a document another writer of a shared store invalidated at
    /// `time` (entries created later are newer summaries and stay). The rows are already gone from
    /// the store, so nothing is written. Returns how many entries were dropped.
    /// Compares this controller's clock with the store's: only for invalidations recorded without
    /// their rows (`forget(tenant:documentID:entries:)` is exact).
    @discardableResult
    public func forget(tenant: TenantID, documentID: DocumentID, createdBefore time: Double) -> Int {
        policy.invalidate { $0.tenant == tenant && $0.document.documentID == documentID && $0.createdAt <= time }.count
    }

    /// Drops the in-memory entries `entries` of a document another writer invalidated: the rows
    /// its invalidation deleted. No clock is compared, so a skewed controller clock neither keeps
    /// a stale entry nor drops a summary stored after the invalidation. Nothing is written.
    @discardableResult
    public func forget(tenant: TenantID, documentID: DocumentID, entries: [EntryID]) -> Int {
        let ids = Set(entries)
        return policy.invalidate { ids.contains($0.id) && $0.tenant == tenant && $0.document.documentID == documentID }.count
    }

    /// Runs this cache's similarity threshold, question guards, focus guard (given `focus`) and
    /// verifier on a hit another tier (a remote cache with its own, possibly looser, policy) found.
    public func overrule(_ hit: SummaryLookup.Hit, query: String, focus: RemoteHitFocus?) async -> SummaryLookup? {
        let threshold = policy.config.similarityThreshold
        if hit.similarity < threshold {
            return SummaryLookup(hit: nil, bestSimilarity: hit.similarity, vetoes: [],
                                 missReason: "remote hit below this cache's threshold (\(hit.similarity) < \(threshold))")
        }
        var verdict = policy.guards.check(cached: hit.cachedQuery, query: query)
        if verdict.passed, let focus, focus.document.dimensions == focus.queryVector.count,
           focus.cachedVector.count == focus.queryVector.count,
           let finding = try? FocusGuard(config: policy.config.focus).check(cached: focus.cachedVector, query: focus.queryVector,
                                                                            in: focus.document) {
            verdict.findings.append(finding)
        }
        if verdict.passed, let v = verifier {
            let known = await v.probabilities(cached: [hit.cachedQuery], query: query)
            if let finding = v.veto(cached: hit.cachedQuery, query: query, known: known[hit.cachedQuery]) {
                verdict.findings.append(finding)
            }
        }
        guard !verdict.passed else { return nil }
        policy.countVetoes(verdict)
        let findings = verdict.findings.map(\.description)
        return SummaryLookup(hit: nil, bestSimilarity: hit.similarity, vetoes: findings,
                             missReason: "remote hit vetoed by this cache (\(findings.joined(separator: "; ")))")
    }

    public var stats: CacheStats { policy.stats }
    public var count: Int { policy.count }
}
