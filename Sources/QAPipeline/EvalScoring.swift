import SummaryCache

/// Scores of one cached run against the no-cache run on the same LLM (fractions in 0...1, EM/F1
/// in points 0...100). Encoded with snake_case keys (`hit_rate`, `em_with_cache`, …).
public struct ThresholdResult: Sendable, Codable, Equatable {
    public var threshold: Float
    /// Paraphrases that hit (any cached summary) / paraphrases.
    public var hitRate: Double
    /// Paraphrases that hit a summary of their own family / paraphrases.
    public var correctHitRate: Double
    /// Near-misses that hit a summary written for a different question / near-misses (the bound
    /// of the issue: ≤ 2%).
    public var falseHitRate: Double
    /// 95% Wilson interval of `falseHitRate` (how far the rate on another set of the same size
    /// may plausibly lie).
    public var falseHitRateInterval: WilsonInterval
    /// Hits whose answer differs (after SQuAD normalisation) from the no-cache answer / hits.
    public var answerChangedRate: Double
    /// Hits whose answer scores a lower F1 against the gold answers than the no-cache answer.
    public var answerWorseRate: Double
    /// Hits that were wrong-question reuse or made the answer worse (lower F1 than without the
    /// cache): the "false hit" (a hit whose reuse changed the answer or whose question
    /// was a near-miss), with "changed" read as "changed for the worse" because a 135M model's
    /// free-text answers differ in wording on almost any change of context.
    public var falseHits: Int
    public var hits: Int
    /// Paraphrase workload (originals + paraphrases): 1 − summarisation tokens (calls) with the
    /// cache / without it.
    public var summaryTokensSavedFraction: Double
    public var summaryCallsSavedFraction: Double
    /// The same over every question, near-misses included.
    public var summaryTokensSavedFractionAll: Double
    public var summaryCallsSavedFractionAll: Double
    public var summaryTokensWithCache: Int
    public var summaryTokensWithoutCache: Int
    public var emWithCache: Double
    public var emWithoutCache: Double
    public var f1WithCache: Double
    public var f1WithoutCache: Double
    /// Mean seconds per question of embedding + LLM work (LLM seconds as measured when each call
    /// was really made).
    public var latencyMeanMsWithCache: Double
    public var latencyMeanMsWithoutCache: Double
    /// Per kind (original, paraphrase, near_miss): EM/F1 with and without the cache.
    public var byKind: [String: KindScores]

    /// All scores zero (tests and incremental construction).
    public init(threshold: Float) {
        self.threshold = threshold
        falseHitRateInterval = WilsonInterval(successes: 0, trials: 0)
        hitRate = 0; correctHitRate = 0; falseHitRate = 0; answerChangedRate = 0; answerWorseRate = 0; falseHits = 0; hits = 0
        summaryTokensSavedFraction = 0; summaryCallsSavedFraction = 0; summaryTokensSavedFractionAll = 0; summaryCallsSavedFractionAll = 0
        summaryTokensWithCache = 0; summaryTokensWithoutCache = 0
        emWithCache = 0; emWithoutCache = 0; f1WithCache = 0; f1WithoutCache = 0
        latencyMeanMsWithCache = 0; latencyMeanMsWithoutCache = 0; byKind = [:]
    }

    public struct KindScores: Sendable, Codable, Equatable {
        public var questions: Int
        public var hits: Int
        public var emWithCache: Double
        public var emWithoutCache: Double
        public var f1WithCache: Double
        public var f1WithoutCache: Double
    }
}

/// One question of a cached run, for the per-question log.
public struct QuestionOutcome: Sendable, Codable, Equatable {
    public var familyId: String
    public var kind: String
    public var question: String
    public var gold: [String]
    public var answerWithCache: String
    public var answerWithoutCache: String
    public var hit: Bool
    public var correctReuse: Bool?
    public var reusedQuestion: String?
    public var similarity: Float?
    public var vetoedBy: [String]
    public var emWithCache: Double
    public var emWithoutCache: Double
}

