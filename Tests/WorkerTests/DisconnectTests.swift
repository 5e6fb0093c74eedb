import Engine
import Foundation
import Hummingbird
import HummingbirdTesting
import ServeCore
import Testing
import Synchronization
import Worker

/// Live-socket tests: a client that goes away must cancel its engine request and leave nothing
/// admitted, in flight, or holding KV.
@Suite("Client disconnects (live server)")
struct DisconnectTests {
    static let streamJSON = #"{"model":"alpha","prompt":"a","max_tokens":40,"stream":true}"#

    @Test("a live stream reaches [DONE]; the connection stays usable (keep-alive)")
    func liveStream() async throws {
        let harness = try WorkerHarness()
        try await harness.run(.live) { client in
            let raw = RawHTTPClient(port: try #require(client.port))
            let result = try await raw.post("/v1/completions", json: Self.streamJSON)
            #expect(result.status == 200)
            #expect(result.complete)
            #expect(result.events.last == "[DONE]")
            #expect(result.headers["content-type"] == "text/event-stream")
            // Keep-alive still works for the test client's own connection afterwards.
            #expect(try await client.get("/health").head.status == .ok)
            #expect(try await client.get("/v1/models").head.status == .ok)
        }
    }

    @Test("hanging up on a stalled stream cancels it (inbound close is watched)")
    func stalledStream() async throws {
        let harness = try WorkerHarness(fake: FakeInferenceService(behavior: .stallAfter(3)))
        try await harness.run(.live) { client in
            let raw = RawHTTPClient(port: try #require(client.port))
            let seen = Counter()
            let result = try await raw.post("/v1/completions", json: Self.streamJSON) { _ in seen.increment() < 3 }
            #expect(!result.complete)
            #expect(result.events.count == 3)
            #expect(await eventually { harness.fake.snapshot.cancelled.count == 1 })
        }
        let state = harness.fake.snapshot
        #expect(state.inFlight == 0)
        #expect(state.completed.isEmpty)
        #expect(harness.server.admittedRequests == 0)
    }

    @Test("hanging up mid-stream cancels it through the failed write")
    func writeFailure() async throws {
        let fake = FakeInferenceService(behavior: .slow(.milliseconds(2)))
        let harness = try WorkerHarness(fake: fake, config: WorkerHarness.config { $0.cancelOnClientDisconnect = false })
        try await harness.run(.live) { client in
            let raw = RawHTTPClient(port: try #require(client.port))
            let seen = Counter()
            let json = #"{"model":"alpha","prompt":"a","max_tokens":100,"stream":true}"#
            _ = try await raw.post("/v1/completions", json: json) { _ in seen.increment() < 2 }
            #expect(await eventually { fake.snapshot.cancelled.count == 1 })
        }
        #expect(fake.snapshot.inFlight == 0)
        #expect(harness.server.admittedRequests == 0)
    }

    @Test("hanging up on a non-streaming request cancels every choice")
    func nonStreaming() async throws {
        let fake = FakeInferenceService(behavior: .stallAfter(1))
        let harness = try WorkerHarness(fake: fake)
        try await harness.run(.live) { client in
            let raw = RawHTTPClient(port: try #require(client.port))
            try await raw.postThenHangUp("/v1/completions", json: #"{"model":"beta","prompt":"a","n":2}"#) { fake.snapshot.submitted.count == 2 }
            #expect(await eventually { fake.snapshot.cancelled.count == 2 })
        }
        #expect(fake.snapshot.inFlight == 0)
        #expect(harness.server.admittedRequests == 0)
    }

    @Test("200 concurrent streams with random hang-ups leave nothing in flight")
    func concurrentStreams() async throws {
        let fake = FakeInferenceService(behavior: .slow(.milliseconds(1)))
        let harness = try WorkerHarness(fake: fake)
        let metrics = try await harness.run(.live) { client in
            let raw = RawHTTPClient(port: try #require(client.port))
            var rng = SplitMix64(seed: 2026)
            let plans: [Int?] = (0..<200).map { _ in rng.next() % 2 == 0 ? Int(rng.next() % 12) + 1 : nil }
            let finished = try await withThrowingTaskGroup(of: Bool.self) { group in
                for (index, hangUpAfter) in plans.enumerated() {
                    group.addTask {
                        let seen = Counter()
                        let model = ["alpha", "beta", "fake-base"][index % 3]
                        let json = #"{"model":"\#(model)","prompt":"p\#(index)","max_tokens":20,"stream":true,"stream_options":{"include_usage":true}}"#
                        let result = try await raw.post("/v1/completions", json: json) { _ in
                            guard let limit = hangUpAfter else { return true }
                            return seen.increment() < limit
                        }
                        if hangUpAfter == nil { #expect(result.events.last == "[DONE]") }
                        return result.complete
                    }
                }
                var complete = 0
                for try await done in group where done { complete += 1 }
                return complete
            }
            #expect(finished == plans.filter { $0 == nil }.count)
            #expect(await eventually { fake.snapshot.inFlight == 0 && harness.server.admittedRequests == 0 })
            return try await client.get("/metrics").text
        }
        let state = fake.snapshot
        #expect(state.submitted.count == 200)
        #expect(state.cancelled.count + state.completed.count == 200)
        #expect(state.cancelled.count <= plans(seed: 2026).filter { $0 != nil }.count)
        let parsed = try ExpositionParser(metrics)
        #expect(parsed.values("loraserve:server_admitted_requests").first?.value == 0)
        #expect(parsed.values("vllm:num_requests_running").first?.value == 0)
        #expect(parsed.values("loraserve:kv_blocks_used").first?.value == 0)
    }

    private func plans(seed: UInt64) -> [Int?] {
        var rng = SplitMix64(seed: seed)
        return (0..<200).map { _ in rng.next() % 2 == 0 ? Int(rng.next() % 12) + 1 : nil }
    }
}

/// A thread-safe counter for event callbacks; `increment()` returns the new value.
final class Counter: Sendable {
    private let value = Mutex(0)
    func increment() -> Int { value.withLock { $0 += 1; return $0 } }
}
