import AsyncHTTPClient
import Controller
import Foundation
import NIOCore
import Testing
import TestSupport

/// Remote adapter access end to end: two real `loraserve worker` processes; the adapter lives only
/// on a saturated worker, so the controller routes to the other, which pulls the weights from the
/// first worker's memory (`POST /v1/adapters/fetch` → `GET /v1/adapters/hot/weights`) and serves.
@Suite(.serialized) struct PeerLoopbackTests {
    @Test func saturatedAdapterIsServedOnAnotherWorkerViaPeerFetch() async throws {
        guard let binary = LoopbackClusterTests.binary, LoopbackClusterTests.hasWorkerCommand(binary) else {
            print("SKIPPED PeerLoopbackTests: no built `loraserve` with a `worker` subcommand (set LORASERVE_BIN)")
            return
        }
        let dir = NSTemporaryDirectory() + "loraserve-peer-e2e-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir + "/adapters", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let model = dir + "/tiny.gguf"
        try Data(try TinyLlamaFile().serialized()).write(to: URL(fileURLWithPath: model))
        let out = try LoopbackClusterTests.run(binary, ["adapters", "make", "--rank", "8", "--targets", "q,v", "--out", dir + "/adapters/hot", "--model", model])
        try #require(FileManager.default.fileExists(atPath: dir + "/adapters/hot/adapter_config.json"), "\(out)")
        let basePort = Int.random(in: 40_000..<50_000)
        var workers: [Process] = []
        var urls: [String] = []
        for i in 0..<2 {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: binary)
            p.arguments = ["worker", "--port", String(basePort + i), "--threads", "1", "--adapter-root", dir + "/adapters", "--model", model,
                           "--max-lora-rank", "64", "--served-model-name", "tiny", "--admin-token", "peer-token"]
            p.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
            p.standardError = FileHandle(forWritingAtPath: "/dev/null")
            try p.run()
            workers.append(p)
            urls.append("http://127.0.0.1:\(basePort + i)")
        }
        defer { for p in workers where p.isRunning { kill(p.processIdentifier, SIGKILL) } }

        var config = ControllerConfig()
        config.workers = urls
        let transport = HTTPWorkerTransport(adminToken: "peer-token")
        let controller = Controller(config: config, transport: transport)
        for _ in 0..<60 {
            await controller.checkHealth()
            if await controller.state.upWorkerURLs.count == 2 { break }
            try await Task.sleep(for: .milliseconds(250))
        }
        try #require(await controller.state.upWorkerURLs.count == 2)
        let (hotWorker, idleWorker) = (urls[0], urls[1])
        try await controller.state.register(adapter: AdapterRecord(name: "hot", path: dir + "/adapters/hot", rank: 8,
                                                                   bytes: AdapterRecord.estimatedBytes(rank: 8)))
        try await transport.loadAdapter(hotWorker, name: "hot", path: dir + "/adapters/hot")
        await controller.state.addReplica("hot", on: hotWorker)
        await controller.scrapeAll()
        // Saturate the only replica (as if this controller had a deep queue there).
        await controller.state.begin(worker: hotWorker, adapter: "hot", work: 1e9)

        let body = Array(#"{"model":"hot","prompt":"hello","max_tokens":4}"#.utf8)
        guard case let .complete(status, _, bytes, worker) = await controller.proxy(path: "/v1/completions", body: body) else {
            Issue.record("no complete response")
            return
        }
        #expect(status == 200, "\(String(decoding: bytes, as: UTF8.self))")
        #expect(worker == idleWorker)
        let action = try #require(await controller.state.actions.last)
        #expect(action.kind == "fetch_from_peer")
        #expect(action.peer == hotWorker)
        #expect(action.worker == idleWorker)
        #expect(action.reason.contains("remote access"), "\(action.reason)")
        #expect(action.outcome == "ok", "\(action.outcome)")

        var request = HTTPClientRequest(url: idleWorker + "/v1/adapters")
        request.method = .GET
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        let list = String(buffer: try await response.body.collect(upTo: 1 << 20))
        #expect(list.contains(#""path":"peer:\#(hotWorker)""#), "\(list)")
        await transport.shutdown()
    }
}
