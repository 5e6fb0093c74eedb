import BertModel
import Foundation
import ModelStore
import QAPipeline
import SummaryCache
import TestSupport
import Testing

/// The shipped reuse verifier (cross-encoders over all-mpnet-base-v2 and all-MiniLM-L6-v2, each a
/// LoRA delta + head, logits averaged with weights ½ ¼ ¼) against the logits torch computed for
/// each file (Scripts/train_reuse_verifier.py, or Scripts/golden_verifier_file.py for the
/// MPNet file, an epoch export).
@Suite struct ReuseVerifierRealModelTests {
    struct Golden: Decodable {
        struct Pair: Decodable {
            let a: String, b: String, logit: Float
            /// The third segment of an evidence reader's golden (experiment E).
            let evidence: String?
        }
        let verifier_sha256: String
        let pairs: [Pair]
    }

    struct Missing: Error {}

    /// One golden per shipped file, in `ReuseVerifier.bundledNames` order.
    static let goldens: Result<[Golden], any Error> = Result { try ReuseVerifier.bundledNames.map(readGolden) }
    static var golden: Result<Golden, any Error> { goldens.map { $0[0] } }
    /// One golden per distinct file, in the order `ReuseVerifier.load` keeps its classifiers.
    static let uniqueGoldens: Result<[Golden], any Error> = Result {
        try ReuseVerifier.weighted(ReuseVerifier.bundledNames).map { try readGolden($0.item) }
    }

    static func readGolden(_ name: String) throws -> Golden {
        guard let url = Bundle.module.url(forResource: "Golden/\(name)", withExtension: "json") else { throw Missing() }
        return try JSONDecoder().decode(Golden.self, from: Data(contentsOf: url))
    }

    static let verifier: Result<ReuseVerifier, any Error> = Result {
        guard let paths = ReuseVerifier.bundledPaths else { throw Missing() }
        return try ReuseVerifier.load(classifierPaths: paths, miniLMDirectory: RealModels.miniLMDirectory(), threadCount: 2)
    }

    @Test func theShippedFilesAreTheOnesTheGoldensWereMadeFor() throws {
        let paths = try #require(ReuseVerifier.bundledPaths)
        let goldens = try Self.goldens.get()
        #expect(paths.count == ReuseVerifier.bundledNames.count && goldens.count == paths.count && paths.count >= 2)
        for (path, golden) in zip(paths, goldens) {
            let bytes = try RealModels.readFile(path)
            #expect(bytes.withUnsafeBytes { SHA256.hex($0) } == golden.verifier_sha256, "\(path)")
        }
    }

    @Test func logitsMatchTorch() throws {
        let verifier = try Self.verifier.get()
        let goldens = try Self.uniqueGoldens.get()
        #expect(goldens.count == verifier.classifiers.count && verifier.weights == [2, 1, 1])
        #expect(verifier.classifiers.map(\.encoder.config.architecture) == [.mpnet, .bert, .bert])
        for (classifier, golden) in zip(verifier.classifiers, goldens) {
            #expect(golden.pairs.count >= 10)
            #expect(golden.pairs.allSatisfy { ($0.evidence != nil) == classifier.readsEvidence })
            func logits(_ pairs: [Golden.Pair]) throws -> [Float] {
                classifier.readsEvidence ? try classifier.logits(pairs.map { ($0.a, $0.b, $0.evidence ?? "") })
                    : try classifier.logits(pairs.map { ($0.a, $0.b) })
            }
            let got = try logits(golden.pairs)
            for (g, want) in zip(got, golden.pairs) {
                #expect(abs(g - want.logit) < 2e-3, "\(want.a) / \(want.b): \(g) vs \(want.logit)")
            }
            // One pair at a time gives the same logits as the batch.
            for (i, p) in golden.pairs.enumerated().prefix(3) {
                let single = try logits([p])
                #expect(abs((single.first ?? .nan) - got[i]) < 1e-4)
            }
        }
    }

