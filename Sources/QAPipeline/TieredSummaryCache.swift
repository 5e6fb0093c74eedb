import SummaryCache

/// Edge/cloud tiering: a local cache in front of a remote one (another LoRAServe's cache).
///
/// - Lookup: local first. A local hit never touches the network; the bytes of the lookup and
///   reply it would have exchanged are counted as `bytesNotTransferred`. A local miss asks the
///   remote. A remote hit must also pass the local policy (`overrule`: its threshold, question
///   guards and verifier), so an edge stricter than the cloud never serves what it would not
///   have served itself; one that passes is copied into the local cache (later paraphrases stay
///   local).
/// - Store: write-through (local, then remote), so other edges can reuse the summary.
/// - Invalidate: both tiers.
public actor TieredSummaryCache: SummaryCacheBackend {
    public struct Stats: Sendable, Equatable, Codable {
        public var localHits = 0
        public var remoteHits = 0
        /// Remote hits the local policy would not serve (counted as misses too).
        public var remoteHitsOverruled = 0
        public var misses = 0
        /// Request + reply bytes that crossed the network.
        public var bytesTransferred = 0
        /// Bytes a remote-only setup would have moved for lookups answered locally.
        public var bytesNotTransferred = 0
    }

    public let local: any SummaryCacheBackend
    public let remote: any RemoteSummaryCache
    public private(set) var stats = Stats()

    public init(local: any SummaryCacheBackend, remote: any RemoteSummaryCache) {
        self.local = local
        self.remote = remote
    }

    public func lookup(tenant: TenantID, document: DocumentKey, fingerprint: EmbedderFingerprint,
                       query: String, vector: [Float], now: Double) async throws -> SummaryLookup {
        try await lookup(tenant: tenant, document: document, fingerprint: fingerprint, query: query, vector: vector, focus: nil, now: now)
    }

    /// The focus guard runs on the local tier only (the document's unit vectors are not on the wire).
    public func lookup(tenant: TenantID, document: DocumentKey, fingerprint: EmbedderFingerprint,
                       query: String, vector: [Float], focus: DocumentFocus?, now: Double) async throws -> SummaryLookup {
        let request = RemoteLookupRequest(tenant: tenant, document: document, fingerprint: fingerprint, query: query, vector: vector)
        let near = try await local.lookup(tenant: tenant, document: document, fingerprint: fingerprint,
                                          query: query, vector: vector, focus: focus, now: now)
        if near.hit != nil {
            stats.localHits += 1
            var remoteReply = near
            remoteReply.hit?.tier = .remote
            stats.bytesNotTransferred += WireSize.of(request) + WireSize.of(remoteReply)
            return near
        }
        let far = try await remote.lookup(request)
        stats.bytesTransferred += WireSize.of(request) + WireSize.of(far)
        guard let hit = far.hit else {
            stats.misses += 1
            return near.bestSimilarity == nil ? far : near
        }
        if let overruled = await local.overrule(hit, query: query) {
            stats.remoteHitsOverruled += 1
            stats.misses += 1
            return overruled
        }
        stats.remoteHits += 1
        // Copy under the cached question (not the new one), so local provenance names the
        // question the summary was really written for. Its vector is not on the wire: use the
        // query's, which is within the threshold of it by construction.
        try await local.store(tenant: tenant, document: document, fingerprint: fingerprint, query: hit.cachedQuery,
                              vector: vector, summary: hit.summary, summaryTokenCost: hit.tokensSaved, now: now)
        return far
    }

    public func store(tenant: TenantID, document: DocumentKey, fingerprint: EmbedderFingerprint,
                      query: String, vector: [Float], summary: String, summaryTokenCost: Int, now: Double) async throws {
        try await local.store(tenant: tenant, document: document, fingerprint: fingerprint, query: query, vector: vector,
                              summary: summary, summaryTokenCost: summaryTokenCost, now: now)
        let request = RemoteStoreRequest(tenant: tenant, document: document, fingerprint: fingerprint, query: query,
                                         vector: vector, summary: summary, summaryTokenCost: summaryTokenCost, now: now)
        try await remote.store(request)
        stats.bytesTransferred += WireSize.of(request)
    }

    /// The local tier's verdict (the tier that serves).
    public func overrule(_ hit: SummaryLookup.Hit, query: String) async -> SummaryLookup? {
        await local.overrule(hit, query: query)
    }

    public func invalidate(tenant: TenantID, documentID: DocumentID) async throws {
        try await local.invalidate(tenant: tenant, documentID: documentID)
        try await remote.invalidate(tenant: tenant, documentID: documentID)
    }
}
