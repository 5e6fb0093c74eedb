import ServeCore

/// One step of reaching a target placement. Executors (controller, simulator) perform them in order;
/// plans list every load before any unload (make-before-break).
public struct ControlAction: Hashable, Sendable, Codable, CustomStringConvertible {
    public enum Kind: Hashable, Sendable, Codable {
        /// Load from storage (no replica exists to copy from).
        case load
        /// Add a replica, copying the weights from `peer`'s memory.
        case replicate(from: WorkerID)
        /// Move: the new worker copies the weights from the old holder `peer` (unloaded afterwards).
        case fetchFromPeer(peer: WorkerID)
        /// Drop the replica once requests routed to it have drained.
        case unload
    }

    public var kind: Kind
    public var adapter: AdapterID
    public var worker: WorkerID
    public var reason: String

    public init(_ kind: Kind, adapter: AdapterID, worker: WorkerID, reason: String) {
        self.kind = kind
        self.adapter = adapter
        self.worker = worker
        self.reason = reason
    }

    public var isUnload: Bool { kind == .unload }

    public var description: String {
        switch kind {
        case .load: "load \(adapter) on \(worker) (\(reason))"
        case let .replicate(p): "replicate \(adapter) on \(worker) from \(p) (\(reason))"
        case let .fetchFromPeer(p): "fetch \(adapter) to \(worker) from \(p) (\(reason))"
        case .unload: "unload \(adapter) from \(worker) (\(reason))"
        }
    }
}

/// A policy's answer: where adapters should live and how to get there.
public struct PlacementPlan: Hashable, Sendable, Codable {
    public var target: PlacementMap
    /// Loads/replications first, unloads last.
    public var actions: [ControlAction]
    /// When true, workers may also load adapters not in `target` on demand (vLLM-style fleets).
    public var allowsOnDemandLoading: Bool

    public init(target: PlacementMap, actions: [ControlAction], allowsOnDemandLoading: Bool = false) {
        self.target = target
        self.actions = actions
        self.allowsOnDemandLoading = allowsOnDemandLoading
    }

    /// Builds the make-before-break action list that turns `current` into `target`.
    /// A new replica copies from a peer when one holds the adapter, otherwise it loads from storage.
    public static func diff(from current: PlacementMap, to target: PlacementMap, reasons: [AdapterID: String] = [:]) -> [ControlAction] {
        var loads: [ControlAction] = []
        var unloads: [ControlAction] = []
        let ids = Set(current.replicas.keys).union(target.replicas.keys).sorted()
        for a in ids {
            let before = current.workers(for: a), after = target.workers(for: a)
            let added = after.filter { !before.contains($0) }
            let removed = before.filter { !after.contains($0) }
            let why = reasons[a] ?? "rebalance"
            for (i, w) in added.enumerated() {
                if let peer = before.first(where: { after.contains($0) }) ?? before.first {
                    // A move (something removed, nothing kept) fetches from the replica it replaces.
                    let isMove = i < removed.count && before.allSatisfy { !after.contains($0) }
                    loads.append(ControlAction(isMove ? .fetchFromPeer(peer: removed[i]) : .replicate(from: peer),
                                               adapter: a, worker: w, reason: why))
                } else {
                    loads.append(ControlAction(.load, adapter: a, worker: w, reason: why))
                }
            }
            for w in removed { unloads.append(ControlAction(.unload, adapter: a, worker: w, reason: why)) }
        }
        return loads + unloads
    }
}

/// A cluster placement policy: pure, deterministic for a given snapshot (and seed, when random).
public protocol PlacementPolicy: Sendable {
    /// A short stable name (CLI `--policy`, reports).
    var name: String { get }
    mutating func plan(_ snapshot: ClusterSnapshot, costModel: CostModel) -> PlacementPlan
}
