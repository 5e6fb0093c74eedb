import Controller
import Placement
import ServeCore
import Testing

@Suite struct RoutingTests {
    @Test func requestsLandWherePlacementSays() async throws {
        let fleet = await Fleet()
        for (name, rank) in [("a8", 8), ("b32", 32), ("c128", 128), ("d16", 16)] { try await fleet.register(name, rank: rank) }
        let actions = await fleet.controller.placementStep(force: true)
        #expect(actions.count == 4)
        #expect(actions.allSatisfy { $0.outcome == "ok" })
        for name in ["a8", "b32", "c128", "d16"] {
            let replicas = await fleet.controller.state.liveReplicas(of: name)
            #expect(!replicas.isEmpty)
            for _ in 0..<3 {
                let result = await fleet.controller.proxy(path: "/v1/completions", body: Array(Fleet.completion(name).text.utf8))
                guard case let .complete(status, _, _, worker) = result else {
                    Issue.record("expected a complete response")
                    continue
                }
                #expect(status == 200)
                #expect(replicas.contains(worker), "\(name) went to \(worker), placement says \(replicas)")
            }
        }
        // Every worker saw only adapters placed on it.
        for url in Fleet.urls {
            let received = Set(fleet.transport.worker(url)?.received.map(\.model) ?? [])
            for model in received { #expect(await fleet.controller.state.liveReplicas(of: model).contains(url)) }
        }
    }

    @Test func boundedLoadSendsOverflowToALessLoadedWorker() async throws {
        let fleet = await Fleet()
        try await fleet.register("hot", rank: 16)
        await fleet.controller.placementStep(force: true)
        let home = try #require(await fleet.controller.state.liveReplicas(of: "hot").first)
        // The replica is far above the bound: 100 s of queued work at 400 tokens/s.
        await fleet.controller.state.begin(worker: home, adapter: nil, work: 40_000)
        let outcome = await fleet.controller.state.route(model: "hot", tokens: 40, now: 1)
        guard case let .worker(routed) = outcome else {
            Issue.record("expected a worker, got \(outcome)")
            return
        }
        #expect(routed.worker != home)
        #expect(routed.loadedOnDemand)
        #expect(await fleet.controller.state.metrics.remoteAccess == 1)
    }

    @Test func routerSpreadsByPredictedDelayNotQueueLength() async throws {
        let fleet = await Fleet()
        try await fleet.register("x", rank: 8)
        await fleet.controller.state.addReplica("x", on: "http://w1")
        await fleet.controller.state.addReplica("x", on: "http://w2")
        // w1: one huge request queued; w2: three tiny ones. Fewer requests, more work on w1.
        await fleet.controller.state.begin(worker: "http://w1", adapter: "x", work: 300)
        for _ in 0..<3 { await fleet.controller.state.begin(worker: "http://w2", adapter: "x", work: 10) }
        let outcome = await fleet.controller.state.route(model: "x", tokens: 10, now: 0)
        #expect(outcome == .worker(RoutedTo(worker: "http://w2", loadedOnDemand: false, reason: "replica: least predicted delay")))
    }

    @Test func baseModelGoesToLeastLoadedWorker() async throws {
        let fleet = await Fleet()
        await fleet.controller.state.begin(worker: "http://w1", adapter: nil, work: 100)
        let outcome = await fleet.controller.state.route(model: "base", tokens: 10, now: 0)
        guard case let .worker(r) = outcome else { Issue.record("no worker"); return }
        #expect(r.worker == "http://w2")
    }
}
