import ServeCore

/// Decides when to re-plan: popularity drift (total-variation distance between the rates the last
/// plan used and the current EWMA rates), predicted overload, or a new/unplaced adapter; with a
/// cooldown so plans are not issued faster than moves can complete. Pure; `now` in seconds.
public struct Rebalancer: Sendable {
    public enum Trigger: Sendable, Hashable, CustomStringConvertible {
        case initial
        case drift(distance: Double)
        case overload(worker: WorkerID, utilisation: Double)
        case unplacedDemand(AdapterID)
        case workerChange

        public var description: String {
            switch self {
            case .initial: "initial placement"
            case let .drift(d): "popularity drift \(pct(d))"
            case let .overload(w, u): "overload \(w) at \(pct(u))"
            case let .unplacedDemand(a): "demand for unplaced \(a)"
            case .workerChange: "worker set changed"
            }
        }
    }

    /// Drift distance (0...1, half the L1 distance of normalised rate vectors) that triggers a re-plan.
    public var driftThreshold: Double
    /// Predicted utilisation above which a worker triggers a re-plan.
    public var overloadUtilisation: Double
    public var cooldownSeconds: Double
    private var lastPlanAt: Double?
    private var plannedRates: [AdapterID: Double] = [:]
    private var plannedWorkers: Set<WorkerID> = []

    public init(driftThreshold: Double = 0.25, overloadUtilisation: Double = 0.95, cooldownSeconds: Double = 30) {
        self.driftThreshold = driftThreshold
        self.overloadUtilisation = overloadUtilisation
        self.cooldownSeconds = cooldownSeconds
    }

    /// Total-variation distance between two rate vectors after normalising each to sum 1.
    public static func driftDistance(_ a: [AdapterID: Double], _ b: [AdapterID: Double]) -> Double {
        let sa = a.values.reduce(0, +), sb = b.values.reduce(0, +)
        guard sa > 0 || sb > 0 else { return 0 }
        guard sa > 0, sb > 0 else { return 1 }
        var d = 0.0
        for k in Set(a.keys).union(b.keys) { d += abs((a[k] ?? 0) / sa - (b[k] ?? 0) / sb) }
        return d / 2
    }

    /// Whether to re-plan now, and why.
    public func shouldReplan(_ snapshot: ClusterSnapshot, costModel: CostModel, now: Double) -> Trigger? {
        guard let last = lastPlanAt else { return .initial }
        let workers = Set(snapshot.workers.filter(\.isUp).map(\.id))
        if workers != plannedWorkers { return .workerChange }
        // New demand for an adapter with no replica re-plans at once; one the last plan already
        // saw (and could not place: the fleet is full) waits for the cooldown like everything else.
        for a in snapshot.adapters where a.requestsPerSecond > 0 && snapshot.placement.workers(for: a.id).isEmpty
            && (plannedRates[a.id] ?? 0) == 0 {
            return .unplacedDemand(a.id)
        }
        guard now - last >= cooldownSeconds else { return nil }
        let d = Self.driftDistance(plannedRates, Dictionary(uniqueKeysWithValues: snapshot.adapters.map { ($0.id, $0.tokensPerSecond) }))
        if d >= driftThreshold { return .drift(distance: d) }
        if let (w, u) = Self.peakUtilisation(snapshot, costModel: costModel), u > overloadUtilisation {
            return .overload(worker: w, utilisation: u)
        }
        return nil
    }

    /// Records that a plan was made from `snapshot` at `now`.
    public mutating func didPlan(_ snapshot: ClusterSnapshot, now: Double) {
        lastPlanAt = now
        plannedRates = Dictionary(uniqueKeysWithValues: snapshot.adapters.map { ($0.id, $0.tokensPerSecond) })
        plannedWorkers = Set(snapshot.workers.filter(\.isUp).map(\.id))
    }

    /// The most utilised worker under the snapshot's placement, by the cost model of its mode.
    public static func peakUtilisation(_ snapshot: ClusterSnapshot, costModel: CostModel) -> (WorkerID, Double)? {
        let util = PlacementMetrics.utilisation(snapshot, costModel: costModel)
        return util.max { $0.value < $1.value || ($0.value == $1.value && $0.key > $1.key) }.map { ($0.key, $0.value) }
    }
}
