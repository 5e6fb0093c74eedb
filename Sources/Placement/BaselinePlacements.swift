import ServeCore

/// vLLM-style and llm-d-style fleets: no central placement. Any adapter may be served by any
/// worker, which loads it on demand into its `--max-loras` slots (LRU); the padded-to-fleet-max
/// rank cost comes from the workers' compute mode, not from this policy.
public struct OnDemandPlacement: PlacementPolicy {
    public let name: String
    public init(name: String = "on-demand") { self.name = name }

    public mutating func plan(_ snapshot: ClusterSnapshot, costModel: CostModel) -> PlacementPlan {
        PlacementPlan(target: snapshot.placement, actions: [], allowsOnDemandLoading: true)
    }
}

/// Demand-proportional replica count shared by the hashing and rank-oblivious baselines:
/// one replica per `perReplicaFraction` of a mean worker's capacity, at least one.
func demandReplicas(_ a: AdapterDemand, meanCapacity: Double, perReplicaFraction: Double, workers: Int) -> Int {
    guard a.hasDemand else { return 0 }
    let k = Int((a.tokensPerSecond / max(perReplicaFraction * meanCapacity, 1e-9)).rounded(.up))
    return min(max(k, 1), workers)
}

/// NVIDIA Dynamo-style: rendezvous (highest-random-weight) hashing gives each adapter a stable,
/// ordered worker list; the replica count grows with demand. Rank and size are ignored, as in
/// Dynamo's design; memory and slot limits are respected by skipping full workers.
public struct RendezvousPlacement: PlacementPolicy {
    public var perReplicaFraction: Double
    public var name: String { "rendezvous" }
    public init(perReplicaFraction: Double = 0.5) { self.perReplicaFraction = perReplicaFraction }

    public static func weight(_ adapter: AdapterID, _ worker: WorkerID) -> UInt64 {
        // FNV-1a over both names, then a SplitMix finaliser for avalanche.
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in adapter.rawValue.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        h = (h ^ 0xff) &* 0x100_0000_01b3
        for b in worker.rawValue.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        var g = SplitMix64(seed: h)
        return g.next()
    }

    public mutating func plan(_ snapshot: ClusterSnapshot, costModel: CostModel) -> PlacementPlan {
        let up = snapshot.workers.filter(\.isUp).sorted { $0.id < $1.id }
        guard !up.isEmpty else { return PlacementPlan(target: snapshot.placement, actions: []) }
        let mean = up.reduce(0) { $0 + $1.capacityTokensPerSecond } / Double(up.count)
        var memory = [Int](repeating: 0, count: up.count), slots = [Int](repeating: 0, count: up.count)
        var target = PlacementMap()
        for a in snapshot.adapters.sorted(by: { $0.id < $1.id }) {
            var k = demandReplicas(a, meanCapacity: mean, perReplicaFraction: perReplicaFraction, workers: up.count)
            if k == 0, !snapshot.placement.workers(for: a.id).isEmpty { k = 1 }
            let ranked = up.indices.map { (Self.weight(a.id, up[$0].id), $0) }.sorted { $0.0 > $1.0 }.map(\.1)
            var placed = 0
            for w in ranked where placed < k {
                guard up[w].computeMode.accepts(rank: a.rank), slots[w] < up[w].maxActiveAdapters,
                      memory[w] + a.bytes <= up[w].memoryBudgetBytes else { continue }
                target.add(a.id, on: up[w].id)
                memory[w] += a.bytes
                slots[w] += 1
                placed += 1
            }
        }
        return PlacementPlan(target: target, actions: PlacementPlan.diff(from: snapshot.placement, to: target))
    }
}

/// S-LoRA-like cluster: exact-rank engines, rank-oblivious placement. New adapters go to the
/// worker with the least token demand (or a seeded random one); replicas grow with demand.
public struct RankObliviousPlacement: PlacementPolicy {
    public enum Choice: String, Sendable, Codable { case leastLoaded, random }
    public var choice: Choice
    public var perReplicaFraction: Double
    private var rng: SplitMix64
    public var name: String { "rank-oblivious" }

    public init(choice: Choice = .leastLoaded, perReplicaFraction: Double = 0.5, seed: UInt64 = 1) {
        self.choice = choice
        self.perReplicaFraction = perReplicaFraction
        self.rng = SplitMix64(seed: seed)
    }

    public mutating func plan(_ snapshot: ClusterSnapshot, costModel: CostModel) -> PlacementPlan {
        let up = snapshot.workers.filter(\.isUp).sorted { $0.id < $1.id }
        guard !up.isEmpty else { return PlacementPlan(target: snapshot.placement, actions: []) }
        let index = Dictionary(uniqueKeysWithValues: up.enumerated().map { ($1.id, $0) })
        let mean = up.reduce(0) { $0 + $1.capacityTokensPerSecond } / Double(up.count)
        var demand = [Double](repeating: 0, count: up.count)
        var memory = [Int](repeating: 0, count: up.count), slots = [Int](repeating: 0, count: up.count)
        var target = PlacementMap()
        let adapters = snapshot.adapters.sorted { $0.id < $1.id }
        var want: [Int] = []
        // Keep what is placed (on live workers), then top up replica counts.
        for a in adapters {
            let k = demandReplicas(a, meanCapacity: mean, perReplicaFraction: perReplicaFraction, workers: up.count)
            let kept = snapshot.placement.workers(for: a.id).compactMap { index[$0] }
            let keep = kept.prefix(max(k, kept.isEmpty ? 0 : 1))
            for w in keep {
                target.add(a.id, on: up[w].id)
                demand[w] += a.tokensPerSecond / Double(max(k, 1))
                memory[w] += a.bytes
                slots[w] += 1
            }
            want.append(max(k - keep.count, 0))
        }
        for (i, a) in adapters.enumerated() where want[i] > 0 {
            let k = max(target.workers(for: a.id).count + want[i], 1)
            for _ in 0..<want[i] {
                let feasible = up.indices.filter {
                    !target.contains(a.id, on: up[$0].id) && up[$0].computeMode.accepts(rank: a.rank)
                        && slots[$0] < up[$0].maxActiveAdapters && memory[$0] + a.bytes <= up[$0].memoryBudgetBytes
                }
                guard !feasible.isEmpty else { break }
                let w: Int
                switch choice {
                case .leastLoaded:
                    w = feasible.min { demand[$0] / up[$0].capacityTokensPerSecond < demand[$1] / up[$1].capacityTokensPerSecond } ?? feasible[0]
                case .random:
                    w = feasible[Int(rng.next() % UInt64(feasible.count))]
                }
                target.add(a.id, on: up[w].id)
                demand[w] += a.tokensPerSecond / Double(k)
                memory[w] += a.bytes
                slots[w] += 1
            }
        }
        return PlacementPlan(target: target, actions: PlacementPlan.diff(from: snapshot.placement, to: target))
    }
}
