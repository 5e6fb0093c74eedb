import BertModel
import Foundation
import ModelStore
import QAPipeline
import Safetensors
import SummaryCache
import TestSupport
import Testing

/// The evidence layout of the reuse verifier (experiment E): a classifier file with an
/// `evidence_layout` tensor reads `[CLS] cached [SEP] new [SEP] evidence [SEP]`; in an ensemble it
/// sits out where no evidence is given. The reader here is the shipped question-pair file with the
/// marker added (same weights), so the arithmetic can be checked against the plain classifier.
@Suite struct ReuseVerifierEvidenceTests {
    struct Missing: Error {}

    /// (plain classifier, the same weights marked as an evidence reader).
    static let classifiers: Result<(BertPairClassifier, BertPairClassifier), any Error> = Result {
        // A* (a MiniLM file: the evidence layout is BERT's).
        guard let path = ReuseVerifier.bundledPaths?.first(where: { $0.hasSuffix("/reuse-verifier.safetensors") }) else { throw Missing() }
        let miniLM = try RealModels.miniLMDirectory()
        let plain = try ReuseVerifier.load(classifierPaths: [path], miniLMDirectory: miniLM).classifier
        let source = try SafetensorsFile(bytes: MappedFile.map(path: path))
        var writer = SafetensorsWriter(metadata: source.metadata)
        for info in source.tensors.values.sorted(by: { $0.byteRange.lowerBound < $1.byteRange.lowerBound }) {
            try writer.add(name: info.name, dtype: info.dtype, shape: info.shape, bytes: Array(source.data(of: info)))
        }
        try writer.add(name: "evidence_layout", shape: [1], floats: [1])
        let marked = FileManager.default.temporaryDirectory.appendingPathComponent("evidence-\(UUID().uuidString).safetensors").path
        try Data(writer.serialized()).write(to: URL(fileURLWithPath: marked))
        defer { try? FileManager.default.removeItem(atPath: marked) }
        let reader = try ReuseVerifier.load(classifierPaths: [marked], miniLMDirectory: miniLM).classifier
        return (plain, reader)
    }

    static func sigmoid(_ x: Double) -> Double { 1 / (1 + exp(-x)) }

    @Test func theMarkerMakesAnEvidenceReader() throws {
        let (plain, reader) = try Self.classifiers.get()
        #expect(!plain.readsEvidence && reader.readsEvidence)
        #expect(ReuseVerifier(ensemble: plain, [reader]).readsEvidence && !ReuseVerifier(classifier: plain).readsEvidence)
        #expect(plain.digest != reader.digest, "the marker is part of the weights' identity")
    }

    @Test func tokensAreLaidOutAsTheTrainingScriptDoes() throws {
        let (_, c) = try Self.classifiers.get()
        let sep = c.tokenizer.sepID
        let (ids, start) = c.evidenceTokens("Who sold it?", "who bought it", evidence: "Jean sold the rights in 1418.")
        #expect(ids.first == c.tokenizer.clsID && ids.last == sep && ids[start - 1] == sep)
        #expect(ids.filter { $0 == sep }.count == 3)
        #expect(Array(ids[0..<start]) == c.pairTokens("Who sold it?", "who bought it").ids.prefix(start).map { $0 })
        // Long questions share the question budget longest-first; a long evidence fills the rest.
        let long = c.evidenceTokens(String(repeating: "word ", count: 300), "short question",
                                    evidence: String(repeating: "evidence ", count: 300))
        #expect(long.ids.count == c.maxPairLength)
        #expect((long.secondStart - 2) + 2 == BertPairClassifier.evidenceQuestionBudget, "a cut, b (2 tokens) whole")
        #expect(c.evidenceTokens("", "", evidence: "").ids.count == 4)
    }

    /// Token ids and document units the training script computes (Scripts/verifier_evidence.py).
    struct LayoutGolden: Decodable {
        struct Case: Decodable { let a: String, b: String, evidence: String, ids: [Int] }
        struct Segment: Decodable { let text: String, units: [String] }
        let cases: [Case]
        let segment: Segment
    }

    @Test func layoutAndUnitsMatchTheTrainingScript() throws {
        let (_, c) = try Self.classifiers.get()
        let url = try #require(Bundle.module.url(forResource: "Golden/evidence-layout", withExtension: "json"))
        let golden = try JSONDecoder().decode(LayoutGolden.self, from: Data(contentsOf: url))
        #expect(golden.cases.count >= 4)
        for g in golden.cases {
            #expect(c.evidenceTokens(g.a, g.b, evidence: g.evidence).ids.map { Int($0) } == g.ids, "\(g.a.prefix(20))")
        }
        #expect(DocumentSegmenter.units(golden.segment.text, maxWords: DocumentFocusCache().maxWords) == golden.segment.units)
    }

