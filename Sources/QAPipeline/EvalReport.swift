import Foundation

/// The `loraserve eval qa --json` object: the chosen threshold's scores at the top level
/// (`hit_rate`, `false_hit_rate`, `summary_tokens_saved_fraction`, `summary_calls_saved_fraction`,
/// `em_with_cache`, `em_without_cache`, `f1_with_cache`, `f1_without_cache`, `threshold`, …) plus
/// the run's description and, for `--sweep`, every threshold in `sweep`.
public struct EvalReport: Sendable, Encodable {
    public var chosen: ThresholdResult
    public var sweep: [ThresholdResult]
    public var llm: String
    public var embedder: String
    public var families: Int
    public var questions: Int
    /// LLM calls really made for the whole evaluation (all thresholds together).
    public var llmCalls: Int
    public var wallSeconds: Double
    public var recommendedBy: String
    /// What `threshold` thresholds: the query similarity, or the reuse verifier's P(same question)
    /// (with the similarity floor and the verifier's digest).
    public var thresholdMeaning = "similarity"

    public init(chosen: ThresholdResult, sweep: [ThresholdResult], llm: String, embedder: String, families: Int, questions: Int,
                llmCalls: Int, wallSeconds: Double, recommendedBy: String) {
        self.chosen = chosen
        self.sweep = sweep
        self.llm = llm
        self.embedder = embedder
        self.families = families
        self.questions = questions
        self.llmCalls = llmCalls
        self.wallSeconds = wallSeconds
        self.recommendedBy = recommendedBy
    }

    enum Extra: String, CodingKey {
        case sweep, llm, embedder, families, questions, llmCalls, wallSeconds, recommendedBy, thresholdMeaning
    }

    /// Flattens `chosen` into the top level (one keyed container: JSONEncoder merges both).
    public func encode(to encoder: any Encoder) throws {
        try chosen.encode(to: encoder)
        var c = encoder.container(keyedBy: Extra.self)
        try c.encode(sweep, forKey: .sweep)
        try c.encode(llm, forKey: .llm)
        try c.encode(embedder, forKey: .embedder)
        try c.encode(families, forKey: .families)
        try c.encode(questions, forKey: .questions)
        try c.encode(llmCalls, forKey: .llmCalls)
        try c.encode(wallSeconds, forKey: .wallSeconds)
        try c.encode(recommendedBy, forKey: .recommendedBy)
        try c.encode(thresholdMeaning, forKey: .thresholdMeaning)
    }

    /// Sorted keys, snake_case (the CLI contract).
    public func json(pretty: Bool = false) throws -> String {
        let e = JSONEncoder()
        e.keyEncodingStrategy = .convertToSnakeCase
        e.outputFormatting = pretty ? [.sortedKeys, .prettyPrinted] : [.sortedKeys]
        return String(decoding: try e.encode(self), as: UTF8.self)
    }

    /// The sweep as a Markdown table (the chosen row in bold).
    public func markdown() -> String {
        var s = "| threshold | paraphrase hit rate | near-miss false-hit rate (95% interval) | answer changed / worse (of hits) | summary tokens saved (paraphrase workload) | summary calls saved | tokens saved (all) | EM with / without | F1 with / without | latency ms with / without |\n"
        s += "|---|---|---|---|---|---|---|---|---|---|\n"
        let rows = sweep.isEmpty ? [chosen] : sweep
        for r in rows {
            let bold = r.threshold == chosen.threshold
            let t = String(format: "%.2f", r.threshold)
            let cells = [bold ? "**\(t)**" : t, pct(r.hitRate), pct(r.falseHitRate) + " (" + pct(r.falseHitRateInterval.lower) + "–" + pct(r.falseHitRateInterval.upper) + ")", pct(r.answerChangedRate) + " / " + pct(r.answerWorseRate),
                         pct(r.summaryTokensSavedFraction), pct(r.summaryCallsSavedFraction), pct(r.summaryTokensSavedFractionAll),
                         String(format: "%.1f / %.1f", r.emWithCache, r.emWithoutCache), String(format: "%.1f / %.1f", r.f1WithCache, r.f1WithoutCache),
                         String(format: "%.0f / %.0f", r.latencyMeanMsWithCache, r.latencyMeanMsWithoutCache)]
            s += "| " + cells.joined(separator: " | ") + " |\n"
        }
        return s
    }

    func pct(_ x: Double) -> String { String(format: "%.1f%%", 100 * x) }
}
