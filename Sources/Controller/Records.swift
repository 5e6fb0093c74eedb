import Placement
import ServeCore

/// One worker as the controller tracks it.
public struct WorkerRecord: Sendable {
    public enum Origin: String, Sendable, Codable { case configured, registered }
    public var url: String
    public var origin: Origin
    public var isUp = false
    public var ready = false
    public var consecutiveFailures = 0
    public var lastSeen: Double?
    public var lastHeartbeat: Double?
    public var lastChange: Double = 0
    public var scrape: WorkerScrape?
    /// Requests this controller has in flight there, and their predicted work (base-token units).
    public var inFlight = 0
    public var inFlightWork = 0.0
    public var inFlightByAdapter: [String: Int] = [:]
    public var routed = 0
    public var failures = 0
    /// Whether a scrape since the worker (re)joined has adopted its resident adapters into the
    /// placement (see `ControllerState.recordScrape`).
    public var adoptedResidents = false

    public var id: WorkerID { WorkerID(url) }

    public init(url: String, origin: Origin) {
        self.url = url
        self.origin = origin
    }

    public var residentAdapters: Set<String> { Set(scrape?.adapters.map(\.name) ?? []) }
}

/// One adapter in the controller's registry.
public struct AdapterRecord: Sendable, Codable, Hashable {
    public var name: String
    public var path: String
    public var rank: Int
    public var bytes: Int
    public var tenant: String?
    public var pinned: Bool
    public var registeredAt: Double

    public init(name: String, path: String, rank: Int, bytes: Int, tenant: String? = nil, pinned: Bool = false, registeredAt: Double = 0) {
        self.name = name
        self.path = path
        self.rank = rank
        self.bytes = bytes
        self.tenant = tenant
        self.pinned = pinned
        self.registeredAt = registeredAt
    }

    public var id: AdapterID { AdapterID(name) }

    /// Weight bytes of a rank-`rank` adapter on a SmolLM2-135M-shaped model (30 layers, q,k,v,o at
    /// 576 wide, f32) when the worker does not report the size.
    public static func estimatedBytes(rank: Int) -> Int { 30 * 4 * rank * (576 + 576) * 4 }
}

/// A placement action as executed, for the log and `GET /v1/placement/actions`.
public struct ActionRecord: Sendable, Codable, Hashable {
    public var sequence: Int
    /// Seconds since the controller started.
    public var at: Double
    public var kind: String
    public var adapter: String
    public var worker: String
    public var peer: String?
    public var reason: String
    /// "ok", "failed: ...", "skipped: ..."
    public var outcome: String
    public var seconds: Double
}

/// A routing decision as the front door made it.
public struct RoutedTo: Sendable, Equatable {
    public var worker: String
    /// Set when the worker had to load the adapter first (remote adapter access).
    public var loadedOnDemand: Bool
    /// The peer the router chose to copy the adapter from (remote access), if any.
    public var fetchFrom: String?
    public var reason: String

    public init(worker: String, loadedOnDemand: Bool, fetchFrom: String? = nil, reason: String) {
        self.worker = worker
        self.loadedOnDemand = loadedOnDemand
        self.fetchFrom = fetchFrom
        self.reason = reason
    }
}
