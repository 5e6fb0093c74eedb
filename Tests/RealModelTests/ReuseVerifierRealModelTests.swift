import BertModel
import Foundation
import ModelStore
import QAPipeline
import SummaryCache
import TestSupport
import Testing

/// The shipped reuse verifier (cross-encoder over all-MiniLM-L6-v2 + LoRA delta + head) against the
/// logits torch computed for it when Scripts/train_reuse_verifier.py made it.
@Suite struct ReuseVerifierRealModelTests {
    struct Golden: Decodable {
        struct Pair: Decodable {
            let a: String, b: String, logit: Float
        }
        let verifier_sha256: String
        let pairs: [Pair]
    }

    struct Missing: Error {}

    static let golden: Result<Golden, any Error> = Result {
        guard let url = Bundle.module.url(forResource: "Golden/reuse-verifier", withExtension: "json") else { throw Missing() }
        return try JSONDecoder().decode(Golden.self, from: Data(contentsOf: url))
    }

    static let verifier: Result<ReuseVerifier, any Error> = Result {
        guard let path = ReuseVerifier.bundledPath else { throw Missing() }
        return try ReuseVerifier.load(classifierPath: path, miniLMDirectory: RealModels.miniLMDirectory(), threadCount: 2)
    }

    @Test func theShippedFileIsTheOneTheGoldenWasMadeFor() throws {
        let path = try #require(ReuseVerifier.bundledPath)
        let bytes = try RealModels.readFile(path)
        #expect(bytes.withUnsafeBytes { SHA256.hex($0) } == (try Self.golden.get()).verifier_sha256)
    }

    @Test func logitsMatchTorch() throws {
        let golden = try Self.golden.get()
        let verifier = try Self.verifier.get()
        #expect(golden.pairs.count >= 10)
        let got = try verifier.classifier.logits(golden.pairs.map { ($0.a, $0.b) })
        for (g, want) in zip(got, golden.pairs) {
            #expect(abs(g - want.logit) < 2e-3, "\(want.a) / \(want.b): \(g) vs \(want.logit)")
        }
        // One pair at a time gives the same logits as the batch.
        for (i, p) in golden.pairs.enumerated().prefix(3) {
            let single = try verifier.classifier.logits([(p.a, p.b)])
            #expect(abs((single.first ?? .nan) - got[i]) < 1e-4)
        }
    }

    @Test func pairsAreLaidOutLikeHuggingFace() throws {
        let c = try Self.verifier.get().classifier
        let (ids, start) = c.pairTokens("Who sold it?", "who bought it")
        #expect(ids.first == c.tokenizer.clsID && ids.last == c.tokenizer.sepID)
        #expect(ids[start - 1] == c.tokenizer.sepID && ids.filter { $0 == c.tokenizer.sepID }.count == 2)
        let long = c.pairTokens(String(repeating: "word ", count: 300), "short question")
        #expect(long.ids.count == c.maxPairLength)
        #expect(long.ids.count - long.secondStart == 3, "longest-first keeps the short side whole")
        #expect(c.pairTokens("", "").ids.count == 3)
    }

    @Test func vetoesFollowTheThreshold() throws {
        var v = try Self.verifier.get()
        let p = try #require(v.probability(cached: "Who bought the rights?", query: "Who sold the rights?"))
        v.threshold = p + 0.01
        #expect(v.veto(cached: "Who bought the rights?", query: "Who sold the rights?")?.kind == .verifier)
        v.threshold = max(0, p - 0.01)
        #expect(v.veto(cached: "Who bought the rights?", query: "Who sold the rights?") == nil)
    }

    actor StubLLM: LLMClient {
        private(set) var summaryCalls = 0
        func complete(system: String, user: String, maxTokens: Int) async throws -> LLMCompletion {
            if system == Prompts.summarySystem { summaryCalls += 1 }
            return LLMCompletion(text: "A summary.", promptTokens: 200, completionTokens: 10)
        }
    }

    @Test func thePipelineAsksTheVerifierBeforeReusing() async throws {
        let embedder = try EmbedderAdapter.loadMiniLM(directory: RealModels.miniLMDirectory())
        var config = CacheConfig()
        config.similarityThreshold = ReuseVerifier.defaultSimilarityFloor
        // Threshold halfway between the golden probabilities of the two pairs used below (the
        // adversarial edit must score below the keyword paraphrase), so the test checks the
        // wiring, not the shipped default.
        let golden = try Self.golden.get()
        func p(_ a: String, _ b: String) throws -> Float {
            let logit = try #require(golden.pairs.first { $0.a == a && $0.b == b }).logit
            return 1 / (1 + exp(-logit))
        }
        let pSold = try p("Who bought the rights?", "Who sold the rights?")
        let pKeyword = try p("What does big O notation hide?", "big O notation hides")
        try #require(pSold < pKeyword, "golden: p(sold) \(pSold) vs p(keyword) \(pKeyword)")
        var verifier = try Self.verifier.get()
        verifier.threshold = Double(pSold + pKeyword) / 2
        let cache = try LocalSummaryCache(config: config, verifier: verifier)
        let llm = StubLLM()
        let p = QAPipeline(llm: llm, embedder: embedder, cache: cache, now: { 0 })
        let tenant = TenantID("t")
        let doc = QADocument(id: DocumentID("d"), text: "In 1418 Jean de Béthencourt sold the rights to the Canary Islands to Enrique Pérez de Guzmán.", title: "Canaries")
        _ = try await p.answer(QARequest(tenant: tenant, question: "Who bought the rights?", documents: [doc]))
        // The adversarial edit is close in MiniLM space; the opposites guard and the verifier
        // both refuse it.
        let sold = try await p.answer(QARequest(tenant: tenant, question: "Who sold the rights?", documents: [doc]))
        #expect(sold.documents.first?.outcome == .miss)
        #expect(sold.documents.first?.vetoedBy.isEmpty == false)
        #expect(verifier.veto(cached: "Who bought the rights?", query: "Who sold the rights?")?.kind == .verifier)
        let doc2 = QADocument(id: DocumentID("o"), text: "Big O notation hides constant factors and smaller terms.", title: "Big O")
        _ = try await p.answer(QARequest(tenant: tenant, question: "What does big O notation hide?", documents: [doc2]))
        let keyword = try await p.answer(QARequest(tenant: tenant, question: "big O notation hides", documents: [doc2]))
        #expect(keyword.documents.first?.outcome == .hit)
        #expect(await llm.summaryCalls == 3)
    }
}
