import CacheAPI
import Foundation
import HummingbirdTesting
import NIOCore
import QAPipeline
import SummaryCache
import Testing

@Suite struct QAEndpointTests {
    static func ask(_ question: String, inline: Bool = true) -> ByteBuffer {
        var o: [String: Any] = ["question": question]
        if inline { o["documents"] = [["id": "normans", "title": "Normans", "text": Fx.normans]] }
        return Fx.body(o)
    }

    @Test func missThenParaphraseHitsWithProvenance() async throws {
        let llm = StubLLM()
        try await Fx.app(try Fx.service(llm: llm)).test(.router) { client in
            try await client.execute(uri: "/v1/qa", method: .post, headers: Fx.acme, body: Self.ask(Fx.question)) { r in
                #expect(r.status == .ok)
                let reply = try Fx.decode(QAReply.self, r.body)
                #expect(reply.answer == "Rollo")
                let d = try #require(reply.documents.first)
                #expect(d.outcome == .miss && d.summaryTokens == 140 && d.tokensSaved == 0)
                #expect(reply.usage.summaryCalls == 1 && reply.usage.cacheHits == 0)
            }
            try await client.execute(uri: "/v1/qa", method: .post, headers: Fx.acme, body: Self.ask(Fx.paraphrase)) { r in
                let reply = try Fx.decode(QAReply.self, r.body)
                let d = try #require(reply.documents.first)
                #expect(d.outcome == .hit && d.tier == .local)
                #expect(d.reusedQuestion == Fx.question)
                #expect(d.tokensSaved == 140 && d.summaryTokens == 0)
                #expect((d.similarity ?? 0) >= 0.5)
                #expect(reply.usage.summaryTokensSaved == 140)
            }
            // Another tenant asking the same thing pays its own summary.
            try await client.execute(uri: "/v1/qa", method: .post, headers: Fx.globex, body: Self.ask(Fx.paraphrase)) { r in
                let decoded = try Fx.decode(QAReply.self, r.body)
                #expect(decoded.documents.first?.outcome == .miss)
            }
            // /v1/qa entries are ordinary cache entries: the text-keyed lookup endpoint finds them.
            try await client.execute(uri: "/v1/summary-cache/lookup", method: .post, headers: Fx.acme,
                                     body: Fx.body(["document": ["id": "normans", "text": Fx.normans], "query": Fx.paraphrase])) { r in
                let decoded = try Fx.decode(SummaryLookup.self, r.body)
                #expect(decoded.hit?.cachedQuery == Fx.question)
            }
            try await client.execute(uri: "/v1/summary-cache/stats", method: .get, headers: Fx.acme) { r in
                let acme = try #require(try Fx.decode(StatsReply.self, r.body).tenants.first)
                #expect(acme.qaRequests == 2 && acme.hits == 2)
            }
        }
        #expect(await llm.summaryCalls == 2)
        #expect(await llm.answerCalls == 3)
    }

    @Test func questionsSearchOnlyTheCallersCorpus() async throws {
        let corpus = Fx.body(["documents": [["id": "normans", "text": Fx.normans],
                                            ["id": "physics", "text": "Force equals mass times acceleration."]]])
        try await Fx.app(try Fx.service()).test(.router) { client in
            try await client.execute(uri: "/v1/qa", method: .post, headers: Fx.acme, body: Self.ask(Fx.question, inline: false)) { r in
                #expect(r.status == .badRequest)
            }
            try await client.execute(uri: "/v1/qa/corpus", method: .post, headers: Fx.acme, body: corpus) { r in
                let reply = try Fx.decode(CorpusReply.self, r.body)
                #expect(reply.loaded == 2 && reply.total == 2 && reply.changed.isEmpty)
            }
            try await client.execute(uri: "/v1/qa", method: .post, headers: Fx.acme,
                                     body: Fx.body(["question": Fx.question, "topK": 1])) { r in
                let reply = try Fx.decode(QAReply.self, r.body)
                #expect(reply.documents.map(\.documentID) == ["normans"])
            }
            try await client.execute(uri: "/v1/qa", method: .post, headers: Fx.globex, body: Self.ask(Fx.question, inline: false)) { r in
                #expect(r.status == .badRequest)
            }
        }
    }

    @Test func withoutAnLLMQAIs503() async throws {
        try await Fx.app(try Fx.service(llm: nil)).test(.router) { client in
            try await client.execute(uri: "/v1/qa", method: .post, headers: Fx.acme, body: Self.ask(Fx.question)) { r in
                try ErrorTests.expectError(r, .serviceUnavailable, type: "service_unavailable_error")
            }
        }
    }
}
