import Engine
import Foundation
import Hummingbird
import HummingbirdTesting
import LoRAAdapters
import Logging
import ModelStore
import ServeCore
import Testing
import TestSupport
import Worker

/// Two real engines on a tiny model: the source serves `/v1/adapters/{name}/weights` on a live
/// socket, the receiver pulls with `POST /v1/adapters/fetch`.
struct PeerPair {
    static let token = "admin-secret"
    let directory: String
    let model: LoadedLlama
    let source: BatchEngine
    let receiver: BatchEngine

    init() throws {
        directory = NSTemporaryDirectory() + "loraserve-peer-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory + "/adapters", withIntermediateDirectories: true)
        let path = directory + "/tiny.gguf"
        try Data(try TinyLlamaFile().serialized()).write(to: URL(fileURLWithPath: path))
        model = try LlamaLoader.load(path: path)
        let modules = PEFTAdapterWriter.randomModules(rank: 8, targets: LoRAModule.allCases, base: model.shape, seed: 5, bScale: 0.3)
        let files = try PEFTAdapterWriter.serialize(config: PEFTConfig(r: 8, lora_alpha: 8, target_modules: .names(LoRAModule.allCases.map(\.hfName))),
                                                    modules: modules, base: model.shape)
        try AdapterFiles.writePEFT(directory: directory + "/adapters/sql", config: files.config, weights: files.weights)
        source = try Self.engine(model, root: directory + "/adapters")
        receiver = try Self.engine(model, root: directory + "/adapters")
    }

    static func engine(_ model: LoadedLlama, root: String) throws -> BatchEngine {
        try BatchEngine(model: model, config: EngineConfig(threads: 1, maxActiveAdapters: 4, maxHostAdapters: 8,
                                                                 maxLoRARank: 16, baseModelName: "tiny"), adapterRoot: root)
    }

    func server(_ engine: BatchEngine, transport: any AdapterPeerTransport = HTTPAdapterPeerTransport(timeoutSeconds: 10),
                _ update: (inout WorkerConfig) -> Void = { _ in }) throws -> WorkerServer {
        var config = WorkerConfig(host: "127.0.0.1", port: 0, adminToken: Self.token, adapterRoot: directory + "/adapters")
        update(&config)
        var logger = Logger(label: "peer-test")
        logger.logLevel = .critical
        return try WorkerServer(config: config, service: engine, logger: logger, peerTransport: transport)
    }

    func shutdown() {
        source.shutdown()
        receiver.shutdown()
        try? FileManager.default.removeItem(atPath: directory)
    }

    static var admin: HTTPFields { [.authorization: "Bearer \(token)"] }

    static func fetchBody(_ name: String, _ peer: String) -> String { #"{"lora_name":"\#(name)","peer_url":"\#(peer)"}"# }
}

/// A transport that hands the receiver a scripted byte stream (corrupt, truncated...).
struct ScriptedPeerTransport: AdapterPeerTransport {
    let bytes: [UInt8]
    func fetch(name: String, from peer: String, adminToken: String?, into receiver: inout AdapterReceiver) async throws(PeerFetchError) {
        do { try receiver.feed(bytes) } catch { throw .stream(peer: peer, error) }
    }
}

@Suite("Peer adapter transfer endpoints") struct PeerRouteTests {
    @Test func fetchFromALivePeerRegistersTheSameWeights() async throws {
        let pair = try PeerPair()
        defer { pair.shutdown() }
        _ = try await pair.source.loadAdapter(name: "sql", path: "sql")
        let source = try pair.server(pair.source), receiver = try pair.server(pair.receiver)
        try await source.makeApplication().test(.live) { peer in
            let port = try #require(peer.port)
            let url = "http://127.0.0.1:\(port)"
            // Raw stream: the documented prefix and the declared size.
            let raw = try await peer.get("/v1/adapters/sql/weights", headers: PeerPair.admin)
            #expect(raw.status == .ok)
            #expect(Array(raw.body.readableBytesView.prefix(4)) == Array("LSAW".utf8))
            try await receiver.makeApplication().test(.router) { client in
                let response = try await client.post("/v1/adapters/fetch", json: PeerPair.fetchBody("sql", url), headers: PeerPair.admin)
                #expect(response.status == .ok, "\(response.text)")
                let object = try response.object()
                #expect(object["path"] as? String == "peer:" + url)
                #expect(object["rank"] as? Int == 8)
                let list = try await client.get("/v1/adapters")
                #expect(list.text.contains(#""path":"peer:\#(url)""#))
            }
        }
        // Same logits on both workers for the same prompt.
        let prompt: [TokenID] = [1, 4, 7, 10]
        let a = try await Self.generate(pair.source, prompt, adapter: "sql", id: 1)
        let b = try await Self.generate(pair.receiver, prompt, adapter: "sql", id: 2)
        let base = try await Self.generate(pair.receiver, prompt, adapter: nil, id: 3)
        #expect(a == b)
        #expect(a != base)
    }

    @Test func endpointsNeedTheAdminToken() async throws {
        let pair = try PeerPair()
        defer { pair.shutdown() }
        _ = try await pair.source.loadAdapter(name: "sql", path: "sql")
        try await pair.server(pair.source).makeApplication().test(.router) { client in
            let get = try await client.get("/v1/adapters/sql/weights")
            #expect(get.status == .unauthorized)
            let wrong = try await client.get("/v1/adapters/sql/weights", headers: [.authorization: "Bearer nope"])
            #expect(wrong.status == .unauthorized)
            let post = try await client.post("/v1/adapters/fetch", json: PeerPair.fetchBody("x", "http://127.0.0.1:1"))
            #expect(post.status == .unauthorized)
            #expect(try post.object()["error"] != nil)
        }
    }

