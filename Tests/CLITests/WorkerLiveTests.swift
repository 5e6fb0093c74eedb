import Foundation
import LoRAAdapters
import ModelStore
import Testing
import TestSupport

/// A live worker (tiny model) driven over HTTP: by the official `openai` Python client, and by
/// raw requests for the admin and error paths.
@Suite(.serialized) struct WorkerLiveTests {
    static let openAIAvailable: Bool = {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", "import openai"]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        guard (try? p.run()) != nil else { return false }
        p.waitUntilExit()
        return p.terminationStatus == 0
    }()

    /// Repo root, for Scripts/ (this file is Tests/CLITests/WorkerLiveTests.swift).
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    private func startWorker() async throws -> (LiveWorker, String) {
        var tiny = TinyLlamaFile()
        tiny.contextLength = 256
        let model = try CLIRunner.temporaryFile(try tiny.serialized())
        let root = (model as NSString).deletingLastPathComponent + "/adapters"
        let shape = BaseModelShape(layers: tiny.layers, width: tiny.width, feedForwardWidth: tiny.ffn, heads: tiny.heads, kvHeads: tiny.kvHeads)
        let files = try PEFTAdapterWriter.serialize(config: PEFTConfig(r: 4, lora_alpha: 8, target_modules: .names(["q_proj", "v_proj"])),
                                                    modules: PEFTAdapterWriter.randomModules(rank: 4, targets: [.q, .v], base: shape, seed: 3, bScale: 0.2),
                                                    base: shape)
        try AdapterFiles.writePEFT(directory: root + "/r4", config: files.config, weights: files.weights)
        let worker = try LiveWorker(arguments: ["--model", model, "--adapter-root", root, "--admin-token", "secret", "--threads", "1",
                                                "--served-model-name", "tiny", "--max-model-len", "256"])
        let healthy = try await worker.waitUntilHealthy()
        try #require(healthy, "worker did not become healthy")
        return (worker, root)
    }

    @Test(.enabled(if: WorkerLiveTests.openAIAvailable, "needs `pip install openai`"))
    func officialOpenAIClientWorksAgainstALiveWorker() async throws {
        let (worker, _) = try await startWorker()
        let (body, status) = try await worker.request("POST", "/v1/load_lora_adapter", body: #"{"lora_name":"r4","lora_path":"r4"}"#,
                                                      headers: ["Authorization": "Bearer secret"])
        #expect(status == 200, "\(body)")
        let check = Process()
        check.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        check.arguments = ["python3", Self.repository.appendingPathComponent("Scripts/openai_client_check.py").path, worker.baseURL]
        let pipe = Pipe()
        check.standardOutput = pipe
        check.standardError = pipe
        try check.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        check.waitUntilExit()
        #expect(check.terminationStatus == 0, "\(output)")
        #expect(output.contains(" 0 failed"), "\(output)")
        #expect(output.contains("ok   adapter as model"), "\(output)")
    }

    @Test func adminAuthRootConfinementAndErrors() async throws {
        let (worker, _) = try await startWorker()
        var (_, status) = try await worker.request("POST", "/v1/load_lora_adapter", body: #"{"lora_name":"r4","lora_path":"r4"}"#)
        #expect(status == 401)
        (_, status) = try await worker.request("POST", "/v1/load_lora_adapter", body: #"{"lora_name":"x","lora_path":"/etc"}"#,
                                               headers: ["Authorization": "Bearer secret"])
        #expect(status == 403)
        let (body, badJSON) = try await worker.request("POST", "/v1/completions", body: #"{"model": "tiny", "prompt": "#)
        #expect(badJSON == 400)
        #expect(body.contains(#""error""#) && body.contains("invalid_request_error"))
        (_, status) = try await worker.request("POST", "/v1/completions", body: #"{"model":"nope","prompt":"hi"}"#)
        #expect(status == 404)
        (_, status) = try await worker.request("POST", "/v1/completions", body: #"{"model":"tiny","prompt":"hi","max_tokens":1000}"#)
        #expect(status == 400)
        let (metrics, ok) = try await worker.request("GET", "/metrics")
        #expect(ok == 200 && metrics.contains("vllm:num_requests_running"))
    }
}

/// The real engine behind a live worker: 200 concurrent streams, a random half of the clients hang
/// up mid-stream; afterwards /metrics must show no running request and no KV block in use.
@Suite(.serialized) struct WorkerDisconnectTests {
    @Test func twoHundredStreamsWithRandomDisconnectsLeakNothing() async throws {
        var tiny = TinyLlamaFile()
        tiny.contextLength = 512
        let model = try CLIRunner.temporaryFile(try tiny.serialized())
        let worker = try LiveWorker(arguments: ["--model", model, "--threads", "1", "--served-model-name", "tiny", "--max-model-len", "512",
                                                "--max-running", "32", "--max-waiting", "512"])
        let healthy = try await worker.waitUntilHealthy()
        try #require(healthy)
        let body = #"{"model":"tiny","prompt":"hello world","max_tokens":300,"ignore_eos":true,"stream":true}"#
        var rng = SystemRandomNumberGenerator()
        // Every client reads its first bytes (so the request is in flight), then a random half hang up.
        let port = worker.port
        let plan = (0..<200).map { _ in Bool.random(using: &rng) }
        // One OS thread per client: 200 truly concurrent connections (blocking sockets).
        let group = DispatchGroup()
        let answered = Counter()
        for hangUp in plan {
            group.enter()
            Thread {
                if LiveWorker.rawPost(port: port, path: "/v1/completions", body: body, hangUpAfterBytes: hangUp ? 200 : nil) > 0 { answered.increment() }
                group.leave()
            }.start()
        }
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in group.notify(queue: .global()) { done.resume() } }
        let full = answered.value
        #expect(full == 200, "every client got a response")
        var running = -1.0, kv = -1.0
        for _ in 0..<300 {
            let (metrics, _) = try await worker.request("GET", "/metrics")
            running = Self.value(metrics, "vllm:num_requests_running")
            kv = Self.value(metrics, "vllm:kv_cache_usage_perc")
            let waiting = Self.value(metrics, "vllm:num_requests_waiting")
            if running == 0 && kv == 0 && waiting == 0 { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        let (metrics, _) = try await worker.request("GET", "/metrics")
        let aborted = metrics.split(separator: "\n").first { $0.hasPrefix("vllm:request_success_total") && $0.contains("abort") }
        #expect((aborted?.split(separator: " ").last).flatMap { Double($0) } ?? 0 > 0,
                "no request was cancelled by a disconnect: \(metrics.split(separator: "\n").filter { $0.contains("request_success") || $0.contains("requests_") })")
        #expect(running == 0, "requests still running after every client finished or left")
        #expect(kv == 0, "KV blocks leaked")
    }

    static func value(_ metrics: String, _ name: String) -> Double {
        for line in metrics.split(separator: "\n") where line.hasPrefix(name + "{") || line.hasPrefix(name + " ") {
            if let last = line.split(separator: " ").last, let v = Double(last) { return v }
        }
        return -1
    }
}

/// A thread-safe counter for the client threads.
final class Counter: @unchecked Sendable {
    // @unchecked Sendable: `count` is only touched under `lock`.
    private let lock = NSLock()
    private var count = 0
    func increment() { lock.lock(); count += 1; lock.unlock() }
    var value: Int { lock.lock(); defer { lock.unlock() }; return count }
}
