import SummaryCache

/// Runs the QA pipeline over an `EvalWorkload` without the cache and with it at each threshold,
/// on the same LLM, and scores the runs (`EvalScoring`).
///
/// Efficiency: with greedy decoding an LLM output is a function of its prompt, and the threshold
/// only changes hit/miss decisions (which depend on questions, never on summary text). So every
/// run goes through one `MemoizingLLMClient`: a dry run in recording mode collects the prompts all
/// runs need (first the summaries, then the answers built on them), `prefetch` computes them
/// concurrently (the engine batches them), and the final runs replay. Each distinct
/// (question, summary source) pair costs one LLM call however many thresholds are swept.
public struct QAEvaluator: Sendable {
    public let workload: EvalWorkload
    public let llm: MemoizingLLMClient
    public let embedder: any Embedder
    public let cacheConfig: CacheConfig
    public let pipelineConfig: QAPipelineConfig
    /// Concurrent LLM calls while prefetching.
    public let concurrency: Int
    /// Shared by every run, so each document's units are embedded once (nil: no focus guard).
    public let focusCache: DocumentFocusCache?
    /// With a verifier, the swept threshold is the verifier's (minimum P(same question)) and the
    /// similarity threshold stays `cacheConfig.similarityThreshold` (the candidate floor).
    public let verifier: ReuseVerifier?

    public init(workload: EvalWorkload, llm: MemoizingLLMClient, embedder: any Embedder, cacheConfig: CacheConfig = CacheConfig(),
                pipelineConfig: QAPipelineConfig = QAPipelineConfig(), concurrency: Int = 8,
                focusCache: DocumentFocusCache? = DocumentFocusCache(), verifier: ReuseVerifier? = nil) {
        self.workload = workload
        self.llm = llm
        self.embedder = embedder
        self.cacheConfig = cacheConfig
        self.pipelineConfig = pipelineConfig
        self.concurrency = concurrency
        self.focusCache = focusCache
        self.verifier = verifier
    }

    public static let tenant = TenantID("eval")

    /// The no-cache run and one cached run per threshold (fresh cache each), in the order given.
    public func run(thresholds: [Float], progress: @escaping @Sendable (String, Int, Int) -> Void = { _, _, _ in })
        async throws -> (baseline: [QAResponse], cached: [[QAResponse]]) {
        var pass = 0
        while true {
            await llm.setRecording(true)
            _ = try await runAll(thresholds: thresholds)
            await llm.setRecording(false)
            let pending = await llm.pendingCount
            if pending == 0 { break }
            pass += 1
            let label = pass == 1 ? "summaries" : pass == 2 ? "answers" : "LLM pass \(pass)"
            try await llm.prefetch(width: concurrency) { done, total in progress(label, done, total) }
            // Summaries, then answers on them; a third pass cannot add prompts (decisions do not
            // depend on LLM text), so this is a guard against a bug, not a normal path.
            guard pass < 4 else { throw QAPipelineError.invalidArgument("evaluation did not converge after \(pass) LLM passes") }
        }
        return try await runAll(thresholds: thresholds)
    }

    func runAll(thresholds: [Float]) async throws -> (baseline: [QAResponse], cached: [[QAResponse]]) {
        var noCache = pipelineConfig
        noCache.cacheEnabled = false
        let baseline = try await runOnce(config: noCache, threshold: nil)
        var cached: [[QAResponse]] = []
        for t in thresholds {
            var c = pipelineConfig
            c.cacheEnabled = true
            cached.append(try await runOnce(config: c, threshold: t))
        }
        return (baseline, cached)
    }

    /// Asks every question in order against a fresh cache. The cache clock advances one second a
    /// question (TTL never matters at evaluation scale).
    func runOnce(config: QAPipelineConfig, threshold: Float?) async throws -> [QAResponse] {
        var cc = cacheConfig
        var v = verifier
        if let threshold {
            if v != nil { v?.threshold = Double(threshold) } else { cc.similarityThreshold = threshold }
        }
        let cache = try LocalSummaryCache(config: cc, verifier: v)
        let clock = EvalClock()
        let pipeline = QAPipeline(llm: llm, embedder: embedder, cache: cache, config: config, now: { clock.now },
                                  focusCache: focusCache)
        var out: [QAResponse] = []
        out.reserveCapacity(workload.questions.count)
        for q in workload.questions {
            clock.tick()
            out.append(try await pipeline.answer(QARequest(tenant: Self.tenant, question: q.text, documents: [q.document])))
        }
        return out
    }
}

/// A logical clock for evaluation runs (one tick a question).
final class EvalClock: Sendable {
    private let value = AtomicDouble()
    var now: Double { value.load() }
    func tick() { value.add(1) }
}
