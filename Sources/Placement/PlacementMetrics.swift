import ServeCore

/// Evaluates a placement against a snapshot with the same load model the policy uses (tests,
/// dashboards and the rebalancer read these).
public enum PlacementMetrics {
    /// Predicted utilisation per up worker, with each adapter's load split evenly over its replicas.
    public static func utilisation(_ snapshot: ClusterSnapshot, placement: PlacementMap? = nil,
                                   costModel: CostModel) -> [WorkerID: Double] {
        let map = placement ?? snapshot.placement
        let up = snapshot.workers.filter(\.isUp).sorted { $0.id < $1.id }
        let index = Dictionary(uniqueKeysWithValues: up.enumerated().map { ($1.id, $0) })
        var ws = PlacementWorkspace(adapters: snapshot.adapters, workers: up, costModel: costModel)
        for (i, a) in snapshot.adapters.enumerated() {
            let hs = map.workers(for: a.id).compactMap { index[$0] }
            ws.shareDivisor[i] = max(hs.count, 1)
            for w in hs { ws.add(i, to: w) }
        }
        var out: [WorkerID: Double] = [:]
        for (i, w) in up.enumerated() { out[w.id] = ws.utilisation(i) }
        return out
    }

    /// Adapter bytes and resident-adapter count per worker.
    public static func usage(_ snapshot: ClusterSnapshot, placement: PlacementMap) -> [WorkerID: (bytes: Int, adapters: Int)] {
        let bytes = Dictionary(uniqueKeysWithValues: snapshot.adapters.map { ($0.id, $0.bytes) })
        var out: [WorkerID: (bytes: Int, adapters: Int)] = [:]
        for (a, ws) in placement.replicas {
            for w in ws { out[w, default: (0, 0)].bytes += bytes[a] ?? 0; out[w, default: (0, 0)].adapters += 1 }
        }
        return out
    }
}
