import ServeCore

/// One worker as the router sees it at the moment of a decision.
public struct WorkerLoad: Sendable, Hashable {
    public var id: WorkerID
    public var isUp: Bool
    public var computeMode: ComputeMode
    /// Base-token throughput, tokens/s (same unit as `WorkerState.capacityTokensPerSecond`).
    public var capacityTokensPerSecond: Double
    /// Outstanding work queued or running on the worker, in base-token equivalents.
    public var queuedWork: Double
    /// Requests admitted but not yet running (llm-d's queue-depth signal).
    public var waitingRequests: Int
    public var maxActiveAdapters: Int
    /// Adapters whose weights are in the worker's memory.
    public var residentAdapters: Set<AdapterID>
    /// Adapters being loaded, or with requests waiting for a slot.
    public var pendingAdapters: Set<AdapterID>

    public init(id: WorkerID, isUp: Bool = true, computeMode: ComputeMode, capacityTokensPerSecond: Double,
                queuedWork: Double = 0, waitingRequests: Int = 0, maxActiveAdapters: Int,
                residentAdapters: Set<AdapterID> = [], pendingAdapters: Set<AdapterID> = []) {
        self.id = id
        self.isUp = isUp
        self.computeMode = computeMode
        self.capacityTokensPerSecond = capacityTokensPerSecond
        self.queuedWork = queuedWork
        self.waitingRequests = waitingRequests
        self.maxActiveAdapters = maxActiveAdapters
        self.residentAdapters = residentAdapters
        self.pendingAdapters = pendingAdapters
    }

    /// Seconds of queued work at this worker's speed.
    public var queuedSeconds: Double { queuedWork / max(capacityTokensPerSecond, 1e-9) }
    public var hasFreeSlot: Bool { residentAdapters.count + pendingAdapters.subtracting(residentAdapters).count < maxActiveAdapters }
}

/// The request being routed.
public struct RouteRequest: Sendable, Hashable {
    public var adapter: AdapterID
    public var rank: Int
    public var adapterBytes: Int
    /// Prompt tokens plus expected generated tokens.
    public var tokens: Int

    public init(adapter: AdapterID, rank: Int, adapterBytes: Int, tokens: Int) {
        self.adapter = adapter
        self.rank = rank
        self.adapterBytes = adapterBytes
        self.tokens = tokens
    }
}

/// A routing decision. `fetchFrom` is set for remote adapter access: the chosen worker does not
/// hold the adapter and copies it from that peer's memory before serving.
public struct RouteDecision: Sendable, Hashable {
    public var worker: WorkerID
    public var fetchFrom: WorkerID?
    /// False when every candidate broke the bounded-load guard and the least bad one was taken.
    public var withinLoadBound: Bool
    public var predictedDelaySeconds: Double
    public var reason: String

    public init(worker: WorkerID, fetchFrom: WorkerID? = nil, withinLoadBound: Bool = true,
                predictedDelaySeconds: Double = 0, reason: String) {
        self.worker = worker
        self.fetchFrom = fetchFrom
        self.withinLoadBound = withinLoadBound
        self.predictedDelaySeconds = predictedDelaySeconds
        self.reason = reason
    }
}

/// Picks a worker for each request. `nil` means no up worker can serve the adapter.
public protocol RoutingPolicy: Sendable {
    var name: String { get }
    mutating func route(_ request: RouteRequest, workers: [WorkerLoad], placement: PlacementMap,
                        costModel: CostModel) -> RouteDecision?
}

extension RouteRequest {
    /// The request's work on `worker`, base-token equivalents (own rank as the batch-max estimate).
    func work(on worker: WorkerLoad, costModel: CostModel) -> Double {
        let r = worker.computeMode.effectiveRank(own: rank, batchMaxRank: rank)
        return Double(tokens) * costModel.relativeTokenCost(effectiveRank: r, mode: worker.computeMode)
    }
}
