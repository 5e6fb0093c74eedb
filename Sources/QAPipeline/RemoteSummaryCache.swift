import Foundation
import SummaryCache

/// Another LoRAServe's summary cache, reached over the network (`/v1/summary-cache/lookup`,
/// `/store`, `/invalidate`). The wire bodies are these Codable types as JSON; their encoded size is
/// what the tiering counts. The HTTP client is `CacheAPI.HTTPRemoteSummaryCache` (the server side
/// is `CacheAPIRoutes`, docs/summary-cache-api.md); `InMemoryRemoteSummaryCache` is the fake for tests.
public protocol RemoteSummaryCache: Sendable {
    func lookup(_ request: RemoteLookupRequest) async throws -> SummaryLookup
    func store(_ request: RemoteStoreRequest) async throws
    func invalidate(tenant: TenantID, documentID: DocumentID) async throws
}

public struct RemoteLookupRequest: Sendable, Equatable, Codable {
    public var tenant: TenantID
    public var document: DocumentKey
    public var fingerprint: EmbedderFingerprint
    public var query: String
    public var vector: [Float]
}

public struct RemoteStoreRequest: Sendable, Equatable, Codable {
    public var tenant: TenantID
    public var document: DocumentKey
    public var fingerprint: EmbedderFingerprint
    public var query: String
    public var vector: [Float]
    public var summary: String
    public var summaryTokenCost: Int
    public var now: Double
}

/// JSON size of a wire body: the bytes a request or reply puts on the network (headers aside).
enum WireSize {
    static func of(_ value: some Encodable) -> Int {
        (try? JSONEncoder().encode(value).count) ?? 0
    }
}

/// A remote cache living in this process (a `LocalSummaryCache` behind the wire types), counting
/// the bytes that would have crossed the network.
public actor InMemoryRemoteSummaryCache: RemoteSummaryCache {
    public let backing: LocalSummaryCache
    public private(set) var bytesReceived = 0
    public private(set) var bytesSent = 0
    public private(set) var lookups = 0
    public private(set) var stores = 0
    /// The remote's clock is its own: lookups happen at `clock`, advanced by `store`'s `now`.
    private var clock: Double = 0

    public init(backing: LocalSummaryCache) { self.backing = backing }

    public func lookup(_ request: RemoteLookupRequest) async throws -> SummaryLookup {
        lookups += 1
        bytesReceived += WireSize.of(request)
        var reply = try await backing.lookup(tenant: request.tenant, document: request.document, fingerprint: request.fingerprint,
                                             query: request.query, vector: request.vector, now: clock)
        if reply.hit != nil { reply.hit?.tier = .remote }
        bytesSent += WireSize.of(reply)
        return reply
    }

    public func store(_ request: RemoteStoreRequest) async throws {
        stores += 1
        bytesReceived += WireSize.of(request)
        clock = max(clock, request.now)
        try await backing.store(tenant: request.tenant, document: request.document, fingerprint: request.fingerprint,
                                query: request.query, vector: request.vector, summary: request.summary,
                                summaryTokenCost: request.summaryTokenCost, now: request.now)
    }

    public func invalidate(tenant: TenantID, documentID: DocumentID) async throws {
        try await backing.invalidate(tenant: tenant, documentID: documentID)
    }
}
