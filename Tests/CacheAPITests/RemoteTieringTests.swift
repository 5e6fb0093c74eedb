import CacheAPI
import Foundation
import Hummingbird
import LiveServerSupport
import NIOCore
import QAPipeline
import SummaryCache
import Testing

/// A live loopback pair: a "cloud" cache API on a real port, "edge" caches in front of it through
/// `HTTPRemoteSummaryCache`.
@Suite struct RemoteTieringTests {
    static let doc = QAPipeline.cacheKey(QADocument(id: DocumentID("normans"), text: Fx.normans))
    static let acme = TenantID("acme")

    static func edge(port: Int, key: String?) throws -> (TieredSummaryCache, HTTPRemoteSummaryCache) {
        var config = CacheConfig()
        config.similarityThreshold = 0.5
        let remote = HTTPRemoteSummaryCache(baseURL: "http://127.0.0.1:\(port)/", apiKey: key)
        return (TieredSummaryCache(local: try LocalSummaryCache(config: config), remote: remote), remote)
    }

    @Test func localMissRemoteHitThenLocalHit() async throws {
        let cloud = try Fx.service(llm: nil)
        try await Fx.withLiveServer(cloud) { port in
            let (writer, _) = try Self.edge(port: port, key: "sk-acme")
            let v = Fx.embedder.embedOne(Fx.question)
            try await writer.store(tenant: Self.acme, document: Self.doc, fingerprint: Fx.embedder.fingerprint, query: Fx.question,
                                   vector: v, summary: "Rollo led them.", summaryTokenCost: 140, now: 1)

            let (reader, client) = try Self.edge(port: port, key: "sk-acme")
            let p = Fx.embedder.embedOne(Fx.paraphrase)
            let first = try await reader.lookup(tenant: Self.acme, document: Self.doc, fingerprint: Fx.embedder.fingerprint,
                                                query: Fx.paraphrase, vector: p, now: 2)
            #expect(first.hit?.tier == .remote)
            #expect(first.hit?.cachedQuery == Fx.question)
            #expect(first.hit?.tokensSaved == 140)
            let second = try await reader.lookup(tenant: Self.acme, document: Self.doc, fingerprint: Fx.embedder.fingerprint,
                                                 query: Fx.paraphrase, vector: p, now: 3)
            #expect(second.hit?.tier == .local)
            let stats = await reader.stats
            #expect(stats.remoteHits == 1 && stats.localHits == 1)
            #expect(stats.bytesTransferred > 0 && stats.bytesNotTransferred > 0)
            #expect(await client.requests == 1)
            let sent = await client.bytesSent, received = await client.bytesReceived
            #expect(sent > 0 && received > 0)

            // The cloud counted one store and one remote lookup for acme.
            let cloudStats = try await cloud.stats(caller: .tenant(Self.acme), tenant: nil)
            #expect(cloudStats.tenants.first?.stores == 1 && cloudStats.tenants.first?.hits == 1)

            // Invalidation goes through to the cloud.
            try await reader.invalidate(tenant: Self.acme, documentID: DocumentID("normans"))
            let (third, _) = try Self.edge(port: port, key: "sk-acme")
            let after = try await third.lookup(tenant: Self.acme, document: Self.doc, fingerprint: Fx.embedder.fingerprint,
                                               query: Fx.paraphrase, vector: p, now: 4)
            #expect(after.hit == nil)
        }
    }

    @Test func wrongKeysAreRefusedByTheRemote() async throws {
        try await Fx.withLiveServer(try Fx.service(llm: nil)) { port in
            let v = Fx.embedder.embedOne(Fx.question)
            for (key, status) in [("sk-globex", 403), ("sk-unknown", 401)] {
                let (edge, _) = try Self.edge(port: port, key: key)
                do {
                    _ = try await edge.lookup(tenant: Self.acme, document: Self.doc, fingerprint: Fx.embedder.fingerprint,
                                              query: Fx.question, vector: v, now: 1)
                    Issue.record("\(key) should have been refused")
                } catch let CacheAPIError.remote(code, _, _) {
                    #expect(code == status)
                }
            }
        }
    }
}

/// `/v1/qa` against a real OpenAI-compatible HTTP server (an in-process stub on loopback), through
/// `FrontDoorLLMClient`, which learns the model name from `/v1/models`.
@Suite struct OpenAIStubTests {
    @Test func qaOverAnOpenAICompatibleServer() async throws {
        let router = Router(context: BasicRequestContext.self)
        router.get("/v1/models") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"],
                     body: .init(byteBuffer: ByteBuffer(string: #"{"object":"list","data":[{"id":"stub-base","object":"model"}]}"#)))
        }
        router.post("/v1/chat/completions") { request, _ in
            let body = try await request.body.collect(upTo: 1 << 20)
            let json = try JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any]
            let model = json?["model"] as? String ?? "?"
            let system = ((json?["messages"] as? [[String: Any]])?.first?["content"] as? String) ?? ""
            let text = system == Prompts.summarySystem ? "Rollo led the Normans (model \(model))." : "Rollo"
            let reply: [String: Any] = ["choices": [["message": ["role": "assistant", "content": text]]],
                                        "usage": ["prompt_tokens": 50, "completion_tokens": 7]]
            return Response(status: .ok, headers: [.contentType: "application/json"],
                            body: .init(byteBuffer: ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: reply))))
        }
        let stub = try await LiveServer.start(app: { onReady in
            Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                        onServerRunning: { await onReady($0.localAddress?.port ?? 0) })
        })
        try await stub.serving { port in
            let llm = FrontDoorLLMClient(baseURL: try #require(URL(string: "http://127.0.0.1:\(port)")))
            let service = try Fx.service(llm: llm)
            let question = Fx.body(["question": Fx.question, "documents": [["id": "normans", "text": Fx.normans]]])
            try await Fx.app(service).test(.router) { client in
                try await client.execute(uri: "/v1/qa", method: .post, headers: Fx.acme, body: question) { r in
                    #expect(r.status == .ok)
                    let reply = try Fx.decode(QAReply.self, r.body)
                    #expect(reply.answer == "Rollo")
                    #expect(reply.documents.first?.summary == "Rollo led the Normans (model stub-base).")
                    #expect(reply.documents.first?.summaryTokens == 57)
                }
            }
        }
    }
}
