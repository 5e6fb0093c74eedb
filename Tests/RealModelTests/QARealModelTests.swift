import QAPipeline
import SummaryCache
import Testing
import TestSupport

/// The QA pipeline with the real all-MiniLM-L6-v2 (the LLM is a stub: this checks the embedder
/// wiring and the cache decisions on real vectors, in a few seconds).
@Suite("QA pipeline on real MiniLM")
struct QARealModelTests {
    actor EchoLLM: LLMClient {
        private(set) var summaryCalls = 0
        func complete(system: String, user: String, maxTokens: Int) async throws -> LLMCompletion {
            if system == Prompts.summarySystem { summaryCalls += 1 }
            return LLMCompletion(text: "Rollo led the Norse raiders.", promptTokens: 200, completionTokens: 10)
        }
    }

    static let embedder: Result<EmbedderAdapter, any Error> = Result {
        try EmbedderAdapter.loadMiniLM(directory: try RealModels.miniLMDirectory())
    }

    @Test("a paraphrase hits, a negated near-miss is vetoed, the fingerprint names the weights")
    func paraphraseAndNearMiss() async throws {
        let embedder = try Self.embedder.get()
        #expect(embedder.fingerprint.dimensions == 384)
        #expect(embedder.fingerprint.modelID.contains("all-MiniLM-L6-v2"))
        let llm = EchoLLM()
        var config = CacheConfig()
        config.similarityThreshold = 0.75
        let p = QAPipeline(llm: llm, embedder: embedder, cache: try LocalSummaryCache(config: config), now: { 0 })
        let doc = QADocument(id: DocumentID("normans"), text: "Rollo, a Norse leader, agreed to swear fealty to King Charles III.", title: "Normans")
        let tenant = TenantID("t")
        _ = try await p.answer(QARequest(tenant: tenant, question: "Who was the Norse leader?", documents: [doc]))
        let para = try await p.answer(QARequest(tenant: tenant, question: "Who was the leader of the Norse?", documents: [doc]))
        #expect(para.documents.first?.outcome == .hit)
        let near = try await p.answer(QARequest(tenant: tenant, question: "Who was not the Norse leader?", documents: [doc]))
        #expect(near.documents.first?.outcome == .miss)
        #expect(await llm.summaryCalls == 2)
    }
}
