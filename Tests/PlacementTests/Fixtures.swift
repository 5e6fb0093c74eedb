import Placement
import ServeCore

/// Seeded random clusters for property tests.
enum Fixtures {
    static let ranks = [8, 8, 8, 16, 16, 32, 64, 128]

    static func cluster(adapters n: Int, workers m: Int, seed: UInt64, mode: ComputeMode = .exact,
                        totalTokensPerSecond: Double? = nil, placement: PlacementMap = PlacementMap()) -> ClusterSnapshot {
        var g = SplitMix64(seed: seed)
        let capacity = 20_000.0
        let total = totalTokensPerSecond ?? capacity * Double(m) * 0.5
        // Zipf(1) popularity.
        let weights = (1...n).map { 1.0 / Double($0) }
        let sum = weights.reduce(0, +)
        var adapters: [AdapterDemand] = []
        for i in 0..<n {
            let rank = ranks[Int(g.next() % UInt64(ranks.count))]
            let tps = total * weights[i] / sum
            adapters.append(AdapterDemand(id: AdapterID("a\(i)"), rank: rank, bytes: rank * 1_000_000,
                                          requestsPerSecond: tps / 500, tokensPerSecond: tps))
        }
        let workers = (0..<m).map {
            WorkerState(id: WorkerID(workerName($0)), memoryBudgetBytes: 128 * 1_000_000 * max(n / m, 4) * 2,
                        maxActiveAdapters: max(2 * n / m + 4, 8), computeMode: mode, capacityTokensPerSecond: capacity)
        }
        return ClusterSnapshot(adapters: adapters, workers: workers, placement: placement)
    }

    static let cost = CostModel.a100Llama7B
}

/// "w007"-style names so string order equals numeric order.
func workerName(_ v: Int) -> String {
    let s = String(v)
    return "w" + String(repeating: "0", count: max(0, 3 - s.count)) + s
}
