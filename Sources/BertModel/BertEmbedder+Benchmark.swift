/// Throughput of one batch size in `BertEmbedder.benchmark`.
public struct EmbedBenchmarkResult: Sendable, Codable, Hashable {
    public var batchSize: Int
    public var sentences: Int
    public var tokens: Int
    public var seconds: Double
    public var sentencesPerSecond: Double { seconds > 0 ? Double(sentences) / seconds : 0 }
}

/// Timed passes over a fixed sentence set at one batch size (`BertEmbedder.measurePasses`), the
/// shape `loraserve bench embed --json` reports and `Scripts/bench_embedder.py` compares with
/// sentence-transformers' `encode(texts, batch_size:)` over the same sentences.
public struct EmbedPassTimings: Sendable, Codable, Hashable {
    public var batchSize: Int
    /// Sentences and tokens ([CLS]/[SEP] included, after truncation) embedded per pass.
    public var sentences: Int
    public var tokens: Int
    /// Wall seconds of each timed pass, in order.
    public var runSeconds: [Double]

    public init(batchSize: Int, sentences: Int, tokens: Int, runSeconds: [Double]) {
        self.batchSize = batchSize
        self.sentences = sentences
        self.tokens = tokens
        self.runSeconds = runSeconds
    }

    /// Median pass time (the mean of the middle two for an even count); 0 without runs.
    public var medianSeconds: Double {
        let sorted = runSeconds.sorted()
        guard !sorted.isEmpty else { return 0 }
        let mid = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
    }

    /// Sentences per second of the median pass.
    public var sentencesPerSecond: Double { medianSeconds > 0 ? Double(sentences) / medianSeconds : 0 }
}

extension BertEmbedder {
    /// Embeds all of `texts`, in order, as consecutive batches of `batchSize` (the last one may be
    /// shorter), tokenisation included as in sentence-transformers' `encode()`. Runs `warmupRuns`
    /// untimed passes (they also grow `context`'s scratch), then `runs` timed ones.
    ///
    /// - Parameter now: a monotonic clock in seconds, supplied by the caller (this module reads
    ///   no clocks).
    public func measurePasses(texts: [String], batchSize: Int, runs: Int, warmupRuns: Int = 1,
                              context: BertContext = BertContext(), now: () -> Double) throws(EmbedError) -> EmbedPassTimings {
        let size = max(batchSize, 1)
        let tokens = texts.reduce(0) { $0 + tokenize($1).count }
        var seconds: [Double] = []
        for pass in 0..<(max(warmupRuns, 0) + max(runs, 0)) {
            let timed = pass >= warmupRuns
            let start = timed ? now() : 0
            var first = 0
            while first < texts.count {
                let last = min(first + size, texts.count)
                _ = try encoder.embed(tokenIDs: texts[first..<last].map(tokenize), context: context)
                first = last
            }
            if timed { seconds.append(now() - start) }
        }
        return EmbedPassTimings(batchSize: size, sentences: texts.count, tokens: tokens, runSeconds: seconds)
    }

    /// Embeds batches of `batchSize` texts taken cyclically from `texts` until `minimumSeconds`
    /// have passed (at least one batch), after one warm-up batch, for each batch size.
    ///
    /// - Parameter now: a monotonic clock in seconds, supplied by the caller (this module reads
    ///   no clocks).
    public func benchmark(texts: [String], batchSizes: [Int] = [1, 32, 128], minimumSeconds: Double = 2,
                          now: () -> Double) throws(EmbedError) -> [EmbedBenchmarkResult] {
        guard !texts.isEmpty else { return [] }
        let context = BertContext()
        let tokenized = texts.map(tokenize)
        var results: [EmbedBenchmarkResult] = []
        for batchSize in batchSizes where batchSize > 0 {
            var cursor = 0
            // Warm-up: grows the context's scratch to this batch size outside the timed loop.
            _ = try encoder.embed(tokenIDs: (0..<batchSize).map { tokenized[$0 % tokenized.count] }, context: context)
            var sentences = 0, tokens = 0
            let start = now()
            var elapsed = 0.0
            repeat {
                // Tokenisation is part of the measured work, as in sentence-transformers' encode().
                let batch = (0..<batchSize).map { texts[(cursor + $0) % texts.count] }
                cursor += batchSize
                let ids = batch.map(tokenize)
                _ = try encoder.embed(tokenIDs: ids, context: context)
                sentences += batchSize
                tokens += ids.reduce(0) { $0 + $1.count }
                elapsed = now() - start
            } while elapsed < minimumSeconds
            results.append(EmbedBenchmarkResult(batchSize: batchSize, sentences: sentences, tokens: tokens, seconds: elapsed))
        }
        return results
    }
}
