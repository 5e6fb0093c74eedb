import SummaryCache

/// Edge/cloud tiering: a local cache in front of a remote one (another LoRAServe's cache).
///
/// - Lookup: local first. A local hit never touches the network; the bytes of the lookup and
///   reply it would have exchanged are counted as `bytesNotTransferred`. A local miss asks the
///   remote. A remote hit must also pass the local policy (`overrule`: its threshold, question
///   guards, focus guard and verifier), so an edge stricter than the cloud never serves what it
///   would not have served itself; one that passes is copied into the local cache (later
///   paraphrases stay local). The cached question's vector is not on the wire: with an
///   `embedder` of the lookup's fingerprint the edge re-embeds the cached question's text, for
///   the focus guard and for the local copy's vector (without one, the focus guard sits out and
///   the copy is stored under the query's vector, within the threshold of it by construction).
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
    /// Re-embeds a remote hit's cached question (nil: focus guard off for remote hits).
    public let embedder: (any Embedder)?
    public private(set) var stats = Stats()

    public init(local: any SummaryCacheBackend, remote: any RemoteSummaryCache, embedder: (any Embedder)? = nil) {
        self.local = local
        self.remote = remote
        self.embedder = embedder
    }

    public func lookup(tenant: TenantID, document: DocumentKey, fingerprint: EmbedderFingerprint,
                       query: String, vector: [Float], now: Double) async throws -> SummaryLookup {
        try await lookup(tenant: tenant, document: document, fingerprint: fingerprint, query: query, vector: vector, focus: nil, now: now)
    }

    /// The document's unit vectors stay here: the local tier and the judgement of remote hits use
    /// them (the remote's own focus guard does not run).
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
        // The vector the remote stored for the cached question: the same embedder gives it back.
        var cachedVector: [Float]?
        if let embedder, embedder.fingerprint == fingerprint {
            cachedVector = try? await embedder.embed([hit.cachedQuery]).first
        }
        let judged = cachedVector.flatMap { c in focus.map { RemoteHitFocus(cachedVector: c, queryVector: vector, document: $0) } }
        if let overruled = await local.overrule(hit, query: query, focus: judged) {
            stats.remoteHitsOverruled += 1
            stats.misses += 1
            return overruled
        }
        stats.remoteHits += 1
        // Copy under the cached question (not the new one), so local provenance names the
        // question the summary was really written for, with its own vector when re-embedded.
        try await local.store(tenant: tenant, document: document, fingerprint: fingerprint, query: hit.cachedQuery,
                              vector: cachedVector ?? vector, summary: hit.summary, summaryTokenCost: hit.tokensSaved, now: now)
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
    public func overrule(_ hit: SummaryLookup.Hit, query: String, focus: RemoteHitFocus?) async -> SummaryLookup? {
        await local.overrule(hit, query: query, focus: focus)
    }

    public func invalidate(tenant: TenantID, documentID: DocumentID) async throws {
        try await local.invalidate(tenant: tenant, documentID: documentID)
        try await remote.invalidate(tenant: tenant, documentID: documentID)
    }
}
