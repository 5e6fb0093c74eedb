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
