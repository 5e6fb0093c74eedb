import Controller
import Foundation
import OpenAIWire
import Placement
import ServeCore
import Testing

@Suite struct FaultTests {
    @Test func retriesOnAnotherReplicaBeforeTheFirstByte() async throws {
        let fleet = await Fleet()
        try await fleet.register("r", rank: 8)
        try await fleet.place("r", on: "http://w1")
        try await fleet.place("r", on: "http://w2")
        fleet.transport.update("http://w1") { $0.failBeforeResponse = 1 }
        let result = await fleet.controller.proxy(path: "/v1/completions", body: Array(Fleet.completion("r").text.utf8))
        guard case let .complete(status, _, body, worker) = result else { Issue.record("expected success"); return }
        #expect(status == 200)
        #expect(worker == "http://w2")
        #expect(String(decoding: body, as: UTF8.self).contains("from http://w2"))
        let m = await fleet.controller.state.metrics
        #expect(m.retries == 1)
        #expect(m.retriedAndCompleted == 1)
    }

    @Test func streamingRetryBeforeFirstChunk() async throws {
        let fleet = await Fleet()
        try await fleet.register("s", rank: 8)
        try await fleet.place("s", on: "http://w1")
        try await fleet.place("s", on: "http://w2")
        fleet.transport.update("http://w1") { $0.failStreamAfterChunks = 0 }
        let result = await fleet.controller.proxy(path: "/v1/completions", body: Array(Fleet.completion("s", stream: true).text.utf8))
        guard case let .stream(_, _, stream) = result else { Issue.record("expected a stream"); return }
        let text = try await collect(stream)
        #expect(text.hasSuffix("data: [DONE]\n\n"))
        #expect(!text.contains("error"))
        #expect(await fleet.controller.state.metrics.retries == 1)
    }

    @Test func midStreamFailureEndsWithAnErrorEventThenDone() async throws {
        let fleet = await Fleet()
        try await fleet.register("m", rank: 8)
        try await fleet.place("m", on: "http://w1")
        fleet.transport.update("http://w1") { $0.failStreamAfterChunks = 2 }
        let result = await fleet.controller.proxy(path: "/v1/completions", body: Array(Fleet.completion("m", stream: true).text.utf8))
        guard case let .stream(status, _, stream) = result else { Issue.record("expected a stream"); return }
        #expect(status == 200)
        let text = try await collect(stream)
        var parser = ServerSentEvents.Parser()
        let events = parser.feed(Array(text.utf8))
        #expect(events.count == 4)
        #expect(events[0].contains("t0") && events[1].contains("t1"))
        let error = try JSONDecoder().decode(APIError.self, from: Data(events[2].utf8))
        #expect(error.error.code == "worker_failed")
        #expect(events[3] == "[DONE]")
        #expect(await fleet.controller.state.metrics.streamErrors == 1)
    }

    @Test func deadWorkerIsMarkedDownAndItsAdaptersReplaced() async throws {
        let fleet = await Fleet()
        for (n, r) in [("a", 8), ("b", 16), ("c", 64), ("d", 128), ("e", 32), ("f", 8)] { try await fleet.register(n, rank: r) }
        await fleet.controller.placementStep(force: true)
        let infos = await fleet.controller.state.loraInfos()
        let victim = try #require(infos.compactMap { $0.placement.count == 1 ? $0.placement[0] : nil }.first)
        let orphans = infos.filter { $0.placement == [victim] }.map(\.name)
        fleet.transport.update(victim) { $0.up = false }
        await fleet.controller.checkHealth()  // refused: down at once
        #expect(await fleet.controller.state.upWorkerURLs == Fleet.urls.filter { $0 != victim })
        await fleet.controller.placementStep()
        for name in orphans {
            let replicas = await fleet.controller.state.liveReplicas(of: name)
            #expect(!replicas.isEmpty && !replicas.contains(victim), "\(name) -> \(replicas)")
        }
        // It comes back (restarted, empty) and rejoins.
        fleet.transport.update(victim) { $0.up = true; $0.adapters = [:] }
        await fleet.controller.checkHealth()
        #expect(await fleet.controller.state.upWorkerURLs.contains(victim))
    }

    @Test func timeoutsNeedTwoFailuresToMarkDown() async throws {
        let fleet = await Fleet()
        #expect(await fleet.controller.state.recordHealth("http://w1", .timedOut, now: 1) == nil)
        #expect(await fleet.controller.state.recordHealth("http://w1", .timedOut, now: 2) == false)
        #expect(await fleet.controller.state.recordHealth("http://w1", .healthy, now: 3) == true)
    }

    @Test func allWorkersDownIs503WithRetryAfter() async throws {
        let fleet = await Fleet()
        try await fleet.register("z", rank: 8)
        for url in Fleet.urls { fleet.transport.update(url) { $0.up = false } }
        await fleet.controller.checkHealth()
        let result = await fleet.controller.proxy(path: "/v1/completions", body: Array(Fleet.completion("z").text.utf8))
        guard case let .error(e) = result else { Issue.record("expected an error"); return }
        #expect(e.httpStatus == 503)
        #expect(e.retryAfterSeconds == 1)
    }

    func collect(_ stream: ProxyStream) async throws -> String {
        let box = Box()
        try await stream.pump { bytes in box.append(bytes) }
        return box.text
    }
}

final class Box: @unchecked Sendable {
    private var bytes: [UInt8] = []
    private let lock = NSLock()
    func append(_ b: [UInt8]) { lock.withLock { bytes += b } }
    var text: String { lock.withLock { String(decoding: bytes, as: UTF8.self) } }
}

@Suite struct RecoveryTests {
    @Test func workerThatLostTheAdapterIsRetriedElsewhere() async throws {
        let fleet = await Fleet()
        try await fleet.register("lost", rank: 8)
        try await fleet.place("lost", on: "http://w1")
        try await fleet.place("lost", on: "http://w2")
        // w1 restarted behind our back: it answers 404 for the adapter.
        fleet.transport.update("http://w1") { $0.adapters = [:] }
        let result = await fleet.controller.proxy(path: "/v1/completions", body: Array(Fleet.completion("lost").text.utf8))
        guard case let .complete(status, _, _, worker) = result else { Issue.record("expected success"); return }
        #expect(status == 200 && worker == "http://w2")
        #expect(await fleet.controller.state.liveReplicas(of: "lost") == ["http://w2"])
    }

    @Test func configFileOverridesDefaults() throws {
        let path = NSTemporaryDirectory() + "ctl-config-\(UUID().uuidString).json"
        try Data(#"{"workers":["http://a:1"],"admin_token":"t","max_retries":5,"adapters":[{"name":"x","path":"/x","rank":8}]}"#.utf8)
            .write(to: URL(fileURLWithPath: path))
        let file = try ControllerFileConfig.load(path: path)
        var config = ControllerConfig()
        file.apply(to: &config)
        #expect(config.workers == ["http://a:1"] && config.adminToken == "t" && config.maxRetries == 5)
        #expect(file.adapters?.first?.rank == 8)
        #expect(throws: ControllerFileConfig.LoadError.self) { try ControllerFileConfig.load(path: path + ".missing") }
    }
}