    @Test func unknownAdapterIs404() async throws {
        let pair = try PeerPair()
        defer { pair.shutdown() }
        try await pair.server(pair.source).makeApplication().test(.router) { client in
            let r = try await client.get("/v1/adapters/nope/weights", headers: PeerPair.admin)
            #expect(r.status == .notFound)
            #expect(r.text.contains("nope"))
        }
    }

    @Test func deadPeerIsABadGatewayAndRegistersNothing() async throws {
        let pair = try PeerPair()
        defer { pair.shutdown() }
        try await pair.server(pair.receiver).makeApplication().test(.router) { client in
            // Port 1 on loopback: nothing listens there.
            let r = try await client.post("/v1/adapters/fetch", json: PeerPair.fetchBody("sql", "http://127.0.0.1:1"), headers: PeerPair.admin)
            #expect(r.status == .badGateway, "\(r.text)")
            let error = try #require(try r.object()["error"] as? [String: Any])
            #expect((error["message"] as? String)?.contains("127.0.0.1:1") == true)
            #expect(error["code"] as? String == "peer_fetch_failed")
        }
        #expect(await pair.receiver.adapters().isEmpty)
    }

    @Test(arguments: ["ftp://host:1", "127.0.0.1:8000", "http://u:p@host:1", "http://host:1/v1?x=1", ""])
    func invalidPeerURLsAre400(url: String) async throws {
        let pair = try PeerPair()
        defer { pair.shutdown() }
        try await pair.server(pair.receiver).makeApplication().test(.router) { client in
            let r = try await client.post("/v1/adapters/fetch", json: PeerPair.fetchBody("sql", url), headers: PeerPair.admin)
            #expect(r.status == .badRequest)
            #expect((try r.object()["error"] as? [String: Any])?["param"] as? String == "peer_url")
        }
    }

    @Test func oversizeAdapterIsRejectedAndNothingRegistered() async throws {
        let pair = try PeerPair()
        defer { pair.shutdown() }
        _ = try await pair.source.loadAdapter(name: "sql", path: "sql")
        let source = try pair.server(pair.source), receiver = try pair.server(pair.receiver) { $0.peerMaxAdapterBytes = 4096 }
        try await source.makeApplication().test(.live) { peer in
            let url = "http://127.0.0.1:\(try #require(peer.port))"
            try await receiver.makeApplication().test(.router) { client in
                let r = try await client.post("/v1/adapters/fetch", json: PeerPair.fetchBody("sql", url), headers: PeerPair.admin)
                #expect(r.status == .contentTooLarge, "\(r.text)")
                #expect(r.text.contains("4096"))
            }
        }
        #expect(await pair.receiver.adapters().isEmpty)
    }

    @Test func corruptedAndTruncatedStreamsAreRejected() async throws {
        let pair = try PeerPair()
        defer { pair.shutdown() }
        _ = try await pair.source.loadAdapter(name: "sql", path: "sql")
        let export = try await pair.source.exportAdapter(name: "sql")
        let sink = BytesBox()
        try await export.write { sink.bytes += $0 }
        var corrupt = sink.bytes
        corrupt[corrupt.count - 5] ^= 0x01
        let cases: [([UInt8], String)] = [(corrupt, "SHA-256"), (Array(sink.bytes.dropLast(100)), "truncated")]
        for (bytes, expected) in cases {
            let receiver = try pair.server(pair.receiver, transport: ScriptedPeerTransport(bytes: bytes))
            try await receiver.makeApplication().test(.router) { client in
                let r = try await client.post("/v1/adapters/fetch", json: PeerPair.fetchBody("sql", "http://127.0.0.1:9"), headers: PeerPair.admin)
                #expect(r.status == .badGateway)
                #expect(r.text.contains(expected), "\(r.text)")
            }
        }
        #expect(await pair.receiver.adapters().isEmpty)
    }

    /// Rate limiting paces, it does not change what arrives.
    @Test func rateLimitedTransferStillDeliversTheAdapter() async throws {
        let pair = try PeerPair()
        defer { pair.shutdown() }
        _ = try await pair.source.loadAdapter(name: "sql", path: "sql")
        let bytes = try #require(await pair.source.adapters().first?.bytes)
        let source = try pair.server(pair.source) { $0.peerRateLimitBytesPerSecond = bytes * 8 }
        let receiver = try pair.server(pair.receiver)
        try await source.makeApplication().test(.live) { peer in
            let url = "http://127.0.0.1:\(try #require(peer.port))"
            try await receiver.makeApplication().test(.router) { client in
                let r = try await client.post("/v1/adapters/fetch", json: PeerPair.fetchBody("sql", url), headers: PeerPair.admin)
                #expect(r.status == .ok, "\(r.text)")
            }
        }
        #expect(await pair.receiver.adapters().first?.bytes == bytes)
    }

    static func generate(_ engine: BatchEngine, _ prompt: [TokenID], adapter: String?, id: UInt64) async throws -> [TokenLogprob] {
        let stream = try await engine.submit(GenerationRequest(id: RequestID(id), adapter: adapter.map(AdapterID.init), promptTokens: prompt,
                                                               sampling: SamplingParameters(maxTokens: 4, ignoreEOS: true), logprobs: 5))
        var out: [TokenLogprob] = []
        for try await event in stream { if case let .token(_, _, _, top) = event { out += top } }
        return out
    }
}

final class BytesBox: @unchecked Sendable {
    // Written by one task (the test's own).
    var bytes: [UInt8] = []
}
