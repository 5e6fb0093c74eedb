import Controller
import Placement
import ServeCore
import Testing

@Suite struct PlacementLoopTests {
    @Test func moveIsMakeBeforeBreak() async throws {
        let fleet = await Fleet()
        try await fleet.register("mv", rank: 32)
        await fleet.controller.state.addReplica("mv", on: "http://w1")
        try await fleet.transport.loadAdapter("http://w1", name: "mv", path: "/adapters/mv")
        let actions = [
            ControlAction(.fetchFromPeer(peer: WorkerID("http://w1")), adapter: AdapterID("mv"), worker: WorkerID("http://w3"), reason: "relieve w1"),
            ControlAction(.unload, adapter: AdapterID("mv"), worker: WorkerID("http://w1"), reason: "relieve w1"),
        ]
        let done = await fleet.controller.execute(actions)
        #expect(done.map(\.outcome) == ["ok", "ok"])
        #expect(fleet.transport.events.map(\.description) == ["load mv @ http://w1", "fetch mv @ http://w3", "unload mv @ http://w1"])
        #expect(await fleet.controller.state.liveReplicas(of: "mv") == ["http://w3"])
        let log = await fleet.controller.state.actions
        #expect(log.map(\.kind) == ["fetch_from_peer", "unload"])
        #expect(log.allSatisfy { $0.reason == "relieve w1" })
    }

    @Test func neverRemovesTheLastReplica() async throws {
        let fleet = await Fleet()
        try await fleet.register("only", rank: 8)
        await fleet.controller.state.addReplica("only", on: "http://w1")
        let done = await fleet.controller.execute([ControlAction(.unload, adapter: AdapterID("only"), worker: WorkerID("http://w1"), reason: "test")])
        #expect(done.first?.outcome == "skipped: last replica")
        #expect(await fleet.controller.state.liveReplicas(of: "only") == ["http://w1"])
        #expect(fleet.transport.events.isEmpty)
    }

    @Test func failedLoadKeepsTheOldReplica() async throws {
        let fleet = await Fleet()
        try await fleet.register("keep", rank: 8)
        await fleet.controller.state.addReplica("keep", on: "http://w1")
        await fleet.controller.state.addReplica("keep", on: "http://w2")
        fleet.transport.update("http://w3") { $0.up = false }
        let done = await fleet.controller.execute([
            ControlAction(.fetchFromPeer(peer: WorkerID("http://w1")), adapter: AdapterID("keep"), worker: WorkerID("http://w3"), reason: "move"),
            ControlAction(.unload, adapter: AdapterID("keep"), worker: WorkerID("http://w1"), reason: "move"),
        ])
        #expect(done.first?.outcome.hasPrefix("failed") == true)
        #expect(done.last?.outcome.hasPrefix("skipped") == true)
        #expect(await fleet.controller.state.liveReplicas(of: "keep") == ["http://w1", "http://w2"])
    }

    @Test func stablePlacementReplansToNothing() async throws {
        let fleet = await Fleet()
        for (n, r) in [("p", 8), ("q", 64)] { try await fleet.register(n, rank: r) }
        let first = await fleet.controller.placementStep(force: true)
        #expect(first.count == 2)
        let again = await fleet.controller.placementStep(force: true)
        #expect(again.isEmpty)
        #expect(await fleet.controller.state.metrics.plans == 2)
    }

    @Test func restartedControllerRebuildsPlacementFromWorkers() async throws {
        let fleet = await Fleet()
        try await fleet.transport.loadAdapter("http://w2", name: "old", path: "/adapters/old")
        fleet.transport.update("http://w2") { $0.adapters["old"]?.rank = 16 }
        await fleet.controller.scrapeAll()
        #expect(await fleet.controller.state.adapter("old")?.rank == 16)
        #expect(await fleet.controller.state.liveReplicas(of: "old") == ["http://w2"])
    }
}

@Suite struct DriftTests {
    @Test func hotAdapterIsReplicatedAndColdOnesStay() async throws {
        let fleet = await Fleet()
        for (n, r) in [("hot", 16), ("cold1", 8), ("cold2", 64)] { try await fleet.register(n, rank: r) }
        await fleet.controller.placementStep(force: true, at: 0)
        #expect(await fleet.controller.state.liveReplicas(of: "hot").count == 1)
        // 100 requests/s of 400 tokens for 6 s: far beyond one worker's 400 tokens/s.
        for i in 0..<600 {
            _ = await fleet.controller.state.route(model: "hot", tokens: 400, now: Double(i) / 100)
        }
        let actions = await fleet.controller.placementStep(at: 20)
        #expect(actions.contains { $0.kind == "replicate" && $0.adapter == "hot" && $0.reason.contains("hot") }, "\(actions)")
        #expect(await fleet.controller.state.liveReplicas(of: "hot").count == 3)
        #expect(await fleet.controller.state.liveReplicas(of: "cold1").count == 1)
        #expect(await fleet.controller.state.rate(of: "hot").requestsPerSecond > 10)
    }
}
