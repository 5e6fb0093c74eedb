import Placement
import ServeCore
import Testing

@Suite struct RankAwarePlacementTests {
    static func apply(_ plan: PlacementPlan, to s: ClusterSnapshot) -> ClusterSnapshot {
        var s = s
        s.placement = plan.target
        return s
    }

    @Test(arguments: [UInt64(1), 2, 3, 4, 5])
    func capacityAndMemoryNeverExceeded(seed: UInt64) {
        for mode in [ComputeMode.exact, .batchMax, .padded(maxRank: 128)] {
            let s = Fixtures.cluster(adapters: 200, workers: 8, seed: seed, mode: mode)
            var p = RankAwarePlacement()
            let plan = p.plan(s, costModel: Fixtures.cost)
            let util = PlacementMetrics.utilisation(s, placement: plan.target, costModel: Fixtures.cost)
            for (w, u) in util { #expect(u <= p.config.targetUtilisation + 1e-9, "\(w) at \(u) in \(mode)") }
            let usage = PlacementMetrics.usage(s, placement: plan.target)
            for w in s.workers {
                let u = usage[w.id] ?? (0, 0)
                #expect(u.bytes <= w.memoryBudgetBytes)
                #expect(u.adapters <= w.maxActiveAdapters)
            }
        }
    }

    @Test(arguments: [UInt64(7), 8, 9])
    func everyAdapterWithDemandHasAReplica(seed: UInt64) {
        let s = Fixtures.cluster(adapters: 300, workers: 16, seed: seed)
        var p = RankAwarePlacement()
        let plan = p.plan(s, costModel: Fixtures.cost)
        for a in s.adapters where a.hasDemand { #expect(!plan.target.workers(for: a.id).isEmpty, "\(a.id)") }
    }

    @Test func deterministicForASnapshot() {
        let s = Fixtures.cluster(adapters: 400, workers: 12, seed: 11, mode: .batchMax)
        var p1 = RankAwarePlacement(), p2 = RankAwarePlacement()
        let a = p1.plan(s, costModel: Fixtures.cost), b = p2.plan(s, costModel: Fixtures.cost)
        #expect(a == b)
    }

    @Test func hotAdaptersAreReplicated() {
        let s = Fixtures.cluster(adapters: 50, workers: 8, seed: 3)
        var p = RankAwarePlacement()
        let plan = p.plan(s, costModel: Fixtures.cost)
        // a0 carries ~22% of 80,000 tok/s, i.e. ~0.9 of one worker: above the replicate threshold.
        #expect(plan.target.workers(for: AdapterID("a0")).count >= 2)
        #expect(plan.actions.allSatisfy { !$0.isUnload })
    }

    @Test(arguments: [UInt64(21), 22, 23])
    func replanningAStablePlacementChangesNothing(seed: UInt64) {
        let s = Fixtures.cluster(adapters: 300, workers: 16, seed: seed, mode: .batchMax)
        var p = RankAwarePlacement()
        let first = p.plan(s, costModel: Fixtures.cost)
        let second = p.plan(Self.apply(first, to: s), costModel: Fixtures.cost)
        #expect(second.actions.isEmpty, "\(second.actions.prefix(5))")
    }

    @Test(arguments: [UInt64(31), 32, 33, 34])
    func churnIsBoundedAfterDrift(seed: UInt64) {
        var s = Fixtures.cluster(adapters: 300, workers: 16, seed: seed)
        var p = RankAwarePlacement()
        p.config.maxDiscretionaryActions = 20
        s = Self.apply(p.plan(s, costModel: Fixtures.cost), to: s)
        // Drift: reverse popularity.
        var g = SplitMix64(seed: seed)
        let shuffled = s.adapters.map(\.tokensPerSecond).shuffled(using: &g)
        for i in s.adapters.indices {
            s.adapters[i].tokensPerSecond = shuffled[i]
            s.adapters[i].requestsPerSecond = shuffled[i] / 500
        }
        let plan = p.plan(s, costModel: Fixtures.cost)
        // Every adapter already has a replica, so every action is discretionary: a move is a
        // fetch plus an unload, a replica change one action.
        let moves = plan.actions.filter { if case .fetchFromPeer = $0.kind { true } else { false } }.count
        let others = plan.actions.count - 2 * moves
        #expect(moves + others <= p.config.maxDiscretionaryActions)
        #expect(plan.actions.allSatisfy { !$0.reason.isEmpty })
    }

    @Test(arguments: [UInt64(41), 42, 43])
    func lastReplicaNeverRemoved(seed: UInt64) {
        var s = Fixtures.cluster(adapters: 120, workers: 6, seed: seed)
        var p = RankAwarePlacement()
        s = Self.apply(p.plan(s, costModel: Fixtures.cost), to: s)
        // Demand vanishes for half the adapters; a worker goes down.
        for i in s.adapters.indices where i % 2 == 0 { s.adapters[i].tokensPerSecond = 0; s.adapters[i].requestsPerSecond = 0 }
        let plan = p.plan(s, costModel: Fixtures.cost)
        for a in s.adapters where !s.placement.workers(for: a.id).isEmpty {
            #expect(!plan.target.workers(for: a.id).isEmpty, "\(a.id) lost its last replica")
        }
    }

    @Test func makeBeforeBreakOrdering() {
        var s = Fixtures.cluster(adapters: 100, workers: 6, seed: 5)
        var p = RankAwarePlacement()
        s = Self.apply(p.plan(s, costModel: Fixtures.cost), to: s)
        s.workers[2].isUp = false
        let plan = p.plan(s, costModel: Fixtures.cost)
        let firstUnload = plan.actions.firstIndex(where: \.isUnload) ?? plan.actions.count
        #expect(plan.actions[firstUnload...].allSatisfy { $0.isUnload })
        #expect(plan.target.adaptersByWorker()[s.workers[2].id] == nil)
        for a in s.adapters where a.hasDemand { #expect(!plan.target.workers(for: a.id).isEmpty) }
    }

    @Test func batchMaxGroupsRanks() {
        // Same demand on a batch-max fleet: grouping must give lower total predicted load than an
        // interleaved rank-oblivious assignment.
        let s = Fixtures.cluster(adapters: 200, workers: 8, seed: 13, mode: .batchMax, totalTokensPerSecond: 60_000)
        var ours = RankAwarePlacement()
        var oblivious = RankObliviousPlacement()
        let u1 = PlacementMetrics.utilisation(s, placement: ours.plan(s, costModel: Fixtures.cost).target, costModel: Fixtures.cost)
        let u2 = PlacementMetrics.utilisation(s, placement: oblivious.plan(s, costModel: Fixtures.cost).target, costModel: Fixtures.cost)
        #expect(u1.values.reduce(0, +) < u2.values.reduce(0, +))
    }

    @Test func paddedWorkersOnlyGetAcceptedRanks() {
        var s = Fixtures.cluster(adapters: 60, workers: 4, seed: 17, mode: .exact)
        s.workers[0].computeMode = .padded(maxRank: 16)
        s.workers[1].computeMode = .padded(maxRank: 16)
        var p = RankAwarePlacement()
        let plan = p.plan(s, costModel: Fixtures.cost)
        let rank = Dictionary(uniqueKeysWithValues: s.adapters.map { ($0.id, $0.rank) })
        for (w, list) in plan.target.adaptersByWorker() where w == s.workers[0].id || w == s.workers[1].id {
            #expect(list.allSatisfy { (rank[$0] ?? 0) <= 16 })
        }
    }

    @Test func solveTime1000x64() {
        let s = Fixtures.cluster(adapters: 1000, workers: 64, seed: 99, mode: .batchMax)
        var p = RankAwarePlacement()
        let clock = ContinuousClock()
        var plan = PlacementPlan(target: PlacementMap(), actions: [])
        let elapsed = clock.measure { plan = p.plan(s, costModel: Fixtures.cost) }
        var again = s
        again.placement = plan.target
        let replan = clock.measure { _ = p.plan(again, costModel: Fixtures.cost) }
        print("placement solve 1000 adapters x 64 workers: initial \(elapsed), replan \(replan), replicas \(plan.target.replicaCount)")
        #expect(plan.target.replicas.count == 1000)
    }
}
