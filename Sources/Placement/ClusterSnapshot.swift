import ServeCore

/// What the controller knows about one adapter when it plans.
public struct AdapterDemand: Hashable, Sendable, Codable {
    public var id: AdapterID
    public var rank: Int
    public var bytes: Int
    /// Smoothed request arrival rate, requests/s.
    public var requestsPerSecond: Double
    /// Smoothed token demand (prompt + generated tokens processed), tokens/s.
    public var tokensPerSecond: Double
    /// Pinned adapters always keep at least one replica, even without demand.
    public var pinned: Bool

    public init(id: AdapterID, rank: Int, bytes: Int, requestsPerSecond: Double = 0, tokensPerSecond: Double = 0,
                pinned: Bool = false) {
        self.id = id
        self.rank = rank
        self.bytes = bytes
        self.requestsPerSecond = requestsPerSecond
        self.tokensPerSecond = tokensPerSecond
        self.pinned = pinned
    }

    public var hasDemand: Bool { requestsPerSecond > 0 || tokensPerSecond > 0 || pinned }
}

/// What the controller knows about one worker.
public struct WorkerState: Hashable, Sendable, Codable {
    public var id: WorkerID
    /// Memory available for adapter weights, bytes.
    public var memoryBudgetBytes: Int
    /// Adapters that may be resident at once (vLLM `--max-loras`).
    public var maxActiveAdapters: Int
    public var computeMode: ComputeMode
    /// Measured base-model token throughput, tokens/s (the unit of load is one base token).
    public var capacityTokensPerSecond: Double
    public var isUp: Bool

    public init(id: WorkerID, memoryBudgetBytes: Int, maxActiveAdapters: Int, computeMode: ComputeMode,
                capacityTokensPerSecond: Double, isUp: Bool = true) {
        self.id = id
        self.memoryBudgetBytes = memoryBudgetBytes
        self.maxActiveAdapters = maxActiveAdapters
        self.computeMode = computeMode
        self.capacityTokensPerSecond = capacityTokensPerSecond
        self.isUp = isUp
    }
}

/// Adapter → workers holding a replica. Worker lists are kept sorted so plans are deterministic.
public struct PlacementMap: Hashable, Sendable, Codable {
    public private(set) var replicas: [AdapterID: [WorkerID]]

    public init(_ replicas: [AdapterID: [WorkerID]] = [:]) {
        self.replicas = replicas.mapValues { Array(Set($0)).sorted() }.filter { !$0.value.isEmpty }
    }

    public func workers(for adapter: AdapterID) -> [WorkerID] { replicas[adapter] ?? [] }

    public func contains(_ adapter: AdapterID, on worker: WorkerID) -> Bool {
        replicas[adapter]?.contains(worker) ?? false
    }

    public mutating func add(_ adapter: AdapterID, on worker: WorkerID) {
        var list = replicas[adapter] ?? []
        guard !list.contains(worker) else { return }
        list.append(worker)
        list.sort()
        replicas[adapter] = list
    }

    public mutating func remove(_ adapter: AdapterID, from worker: WorkerID) {
        guard var list = replicas[adapter] else { return }
        list.removeAll { $0 == worker }
        replicas[adapter] = list.isEmpty ? nil : list
    }

    /// Adapters per worker, each list sorted.
    public func adaptersByWorker() -> [WorkerID: [AdapterID]] {
        var out: [WorkerID: [AdapterID]] = [:]
        for (a, ws) in replicas { for w in ws { out[w, default: []].append(a) } }
        return out.mapValues { $0.sorted() }
    }

    public var replicaCount: Int { replicas.values.reduce(0) { $0 + $1.count } }
}

/// Everything a placement policy looks at. Plain data; the controller and the simulator build it.
public struct ClusterSnapshot: Hashable, Sendable, Codable {
    public var adapters: [AdapterDemand]
    public var workers: [WorkerState]
    public var placement: PlacementMap

    public init(adapters: [AdapterDemand], workers: [WorkerState], placement: PlacementMap = PlacementMap()) {
        self.adapters = adapters
        self.workers = workers
        self.placement = placement
    }
}
