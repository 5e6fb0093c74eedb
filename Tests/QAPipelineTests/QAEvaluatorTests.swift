import Foundation
import QAPipeline
import SummaryCache
import Testing

@Suite("QAEvaluator")
struct QAEvaluatorTests {
    static let dataset = QADataset(
        paragraphs: ["Normans": ["The Normans were led by Rollo, a Norse leader. They lived in Normandy, in France."]],
        families: [
            .init(family_id: "n-1", article: "Normans", paragraph_index: 0, question: "Who was the Norse leader?", answers: ["Rollo"],
                  paraphrases: ["Who was the leader of the Norse?", "Norse leader name", "Tell me who was the Norse leader?"],
                  near_misses: [.init(question: "Who was not the Norse leader?", answers: [], answerable: false, source: "written"),
                                .init(question: "Where did the Normans live?", answers: ["Normandy"], answerable: true, source: "written")]),
        ])

    func evaluate(thresholds: [Float]) async throws -> (EvalWorkload, MemoizingLLMClient, FakeLLM, [QAResponse], [[QAResponse]]) {
        let workload = EvalWorkload(dataset: Self.dataset)
        let fake = FakeLLM()
        let memo = MemoizingLLMClient(base: fake)
        let evaluator = QAEvaluator(workload: workload, llm: memo, embedder: Fixtures.embedder, concurrency: 3)
        let (baseline, cached) = try await evaluator.run(thresholds: thresholds)
        return (workload, memo, fake, baseline, cached)
    }

    @Test("every distinct prompt is computed once across all thresholds")
    func memoisesAcrossThresholds() async throws {
        let (workload, memo, fake, baseline, cached) = try await evaluate(thresholds: [0.3, 0.6, 0.99])
        #expect(workload.questions.count == 6)
        #expect(baseline.allSatisfy { $0.documents.first?.outcome == .bypass })
        #expect(cached.count == 3)
        // 6 summaries (one per question, the no-cache run's) + one answer per distinct
        // (question, summary) pair over all runs, however many thresholds reuse it.
        let realCalls = await memo.realCalls
        let summaryCalls = await fake.summaryCalls, answerCalls = await fake.answerCalls
        #expect(realCalls == summaryCalls + answerCalls)
        #expect(summaryCalls == 6)
        var pairs = Set<String>()
        for r in baseline + cached.flatMap({ $0 }) { pairs.insert(r.question + "\u{1}" + (r.documents.first?.summary ?? "")) }
        #expect(answerCalls == pairs.count)
        #expect(pairs.count > 6)
    }

    @Test("scores: paraphrases hit at a low threshold, near-miss guards hold, tokens are saved")
    func scoring() async throws {
        let (workload, _, _, baseline, cached) = try await evaluate(thresholds: [0.3, 0.99])
        let (low, outcomes) = EvalScoring.score(workload: workload, baseline: baseline, cached: cached[0], threshold: 0.3)
        let (high, _) = EvalScoring.score(workload: workload, baseline: baseline, cached: cached[1], threshold: 0.99)
        #expect(low.hitRate > high.hitRate)
        #expect(low.summaryTokensSavedFraction > 0)
        #expect(high.summaryTokensSavedFraction == 0)
        #expect(high.hits == 0)
        // The negated near-miss is vetoed, so it never counts as a false hit.
        let negated = try #require(outcomes.first { $0.question == "Who was not the Norse leader?" })
        #expect(!negated.hit)
        #expect(negated.vetoedBy.contains { $0.hasPrefix("negation") })
        #expect(low.emWithoutCache == high.emWithoutCache)
        #expect(outcomes.count == 6)
    }

    @Test("the JSON report has the contract keys at the top level, snake_case")
    func reportKeys() async throws {
        let (workload, _, _, baseline, cached) = try await evaluate(thresholds: [0.3, 0.6])
        let results = zip([Float(0.3), 0.6], cached).map { EvalScoring.score(workload: workload, baseline: baseline, cached: $1, threshold: $0).0 }
        let chosen = try #require(EvalScoring.recommend(results, maxFalseHitRate: 1, maxAccuracyDrop: 100)?.result)
        #expect(chosen.threshold == 0.3)
        let report = EvalReport(chosen: chosen, sweep: results, llm: "fake", embedder: "hashing", families: 1, questions: 6,
                                llmCalls: 10, wallSeconds: 1, recommendedBy: "test")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(try report.json().utf8)) as? [String: Any])
        for key in ["hit_rate", "false_hit_rate", "summary_tokens_saved_fraction", "summary_calls_saved_fraction", "em_with_cache",
                    "em_without_cache", "f1_with_cache", "f1_without_cache", "threshold", "sweep"] {
            #expect(object[key] != nil, "missing \(key)")
        }
        #expect((object["sweep"] as? [Any])?.count == 2)
        // The false-hit rate's 95% interval brackets it.
        let interval = try #require(object["false_hit_rate_interval"] as? [String: Double])
        let rate = try #require(object["false_hit_rate"] as? Double)
        #expect((interval["lower"] ?? 2) <= rate && rate <= (interval["upper"] ?? -1))
        #expect(report.markdown().contains("(95% interval)"))
        let svg = SweepPlot.svg(results, title: "t < u", marked: 0.3)
        #expect(svg.hasPrefix("<svg") && svg.contains("polyline") && svg.contains("t &lt; u"))
        #expect(report.markdown().split(separator: "\n").count == 4)
    }

    @Test("recommend picks the lowest threshold meeting both bounds")
    func recommend() {
        func r(_ t: Float, _ fhr: Double, _ em: Double) -> ThresholdResult {
            var x = ThresholdResult(threshold: t)
            x.falseHitRate = fhr
            x.emWithCache = em; x.f1WithCache = em
            x.emWithoutCache = 50; x.f1WithoutCache = 50
            return x
        }
        #expect(EvalScoring.recommend([r(0.9, 0, 50), r(0.7, 0.01, 45), r(0.8, 0.02, 49)])?.result.threshold == 0.8)
        #expect(EvalScoring.recommend([r(0.7, 0.5, 50), r(0.8, 0.01, 40)])?.result.threshold == 0.8)
        let none = EvalScoring.recommend([r(0.7, 0.5, 50), r(0.8, 0.1, 50), r(0.9, 0.1, 50)])
        #expect(none?.result.threshold == 0.9)
        #expect(none?.reason.hasPrefix("no threshold") == true)
    }
}

/// `cache calibrate --verifier`: pairs below the similarity floor never hit; the rest are scored
/// by the verifier's probability (an unreadable pair never hits).
@Suite struct PairRescoringTests {
    @Test func floorThenProbability() {
        let labelled = [LabelledPair(similarity: 0.9, guardsPassed: true, isSameAnswer: true),
                        LabelledPair(similarity: 0.3, guardsPassed: true, isSameAnswer: false),
                        LabelledPair(similarity: 0.7, guardsPassed: false, isSameAnswer: false),
                        LabelledPair(similarity: 0.8, guardsPassed: true, isSameAnswer: true)]
        let out = QuestionPair.rescored(labelled, probabilities: [0.95, 0.99, 0.4, nil], floor: 0.5)
        #expect(out.map(\.similarity) == [0.95, -1, 0.4, -1])
        #expect(out.map(\.guardsPassed) == labelled.map(\.guardsPassed))
        #expect(out.map(\.isSameAnswer) == labelled.map(\.isSameAnswer))
    }
}
