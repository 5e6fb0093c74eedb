import Controller
import Foundation
import Placement
import ServeCore
import Testing

/// The controller's use of worker-to-worker transfer: planned replicate / fetch-from-peer
/// actions, fallbacks, vLLM workers, and the proxy's on-demand remote access.
@Suite struct PeerFetchTests {
    @Test func fetchFromPeerActionCopiesFromThePeer() async throws {
        let fleet = await Fleet()
        try await fleet.register("sql", rank: 16)
        try await fleet.place("sql", on: "http://w1")
        await fleet.controller.scrapeAll()
        let action = ControlAction(.fetchFromPeer(peer: WorkerID("http://w1")), adapter: AdapterID("sql"), worker: WorkerID("http://w2"),
                                   reason: "test move")
        let done = await fleet.controller.execute([action])
        #expect(done.map(\.outcome) == ["ok"])
        #expect(done.first?.kind == "fetch_from_peer")
        #expect(done.first?.peer == "http://w1")
        #expect(fleet.transport.worker("http://w2")?.adapters["sql"]?.path == "peer:http://w1")
        #expect(fleet.transport.events.last?.description == "fetch sql @ http://w2")
        #expect(await fleet.controller.state.liveReplicas(of: "sql").contains("http://w2"))
    }

    @Test func failedPeerFetchFallsBackToTheSourcePathAndSaysSo() async throws {
        let fleet = await Fleet()
        try await fleet.register("sql", rank: 16)
        try await fleet.place("sql", on: "http://w1")
        fleet.transport.update("http://w2") { $0.failPeerFetches = 1 }
        await fleet.controller.scrapeAll()
        let done = await fleet.controller.execute([
            ControlAction(.replicate(from: WorkerID("http://w1")), adapter: AdapterID("sql"), worker: WorkerID("http://w2"), reason: "hot"),
        ])
        let outcome = try #require(done.first?.outcome)
        #expect(outcome.hasPrefix("ok (peer fetch from http://w1 failed"), "\(outcome)")
        #expect(outcome.contains("loaded from source path"))
        #expect(fleet.transport.worker("http://w2")?.adapters["sql"]?.path == "/adapters/sql")
        #expect(fleet.transport.events.last?.description == "load sql @ http://w2")
    }

    @Test func vllmWorkersAlwaysGetPathLoads() async throws {
        let fleet = await Fleet()
        fleet.transport.update("http://w2") { $0.hasAdapterEndpoint = false }
        try await fleet.register("sql", rank: 16)
        try await fleet.place("sql", on: "http://w1")
        await fleet.controller.scrapeAll()
        let done = await fleet.controller.execute([
            ControlAction(.replicate(from: WorkerID("http://w1")), adapter: AdapterID("sql"), worker: WorkerID("http://w2"), reason: "hot"),
        ])
        #expect(done.map(\.outcome) == ["ok"])
        #expect(!fleet.transport.events.contains { $0.kind == "fetch" })
        #expect(fleet.transport.worker("http://w2")?.adapters["sql"]?.path == "/adapters/sql")
    }

    /// All replicas overloaded: the router sends the request to another worker, which copies the
    /// adapter from the saturated replica's memory before serving it.
    @Test func saturatedReplicaIsServedElsewhereViaPeerFetch() async throws {
        let fleet = await Fleet(workers: ["http://w1", "http://w2"])
        try await fleet.register("sql", rank: 16)
        try await fleet.place("sql", on: "http://w1")
        await fleet.controller.scrapeAll()
        await fleet.controller.state.begin(worker: "http://w1", adapter: "sql", work: 1e7)
        let result = await fleet.controller.proxy(path: "/v1/completions", body: Array(#"{"model":"sql","prompt":"hi","max_tokens":4}"#.utf8))
        guard case let .complete(status, _, _, worker) = result else { Issue.record("\(result)"); return }
        #expect(status == 200)
        #expect(worker == "http://w2")
        #expect(fleet.transport.worker("http://w2")?.adapters["sql"]?.path == "peer:http://w1")
        let action = try #require(await fleet.controller.state.actions.last)
        #expect(action.kind == "fetch_from_peer")
        #expect(action.peer == "http://w1")
        #expect(action.reason.contains("remote access"), "\(action.reason)")
        #expect(action.outcome == "ok")
    }

    @Test func transportsWithoutPeerTransferRefuseWith501() async throws {
        struct Bare: WorkerTransport {
            func health(_ worker: String, timeoutSeconds: Double) async -> HealthResult { .healthy }
            func scrape(_ worker: String) async throws(TransportError) -> WorkerScrape { WorkerScrape() }
            func loadAdapter(_ worker: String, name: String, path: String) async throws(TransportError) {}
            func unloadAdapter(_ worker: String, name: String) async throws(TransportError) {}
            func forward(_ worker: String, path: String, body: [UInt8], headers: [(String, String)]) async throws(TransportError) -> WorkerResponse {
                .complete(status: 200, [])
            }
        }
        await #expect(throws: TransportError.status(worker: "w", code: 501, body: "this transport has no peer adapter transfer")) {
            try await Bare().fetchAdapter("w", name: "a", fromPeer: "p")
        }
    }
}
