import ServeCore

/// vLLM-style fleet routing: every adapter anywhere, round-robin over the up workers that accept
/// the adapter's rank (workers load it on demand).
public struct RoundRobinRouter: RoutingPolicy {
    private var next = 0
    public var name: String { "round-robin" }
    public init() {}

    public mutating func route(_ request: RouteRequest, workers: [WorkerLoad], placement: PlacementMap,
                               costModel: CostModel) -> RouteDecision? {
        for k in 0..<workers.count {
            let i = (next + k) % workers.count
            guard workers[i].isUp, workers[i].computeMode.accepts(rank: request.rank) else { continue }
            next = (i + 1) % workers.count
            return RouteDecision(worker: workers[i].id, reason: "round-robin")
        }
        return nil
    }
}

/// Least outstanding work, either over all workers (vLLM-style fleets) or over the adapter's
/// replicas (Dynamo-style and S-LoRA-like placements; falls back to all workers when none is up).
public struct LeastLoadedRouter: RoutingPolicy {
    public enum Scope: String, Sendable, Codable { case allWorkers, replicas }
    public var scope: Scope
    public var name: String { scope == .allWorkers ? "least-loaded" : "least-loaded-replica" }
    public init(scope: Scope) { self.scope = scope }

    public mutating func route(_ request: RouteRequest, workers: [WorkerLoad], placement: PlacementMap,
                               costModel: CostModel) -> RouteDecision? {
        let replicas = placement.workers(for: request.adapter)
        func pick(_ restrict: Bool) -> Int? {
            var best: Int?
            for (i, w) in workers.enumerated() where w.isUp && w.computeMode.accepts(rank: request.rank) {
                if restrict, !replicas.contains(w.id) { continue }
                if best.map({ w.queuedSeconds < workers[$0].queuedSeconds }) ?? true { best = i }
            }
            return best
        }
        guard let i = (scope == .replicas ? pick(true) : nil) ?? pick(false) else { return nil }
        return RouteDecision(worker: workers[i].id, predictedDelaySeconds: workers[i].queuedSeconds, reason: name)
    }
}

/// llm-d (Gateway API Inference Extension) style: each worker scores
/// `loraAffinity + queueScore`, where loraAffinity is 1.0 when the adapter is loaded, 0.8 with a free
/// slot, 0.6 when the adapter is already queued there, 0 when full; queueScore min-max normalises the
/// waiting-queue depth (1 = shortest). Highest score wins; ties go to less queued work, then id.
public struct AffinityRouter: RoutingPolicy {
    public var affinityWeight: Double
    public var queueWeight: Double
    public var name: String { "llm-d-affinity" }
    public init(affinityWeight: Double = 1, queueWeight: Double = 1) {
        self.affinityWeight = affinityWeight
        self.queueWeight = queueWeight
    }

    public static func affinity(_ w: WorkerLoad, adapter: AdapterID) -> Double {
        if w.residentAdapters.contains(adapter) { return 1.0 }
        if w.hasFreeSlot { return 0.8 }
        if w.pendingAdapters.contains(adapter) { return 0.6 }
        return 0
    }

    public mutating func route(_ request: RouteRequest, workers: [WorkerLoad], placement: PlacementMap,
                               costModel: CostModel) -> RouteDecision? {
        var lo = Int.max, hi = Int.min
        for w in workers where w.isUp { lo = min(lo, w.waitingRequests); hi = max(hi, w.waitingRequests) }
        var best: (i: Int, score: Double)?
        for (i, w) in workers.enumerated() where w.isUp && w.computeMode.accepts(rank: request.rank) {
            let q = hi > lo ? Double(hi - w.waitingRequests) / Double(hi - lo) : 1
            let score = affinityWeight * Self.affinity(w, adapter: request.adapter) + queueWeight * q
            if let b = best {
                let better = score > b.score + 1e-12
                    || (abs(score - b.score) <= 1e-12 && w.queuedSeconds < workers[b.i].queuedSeconds)
                if !better { continue }
            }
            best = (i, score)
        }
        guard let b = best else { return nil }
        return RouteDecision(worker: workers[b.i].id, predictedDelaySeconds: workers[b.i].queuedSeconds,
                             reason: "llm-d affinity")
    }
}