    /// The ensemble's probability is the logistic of the mean of the files' logits.
    static func ensembleProbability(_ a: String, _ b: String) throws -> Double {
        let logits = try goldens.get().map { g in try #require(g.pairs.first { $0.a == a && $0.b == b }).logit }
        return 1 / (1 + exp(-Double(logits.reduce(0, +)) / Double(logits.count)))
    }

    @Test func theEnsembleAveragesLogits() throws {
        let verifier = try Self.verifier.get()
        for p in try Self.golden.get().pairs.prefix(6) {
            let got = try #require(verifier.probability(cached: p.a, query: p.b))
            #expect(abs(got - (try Self.ensembleProbability(p.a, p.b))) < 1e-3, "\(p.a) / \(p.b)")
        }
        // One file alone is a verifier too (as `--verifier FILE` loads it).
        let single = ReuseVerifier(classifier: verifier.classifier)
        #expect(single.classifiers.count == 1 && verifier.digest.contains(single.digest))
    }

    /// A file listed twice is loaded once and weighs twice: σ((2·l₁ + l₂) / 3).
    @Test func aFileListedTwiceWeighsTwice() throws {
        guard let all = ReuseVerifier.bundledPaths else { Issue.record("bundled verifier missing"); return }
        // The two MiniLM files (A*, B), A* listed twice.
        let paths = ReuseVerifier.weighted(all).suffix(2).map(\.item)
        let weighted = try ReuseVerifier.load(classifierPaths: [paths[0], paths[0], paths[1]],
                                              miniLMDirectory: RealModels.miniLMDirectory(), threadCount: 2)
        #expect(weighted.classifiers.count == 2 && weighted.weights == [2, 1])
        #expect(weighted.digest.hasPrefix("2.0×"))
        let goldens = Array(try Self.uniqueGoldens.get().suffix(2))
        for p in try Self.golden.get().pairs.prefix(4) {
            let logits = try goldens.map { g in try #require(g.pairs.first { $0.a == p.a && $0.b == p.b }).logit }
            let want = 1 / (1 + exp(-(2 * Double(logits[0]) + Double(logits[1])) / 3))
            let got = try #require(weighted.probability(cached: p.a, query: p.b))
            #expect(abs(got - want) < 1e-3, "\(p.a) / \(p.b)")
        }
    }

    /// A lookup's candidates are scored as one batch per classifier: the same probabilities as one
    /// pair at a time, duplicates scored once, and the memo filled for the lookup's own veto calls.
    private func plain(_ v: ReuseVerifier) -> ReuseVerifier { ReuseVerifier(ensemble: v.classifiers[0], Array(v.classifiers.dropFirst())) }

    @Test func batchedCandidatesMatchOneAtATime() async throws {
        let loaded = try Self.verifier.get()
        let memo = ReuseVerifier.Memo()
        let verifier = ReuseVerifier(ensemble: loaded.classifiers[0], Array(loaded.classifiers.dropFirst()), memo: memo)
        let query = "Who led the Norse raiders?"
        let cached = ["Who was the Norse leader?", "When was the Duchy of Normandy founded?", "", "Who was the Norse leader?",
                      String(repeating: "word ", count: 200), "who led  the Norse raiders"]
        let batched = await verifier.probabilities(cached: cached, query: query)
        #expect(batched.count == 5)
        // The question asked again is a repeat, whatever the classifiers would say.
        #expect(batched["who led  the Norse raiders"] == 1)
        #expect(verifier.probability(cached: query, query: query) == 1)
        #expect(try #require(plain(verifier).probability(cached: "Who was the Norse leader?", query: query)) < 1)
        let plain = plain(verifier)
        for c in Set(cached) where !ReuseVerifier.isRepeat(c, query) {
            let one = try #require(plain.probability(cached: c, query: query))
            #expect(abs((batched[c] ?? .nan) - one) < 1e-4, "\(c.prefix(30))")
            // The memo answers the lookup's later veto without another encoder pass.
            #expect(memo[ReuseVerifier.Memo.key(cached: c, query: query)] == batched[c])
        }
    }

    /// BERT: `[CLS] a [SEP] b [SEP]`; MPNet: `<s> a </s></s> b </s>` (HF's pair templates).
    @Test func pairsAreLaidOutLikeHuggingFace() throws {
        for c in try Self.verifier.get().classifiers {
            let separators = c.encoder.config.architecture == .mpnet ? 3 : 2
            let (ids, start) = c.pairTokens("Who sold it?", "who bought it")
            #expect(ids.first == c.tokenizer.clsID && ids.last == c.tokenizer.sepID)
            #expect(ids[start - 1] == c.tokenizer.sepID && ids.filter { $0 == c.tokenizer.sepID }.count == separators)
            let long = c.pairTokens(String(repeating: "word ", count: 300), "short question")
            #expect(long.ids.count == c.maxPairLength)
            #expect(long.ids.count - long.secondStart == 3, "longest-first keeps the short side whole")
            #expect(c.pairTokens("", "").ids.count == 1 + separators)
        }
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
        let pSold = try Self.ensembleProbability("Who bought the rights?", "Who sold the rights?")
        let pKeyword = try Self.ensembleProbability("What does big O notation hide?", "big O notation hides")
        try #require(pSold < pKeyword, "golden: p(sold) \(pSold) vs p(keyword) \(pKeyword)")
        var verifier = try Self.verifier.get()
        verifier.threshold = (pSold + pKeyword) / 2
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