public enum EvalScoring {
    public static func score(workload: EvalWorkload, baseline: [QAResponse], cached: [QAResponse], threshold: Float)
        -> (ThresholdResult, [QuestionOutcome]) {
        let classes = workload.classesByText
        var outcomes: [QuestionOutcome] = []
        var paraphrases = 0, paraphraseHits = 0, paraphraseCorrect = 0, nearMisses = 0, nearMissFalse = 0
        var hits = 0, changed = 0, worse = 0, falseHits = 0
        var tokWith = 0, tokWithout = 0, callsWith = 0, callsWithout = 0
        var tokWithAll = 0, tokWithoutAll = 0, callsWithAll = 0, callsWithoutAll = 0
        var emW = 0.0, emWo = 0.0, f1W = 0.0, f1Wo = 0.0, latW = 0.0, latWo = 0.0
        var kinds: [String: ThresholdResult.KindScores] = [:]
        for (i, q) in workload.questions.enumerated() where i < baseline.count && i < cached.count {
            let b = baseline[i], c = cached[i]
            let reuse = c.documents.first { $0.outcome == .hit }
            let isHit = reuse != nil
            var correct: Bool?
            if let r = reuse?.reusedQuestion {
                let same = SQuADMetrics.normalize(r) == SQuADMetrics.normalize(q.text)
                correct = same || !(classes[r] ?? []).isDisjoint(with: [q.answerClass])
            }
            let answerChanged = isHit && SQuADMetrics.normalize(b.answer) != SQuADMetrics.normalize(c.answer)
            let ew = SQuADMetrics.exactMatch(c.answer, gold: q.gold), ewo = SQuADMetrics.exactMatch(b.answer, gold: q.gold)
            let fw = SQuADMetrics.f1(c.answer, gold: q.gold), fwo = SQuADMetrics.f1(b.answer, gold: q.gold)
            if isHit {
                hits += 1
                if answerChanged { changed += 1 }
                if fw < fwo { worse += 1 }
                if fw < fwo || correct == false { falseHits += 1 }
            }
            switch q.kind {
            case .paraphrase:
                paraphrases += 1
                if isHit { paraphraseHits += 1 }
                if correct == true { paraphraseCorrect += 1 }
            case .nearMiss:
                nearMisses += 1
                if correct == false { nearMissFalse += 1 }
            case .original:
                break
            }
            if q.kind != .nearMiss {
                tokWith += c.summaryTokensSpent; tokWithout += b.summaryTokensSpent
                callsWith += c.summaryCalls; callsWithout += b.summaryCalls
            }
            tokWithAll += c.summaryTokensSpent; tokWithoutAll += b.summaryTokensSpent
            callsWithAll += c.summaryCalls; callsWithoutAll += b.summaryCalls
            emW += ew; emWo += ewo; f1W += fw; f1Wo += fwo
            latW += c.embedSeconds + c.llmSeconds
            latWo += b.embedSeconds + b.llmSeconds
            var k = kinds[q.kind.rawValue] ?? .init(questions: 0, hits: 0, emWithCache: 0, emWithoutCache: 0, f1WithCache: 0, f1WithoutCache: 0)
            k.questions += 1
            if isHit { k.hits += 1 }
            k.emWithCache += ew; k.emWithoutCache += ewo; k.f1WithCache += fw; k.f1WithoutCache += fwo
            kinds[q.kind.rawValue] = k
            outcomes.append(QuestionOutcome(familyId: q.familyID, kind: q.kind.rawValue, question: q.text, gold: q.gold,
                                            answerWithCache: c.answer, answerWithoutCache: b.answer, hit: isHit, correctReuse: correct,
                                            reusedQuestion: reuse?.reusedQuestion, similarity: reuse?.similarity ?? c.documents.first?.similarity,
                                            vetoedBy: c.documents.flatMap(\.vetoedBy), emWithCache: ew, emWithoutCache: ewo))
        }
        let n = Double(max(outcomes.count, 1))
        for (key, var k) in kinds {
            let m = Double(max(k.questions, 1))
            k.emWithCache *= 100 / m; k.emWithoutCache *= 100 / m; k.f1WithCache *= 100 / m; k.f1WithoutCache *= 100 / m
            kinds[key] = k
        }
        func ratio(_ a: Int, _ b: Int) -> Double { b == 0 ? 0 : Double(a) / Double(b) }
        var result = ThresholdResult(threshold: threshold)
        result.hitRate = ratio(paraphraseHits, paraphrases)
        result.correctHitRate = ratio(paraphraseCorrect, paraphrases)
        result.falseHitRate = ratio(nearMissFalse, nearMisses)
        result.falseHitRateInterval = WilsonInterval(successes: nearMissFalse, trials: nearMisses)
        result.answerChangedRate = ratio(changed, hits)
        result.answerWorseRate = ratio(worse, hits)
        result.falseHits = falseHits
        result.hits = hits
        result.summaryTokensSavedFraction = 1 - ratio(tokWith, tokWithout)
        result.summaryCallsSavedFraction = 1 - ratio(callsWith, callsWithout)
        result.summaryTokensSavedFractionAll = 1 - ratio(tokWithAll, tokWithoutAll)
        result.summaryCallsSavedFractionAll = 1 - ratio(callsWithAll, callsWithoutAll)
        result.summaryTokensWithCache = tokWithAll
        result.summaryTokensWithoutCache = tokWithoutAll
        result.emWithCache = 100 * emW / n
        result.emWithoutCache = 100 * emWo / n
        result.f1WithCache = 100 * f1W / n
        result.f1WithoutCache = 100 * f1Wo / n
        result.latencyMeanMsWithCache = 1000 * latW / n
        result.latencyMeanMsWithoutCache = 1000 * latWo / n
        result.byKind = kinds
        return (result, outcomes)
    }

    /// The lowest threshold whose false-hit rate is ≤ `maxFalseHitRate` and whose EM and F1 are
    /// within `maxAccuracyDrop` points of the no-cache run; failing that, the lowest meeting the
    /// false-hit bound; failing that, the threshold with the lowest false-hit rate (highest on
    /// ties). `reason` says which rule chose it.
    public static func recommend(_ results: [ThresholdResult], maxFalseHitRate: Double = 0.02,
                                 maxAccuracyDrop: Double = 2) -> (result: ThresholdResult, reason: String)? {
        let sorted = results.sorted { $0.threshold < $1.threshold }
        let bound = String(format: "%.0f%%", 100 * maxFalseHitRate)
        let safe = sorted.filter { $0.falseHitRate <= maxFalseHitRate }
        if let both = safe.first(where: { $0.emWithoutCache - $0.emWithCache <= maxAccuracyDrop && $0.f1WithoutCache - $0.f1WithCache <= maxAccuracyDrop }) {
            return (both, "lowest threshold with near-miss false-hit rate <= \(bound) and EM/F1 within \(maxAccuracyDrop) points of no-cache")
        }
        if let first = safe.first {
            return (first, "lowest threshold with near-miss false-hit rate <= \(bound); none also kept EM/F1 within \(maxAccuracyDrop) points")
        }
        guard let best = sorted.min(by: { $0.falseHitRate != $1.falseHitRate ? $0.falseHitRate < $1.falseHitRate : $0.threshold > $1.threshold }) else { return nil }
        return (best, "no threshold met the \(bound) false-hit bound; lowest false-hit rate shown")
    }
}
