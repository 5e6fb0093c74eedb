import CacheAPI
import Foundation
import Hummingbird
import HummingbirdTesting
import LiveServerSupport
import NIOCore
import OpenAIWire
import QAPipeline
import SummaryCache

/// A deterministic LLM: summaries name the question, answers repeat the first note. Counts calls.
actor StubLLM: LLMClient {
    private(set) var summaryCalls = 0
    private(set) var answerCalls = 0

    func complete(system: String, user: String, maxTokens: Int) async throws -> LLMCompletion {
        if system == Prompts.summarySystem {
            summaryCalls += 1
            let question = user.split(separator: "\n").first.map { String($0.dropFirst("Question: ".count)) } ?? ""
            return LLMCompletion(text: "Rollo led the Normans (notes for: \(question))", promptTokens: 120, completionTokens: 20)
        }
        answerCalls += 1
        return LLMCompletion(text: "Rollo\nand more text", promptTokens: 40, completionTokens: 3)
    }
}

enum Fx {
    static let embedder = HashingEmbedder(dimensions: 256)
    static let keysJSON = #"{"keys": {"sk-acme": "acme", "sk-globex": "globex"}, "admin_keys": ["sk-admin"]}"#
    static let acme: HTTPFields = [.authorization: "Bearer sk-acme", .contentType: "application/json"]
    static let globex: HTTPFields = [.authorization: "Bearer sk-globex", .contentType: "application/json"]
    static let admin: HTTPFields = [.authorization: "Bearer sk-admin", .contentType: "application/json"]
    static let normans = "The Normans were led by Rollo, a Norse leader, in the 10th century."
    static let question = "Who led the Normans in the 10th century?"
    static let paraphrase = "Who led the Normans during the 10th century?"

    static func keys() throws -> APIKeys { try APIKeys.parse(Data(keysJSON.utf8)) }

    static func service(llm: (any LLMClient)? = StubLLM(), remote: (any RemoteSummaryCache)? = nil,
                        limits: CacheAPILimits = CacheAPILimits(), keys: APIKeys? = nil) throws -> SummaryCacheService {
        var config = CacheConfig()
        config.similarityThreshold = 0.5
        return SummaryCacheService(keys: try keys ?? Fx.keys(), local: try LocalSummaryCache(config: config), remote: remote,
                                   embedder: embedder, llm: llm, limits: limits, now: { 1000 })
    }

    static func app(_ service: SummaryCacheService) -> some ApplicationProtocol {
        Application(router: CacheAPIServer.makeRouter(service: service))
    }

    /// A JSON body from a dictionary (keeps the tests readable).
    static func body(_ object: [String: Any]) -> ByteBuffer {
        ByteBuffer(bytes: (try? JSONSerialization.data(withJSONObject: object)) ?? Data())
    }

    static func storeBody(tenant: String? = nil, doc: String = "normans", version: String = "v1", query: String = question,
                          summary: String = "Rollo led them.") -> ByteBuffer {
        var o: [String: Any] = ["document": ["id": doc, "version": version], "query": query, "summary": summary, "summaryTokenCost": 140]
        if let tenant { o["tenant"] = tenant }
        return body(o)
    }

    static func lookupBody(tenant: String? = nil, doc: String = "normans", version: String = "v1", query: String = paraphrase) -> ByteBuffer {
        var o: [String: Any] = ["document": ["id": doc, "version": version], "query": query]
        if let tenant { o["tenant"] = tenant }
        return body(o)
    }

    static func decode<T: Decodable>(_ type: T.Type, _ buffer: ByteBuffer) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(buffer.readableBytesView))
    }

    /// Runs the API on a loopback port for the duration of `body`, then shuts it down gracefully
    /// (see `LiveServer`) and returns once it is down.
    static func withLiveServer<T: Sendable>(_ service: SummaryCacheService, _ body: (Int) async throws -> T) async throws -> T {
        let server = try await LiveServer.start(serving: { onReady in
            try await CacheAPIServer.run(service: service, host: "127.0.0.1", port: 0, onReady: onReady)
        })
        return try await server.serving(body)
    }
}
