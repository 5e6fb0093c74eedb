import QAPipeline
import SummaryCache

/// A `SummaryCacheBackend` decorator that counts lookups, hits, stores and invalidations per
/// tenant, so `/stats` can show each tenant its own numbers and nothing of anyone else's. Both
/// the raw cache endpoints and `/v1/qa` go through it.
public actor TenantCountingCache: SummaryCacheBackend {
    public let inner: any SummaryCacheBackend
    private var counters: [TenantID: TenantCacheStats] = [:]

    public init(_ inner: any SummaryCacheBackend) { self.inner = inner }

    public func lookup(tenant: TenantID, document: DocumentKey, fingerprint: EmbedderFingerprint,
                       query: String, vector: [Float], now: Double) async throws -> SummaryLookup {
        try await lookup(tenant: tenant, document: document, fingerprint: fingerprint, query: query, vector: vector, focus: nil, now: now)
    }

    /// Forwards the document focus (the pipeline's focus guard) to the wrapped cache.
    public func lookup(tenant: TenantID, document: DocumentKey, fingerprint: EmbedderFingerprint,
                       query: String, vector: [Float], focus: DocumentFocus?, now: Double) async throws -> SummaryLookup {
        let result = try await inner.lookup(tenant: tenant, document: document, fingerprint: fingerprint,
                                            query: query, vector: vector, focus: focus, now: now)
        update(tenant) { s in
            s.lookups += 1
            if let hit = result.hit {
                s.hits += 1
                s.tokensSaved += hit.tokensSaved
                if hit.tier == .remote { s.remoteHits += 1 }
            } else {
                s.misses += 1
            }
        }
        return result
    }

    public func store(tenant: TenantID, document: DocumentKey, fingerprint: EmbedderFingerprint,
                      query: String, vector: [Float], summary: String, summaryTokenCost: Int, now: Double) async throws {
        try await inner.store(tenant: tenant, document: document, fingerprint: fingerprint, query: query, vector: vector,
                              summary: summary, summaryTokenCost: summaryTokenCost, now: now)
        update(tenant) { $0.stores += 1 }
    }

    public func invalidate(tenant: TenantID, documentID: DocumentID) async throws {
        try await inner.invalidate(tenant: tenant, documentID: documentID)
        update(tenant) { $0.invalidations += 1 }
    }

    public func overrule(_ hit: SummaryLookup.Hit, query: String, focus: RemoteHitFocus?) async -> SummaryLookup? {
        await inner.overrule(hit, query: query, focus: focus)
    }

    func countQA(_ tenant: TenantID) { update(tenant) { $0.qaRequests += 1 } }

    /// One tenant's counters (zeros for a tenant never seen).
    public func counters(for tenant: TenantID) -> TenantCacheStats {
        counters[tenant] ?? TenantCacheStats(tenant: tenant.rawValue)
    }

    public var tenants: [TenantID] { counters.keys.sorted() }

    private func update(_ tenant: TenantID, _ change: (inout TenantCacheStats) -> Void) {
        var s = counters[tenant] ?? TenantCacheStats(tenant: tenant.rawValue)
        change(&s)
        counters[tenant] = s
    }
}
