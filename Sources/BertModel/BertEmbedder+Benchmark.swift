/// Throughput of one batch size in `BertEmbedder.benchmark`.
public struct EmbedBenchmarkResult: Sendable, Codable, Hashable {
    public var batchSize: Int
    public var sentences: Int
    public var tokens: Int
    public var seconds: Double
    public var sentencesPerSecond: Double { seconds > 0 ? Double(sentences) / seconds : 0 }
}

extension BertEmbedder {
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
