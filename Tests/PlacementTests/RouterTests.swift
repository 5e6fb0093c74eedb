import Placement
import ServeCore
import Testing

@Suite struct RouterTests {
    static func workers(_ queued: [Double], resident: [[String]] = []) -> [WorkerLoad] {
        queued.enumerated().map { i, q in
            WorkerLoad(id: WorkerID(workerName(i)), computeMode: .exact, capacityTokensPerSecond: 10_000, queuedWork: q,
                       maxActiveAdapters: 8,
                       residentAdapters: Set((i < resident.count ? resident[i] : []).map(AdapterID.init)))
        }
    }
    static let req = RouteRequest(adapter: AdapterID("a"), rank: 16, adapterBytes: 16_000_000, tokens: 500)

    @Test func picksReplicaWithLeastPredictedDelay() throws {
        let ws = Self.workers([5_000, 1_000, 0], resident: [["a"], ["a"], []])
        let map = PlacementMap([AdapterID("a"): [ws[0].id, ws[1].id]])
        var r = Router()
        let d = try decide(&r, Self.req, ws, map)
        #expect(d.worker == ws[1].id)
        #expect(d.fetchFrom == nil)
    }

    @Test func delayUsesCapacityNotQueueLength() throws {
        var ws = Self.workers([4_000, 3_000], resident: [["a"], ["a"]])
        ws[0].capacityTokensPerSecond = 40_000  // 4× faster: 0.1 s of work vs 0.3 s
        let map = PlacementMap([AdapterID("a"): [ws[0].id, ws[1].id]])
        var r = Router()
        #expect(try decide(&r, Self.req, ws, map).worker == ws[0].id)
    }

    @Test func remoteAccessWhenReplicasOverloaded() throws {
        // The only replica has 10 s of queued work; the others are idle.
        let ws = Self.workers([100_000, 0, 200], resident: [["a"], [], []])
        let map = PlacementMap([AdapterID("a"): [ws[0].id]])
        var r = Router()
        let d = try decide(&r, Self.req, ws, map)
        #expect(d.worker == ws[1].id)
        #expect(d.fetchFrom == ws[0].id)
        #expect(d.withinLoadBound)
        var noRemote = Router(remoteAccess: false)
        let d2 = try decide(&noRemote, Self.req, ws, map)
        #expect(d2.worker == ws[0].id)
        #expect(!d2.withinLoadBound)
    }

    @Test(arguments: [UInt64(1), 2, 3, 4, 5, 6, 7, 8])
    func boundedLoadGuardHolds(seed: UInt64) throws {
        // Property: with remote access on, every decision is within the bound the router states.
        var g = SplitMix64(seed: seed)
        var r = Router()
        for _ in 0..<200 {
            let n = 2 + Int(g.next() % 8)
            let queued = (0..<n).map { _ in Double(g.next() % 50_000) }
            let holders = (0..<n).map { _ in g.next() % 3 == 0 ? ["a"] : [] }
            let ws = Self.workers(queued, resident: holders)
            let map = PlacementMap([AdapterID("a"): ws.indices.filter { !holders[$0].isEmpty }.map { ws[$0].id }])
            let d = try decide(&r, Self.req, ws, map)
            let chosen = try #require(ws.first { $0.id == d.worker })
            let bound = r.loadBoundSeconds(workers: ws, requestSeconds: 500.0 / 10_000)
            #expect(d.withinLoadBound)
            #expect((chosen.queuedWork + 500 * CostModel.a100Llama7B.relativeTokenCost(effectiveRank: 16, mode: .exact)) / 10_000 <= bound + 1e-9)
        }
    }

    @Test func paddedWorkerBelowRankIsNeverChosen() throws {
        var ws = Self.workers([0, 50_000], resident: [[], ["a"]])
        ws[0].computeMode = .padded(maxRank: 8)
        let map = PlacementMap([AdapterID("a"): [ws[1].id]])
        var r = Router()
        #expect((try decide(&r, Self.req, ws, map)).worker == ws[1].id)
    }
}

@Suite struct BaselineRouterTests {
    @Test func roundRobinCycles() throws {
        let ws = RouterTests.workers([0, 0, 0])
        var r = RoundRobinRouter()
        var picks: [WorkerID] = []
        for _ in 0..<6 { picks.append(try decide(&r, RouterTests.req, ws, PlacementMap()).worker) }
        #expect(picks == [0, 1, 2, 0, 1, 2].map { ws[$0].id })
    }

    @Test func affinityScores() throws {
        var ws = RouterTests.workers([0, 0, 0, 0], resident: [["a"], [], ["x", "y"], ["x", "y"]])
        ws[2].maxActiveAdapters = 2
        ws[3].maxActiveAdapters = 2
        ws[3].pendingAdapters = [AdapterID("a")]
        let a = AdapterID("a")
        #expect(AffinityRouter.affinity(ws[0], adapter: a) == 1.0)
        #expect(AffinityRouter.affinity(ws[1], adapter: a) == 0.8)
        #expect(AffinityRouter.affinity(ws[2], adapter: a) == 0)
        #expect(AffinityRouter.affinity(ws[3], adapter: a) == 0.6)
        var r = AffinityRouter()
        #expect((try decide(&r, RouterTests.req, ws, PlacementMap())).worker == ws[0].id)
    }

    @Test func leastLoadedReplicaStaysOnReplicas() throws {
        let ws = RouterTests.workers([9_000, 5_000, 0])
        let map = PlacementMap([AdapterID("a"): [ws[0].id, ws[1].id]])
        var r = LeastLoadedRouter(scope: .replicas)
        #expect((try decide(&r, RouterTests.req, ws, map)).worker == ws[1].id)
        var all = LeastLoadedRouter(scope: .allWorkers)
        #expect((try decide(&all, RouterTests.req, ws, map)).worker == ws[2].id)
    }
}

func decide<R: RoutingPolicy>(_ r: inout R, _ req: RouteRequest, _ ws: [WorkerLoad], _ map: PlacementMap) throws -> RouteDecision {
    let d = r.route(req, workers: ws, placement: map, costModel: .a100Llama7B)
    return try #require(d)
}
