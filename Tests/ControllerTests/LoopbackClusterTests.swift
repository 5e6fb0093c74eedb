import AsyncHTTPClient
import Controller
import Foundation
import NIOCore
import Testing
import TestSupport

/// End to end on loopback: three real `loraserve worker` processes serving a tiny model, this
/// process's controller in front. Skipped (with a message) when the built binary has no `worker`
/// subcommand yet. Set LORASERVE_BIN to use a specific binary.
@Suite(.serialized) struct LoopbackClusterTests {
    static var binary: String? {
        if let env = ProcessInfo.processInfo.environment["LORASERVE_BIN"] { return env }
        var directory = URL(fileURLWithPath: ProcessInfo.processInfo.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = directory.appendingPathComponent("loraserve").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        return nil
    }

    static func hasWorkerCommand(_ binary: String) -> Bool {
        guard let out = try? run(binary, ["--help"]) else { return false }
        return out.contains("worker")
    }

    @discardableResult
    static func run(_ binary: String, _ args: [String]) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary)
        p.arguments = args
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        try p.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    @Test func routesThroughRealWorkersAndSurvivesAKill() async throws {
        guard let binary = Self.binary, Self.hasWorkerCommand(binary) else {
            print("SKIPPED LoopbackClusterTests: no built `loraserve` with a `worker` subcommand (set LORASERVE_BIN)")
            return
        }
        let dir = NSTemporaryDirectory() + "loraserve-ctl-e2e-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir + "/adapters", withIntermediateDirectories: true)
        let model = dir + "/tiny.gguf"
        try Data(try TinyLlamaFile().serialized()).write(to: URL(fileURLWithPath: model))
        let adapters = [("e2e-r8", 8), ("e2e-r16", 16), ("e2e-r32", 32)]
        for (name, rank) in adapters {
            let out = try Self.run(binary, ["adapters", "make", "--rank", String(rank), "--targets", "q,v", "--out", dir + "/adapters/" + name, "--model", model])
            #expect(FileManager.default.fileExists(atPath: dir + "/adapters/\(name)/adapter_config.json"), "\(out)")
        }
        let basePort = Int.random(in: 20_000..<40_000)
        var workers: [Process] = []
        var urls: [String] = []
        for i in 0..<3 {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: binary)
            p.arguments = ["worker", "--port", String(basePort + i), "--threads", "1", "--adapter-root", dir + "/adapters",
                           "--model", model, "--max-lora-rank", "128", "--served-model-name", "tiny"]
            p.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
            p.standardError = FileHandle(forWritingAtPath: "/dev/null")
            try p.run()
            workers.append(p)
            urls.append("http://127.0.0.1:\(basePort + i)")
        }
        defer { for p in workers where p.isRunning { kill(p.processIdentifier, SIGKILL) } }

        var config = ControllerConfig()
        config.workers = urls
        let transport = HTTPWorkerTransport()
        let controller = Controller(config: config, transport: transport)
        // Wait (≤ 60 s) for every worker's /health.
        for _ in 0..<120 {
            await controller.checkHealth()
            if await controller.state.upWorkerURLs.count == 3 { break }
            try await Task.sleep(for: .milliseconds(500))
        }
        #expect(await controller.state.upWorkerURLs.count == 3)
        await controller.scrapeAll()
        #expect(await controller.state.baseModel == "tiny")
        for (name, rank) in adapters {
            try await controller.register(RegisterLoRARequest(name: name, path: dir + "/adapters/" + name, rank: rank))
        }
        let actions = await controller.placementStep(force: true)
        #expect(actions.count == 3 && actions.allSatisfy { $0.outcome == "ok" }, "\(actions)")

        // Requests land where placement says, and workers really hold the adapters.
        await controller.scrapeAll()
        for (name, _) in adapters {
            let replicas = await controller.state.liveReplicas(of: name)
            let body = Array(#"{"model":"\#(name)","prompt":"hi","max_tokens":4}"#.utf8)
            guard case let .complete(status, _, _, worker) = await controller.proxy(path: "/v1/completions", body: body) else {
                Issue.record("no response for \(name)")
                continue
            }
            #expect(status == 200)
            #expect(replicas.contains(worker))
        }

        // Kill a worker in the middle of 60 streaming requests: each one completes or ends with an explicit error.
        let victim = workers[1]
        let results = try await withThrowingTaskGroup(of: String.self) { group in
            for i in 0..<60 {
                group.addTask {
                    let (name, _) = adapters[i % adapters.count]
                    let body = Array(#"{"model":"\#(name)","prompt":"hello","max_tokens":8,"stream":true}"#.utf8)
                    switch await controller.proxy(path: "/v1/completions", body: body) {
                    case let .error(e): return "error \(e.httpStatus)"
                    case let .complete(status, _, _, _): return "complete \(status)"
                    case let .stream(_, _, stream):
                        let box = TextBox()
                        try await stream.pump { box.append($0) }
                        let text = box.text
                        guard text.hasSuffix("data: [DONE]\n\n") else { return "TRUNCATED" }
                        return text.contains("\"error\"") ? "stream-error" : "done"
                    }
                }
                if i == 20 { kill(victim.processIdentifier, SIGKILL) }
            }
            var all: [String] = []
            for try await r in group { all.append(r) }
            return all
        }
        #expect(results.count == 60)
        #expect(!results.contains("TRUNCATED"))
        #expect(results.filter { $0 == "done" }.count >= 30, "\(results)")
        await controller.checkHealth()
        await controller.checkHealth()
        #expect(!(await controller.state.upWorkerURLs.contains(urls[1])))
        let m = await controller.state.metrics
        print("e2e: \(results.filter { $0 == "done" }.count) done, retries \(m.retries), retried+completed \(m.retriedAndCompleted), stream errors \(m.streamErrors)")
        await transport.shutdown()
    }
}

final class TextBox: @unchecked Sendable {
    private var bytes: [UInt8] = []
    private let lock = NSLock()
    func append(_ b: [UInt8]) { lock.withLock { bytes += b } }
    var text: String { lock.withLock { String(decoding: bytes, as: UTF8.self) } }
}