    @Test func anEvidenceReaderSitsOutWithoutEvidence() throws {
        let (plain, reader) = try Self.classifiers.get()
        let (a, b, ev) = ("Who bought the rights?", "Who sold the rights?", "Jean sold the rights to Enrique in 1418.")
        let pairLogit = Double(try #require(plain.logits([(a, b)]).first))
        let tripleLogit = Double(try #require(reader.logits([(a, b, ev)]).first))
        let ensemble = ReuseVerifier(ensemble: plain, [reader])
        // Without evidence the plain classifier decides alone; with it, the two logits are averaged.
        #expect(abs(try #require(ensemble.probability(cached: a, query: b)) - Self.sigmoid(pairLogit)) < 1e-6)
        let both = try #require(ensemble.probability(cached: a, query: b, evidence: ev))
        #expect(abs(both - Self.sigmoid((pairLogit + tripleLogit) / 2)) < 1e-6)
        #expect(abs(tripleLogit - pairLogit) > 1e-3, "the evidence changes what the encoder reads")
        // A verifier made only of evidence readers cannot judge a pair without evidence: veto.
        let only = ReuseVerifier(classifier: reader)
        #expect(only.probability(cached: a, query: b) == nil)
        #expect(only.veto(cached: a, query: b)?.detail.contains("could not read") == true)
        #expect(only.veto(cached: a, query: a) == nil, "a repeat needs no classifier")
        // Evidence given to a verifier that does not read it changes nothing.
        #expect(ReuseVerifier(classifier: plain).probability(cached: a, query: b, evidence: ev) == Self.sigmoid(pairLogit))
    }

    /// Experiment S: `bothOrders` averages the logits of (cached, new) and (new, cached) of each
    /// question-pair classifier; an evidence reader still reads one order.
    @Test func bothOrdersAveragesTheTwoReadings() async throws {
        let (plain, reader) = try Self.classifiers.get()
        let (a, b, ev) = ("Who bought the rights?", "Who purchased the rights?", "Jean bought the rights from Enrique in 1418.")
        let ab = Double(try #require(plain.logits([(a, b)]).first))
        let ba = Double(try #require(plain.logits([(b, a)]).first))
        #expect(abs(ab - ba) > 1e-4, "the cross-encoder is not symmetric")
        var symmetric = ReuseVerifier(classifier: plain)
        symmetric.bothOrders = true
        #expect(abs(try #require(symmetric.probability(cached: a, query: b)) - Self.sigmoid((ab + ba) / 2)) < 1e-6)
        #expect(abs(try #require(symmetric.probability(cached: b, query: a)) - Self.sigmoid((ab + ba) / 2)) < 1e-6)
        let batched = await symmetric.probabilities(cached: [a, "Who sold the rights?"], query: b)
        #expect(abs(try #require(batched[a]) - Self.sigmoid((ab + ba) / 2)) < 1e-4)
        // With an evidence reader: plain in both orders plus the reader once, all averaged.
        let triple = Double(try #require(reader.logits([(a, b, ev)]).first))
        var mixed = ReuseVerifier(ensemble: plain, [reader])
        mixed.bothOrders = true
        let p = try #require(mixed.probability(cached: a, query: b, evidence: ev))
        #expect(abs(p - Self.sigmoid((ab + ba + triple) / 3)) < 1e-6)
    }

    @Test func batchesKeepEachCandidatesEvidenceApart() async throws {
        let (plain, reader) = try Self.classifiers.get()
        let memo = ReuseVerifier.Memo()
        let v = ReuseVerifier(ensemble: plain, [reader], memo: memo)
        let query = "Who led the Norse raiders?"
        let cached = ["Who was the Norse leader?", "When was Normandy founded?", "What did Rollo swear?"]
        let evidence = ["Who was the Norse leader?": "Rollo led the Norse raiders.",
                        "When was Normandy founded?": "Normandy was founded in 911."]
        let batched = await v.probabilities(cached: cached, query: query, evidence: evidence)
        let plainOnly = ReuseVerifier(ensemble: plain, [reader])
        for c in cached {
            let one = try #require(plainOnly.probability(cached: c, query: query, evidence: evidence[c]))
            #expect(abs((batched[c] ?? .nan) - one) < 1e-4, "\(c)")
            #expect(memo[ReuseVerifier.Memo.key(cached: c, query: query, evidence: evidence[c])] == batched[c])
        }
        #expect(memo[ReuseVerifier.Memo.key(cached: cached[0], query: query)] == nil, "memo keys carry the evidence")
    }

    /// The cache lookup hands an evidence reader the document unit closest to each cached question.
    @Test func theLookupPassesTheClosestUnit() async throws {
        let (plain, reader) = try Self.classifiers.get()
        let embedder = try EmbedderAdapter.loadMiniLM(directory: RealModels.miniLMDirectory())
        let memo = ReuseVerifier.Memo()
        var verifier = ReuseVerifier(ensemble: plain, [reader], memo: memo)
        verifier.threshold = 0
        var config = CacheConfig()
        config.similarityThreshold = 0.1
        let cache = try LocalSummaryCache(config: config, verifier: verifier)
        let units = ["Rollo led the Norse raiders who settled in Normandy.", "The Duchy of Normandy was founded in 911.",
                     "Norman knights later conquered England in 1066."]
        let vectors = try await embedder.embed(units)
        let focus = try DocumentFocus(unitVectors: vectors, dimensions: embedder.fingerprint.dimensions, units: units)
        let tenant = TenantID("t")
        let doc = DocumentKey(documentID: DocumentID("d"), version: "v1")
        let cachedQuestion = "Who was the leader of the Norse raiders?"
        let query = "Who led the Norse raiders?"
        let qv = try await embedder.embed([cachedQuestion, query])
        try await cache.store(tenant: tenant, document: doc, fingerprint: embedder.fingerprint, query: cachedQuestion,
                              vector: qv[0], summary: "Rollo.", summaryTokenCost: 10, now: 0)
        _ = try await cache.lookup(tenant: tenant, document: doc, fingerprint: embedder.fingerprint, query: query,
                                   vector: qv[1], focus: focus, now: 1)
        #expect(focus.closestUnit(qv[0]) == units[0])
        #expect(memo[ReuseVerifier.Memo.key(cached: cachedQuestion, query: query, evidence: units[0])] != nil)
    }
}
