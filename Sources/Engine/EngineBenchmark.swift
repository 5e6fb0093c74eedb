import Kernels
import LlamaModel
import ServeCore

/// Measures prefill and single-stream decode throughput of one `LlamaContext` configuration.
///
/// Every figure is the median of `runs` repetitions; callers compare configurations measured in the
/// same process (this machine drifts ±10–15% over minutes, so only ratios are trustworthy).
public struct EngineBenchmark {
    public struct Figures: Sendable, Codable, Equatable {
        public var prefill64TokensPerSecond: Double
        public var prefill512TokensPerSecond: Double
        public var decodeTokensPerSecond: Double

        public init(prefill64TokensPerSecond: Double, prefill512TokensPerSecond: Double, decodeTokensPerSecond: Double) {
            self.prefill64TokensPerSecond = prefill64TokensPerSecond
            self.prefill512TokensPerSecond = prefill512TokensPerSecond
            self.decodeTokensPerSecond = decodeTokensPerSecond
        }

        enum CodingKeys: String, CodingKey {
            case prefill64TokensPerSecond = "prefill_64_tokens_per_second"
            case prefill512TokensPerSecond = "prefill_512_tokens_per_second"
            case decodeTokensPerSecond = "decode_tokens_per_second"
        }
    }

    public let weights: LlamaWeights
    public let promptSource: [TokenID]

    /// `promptSource` supplies realistic token ids (repeated as needed to reach each prompt length).
    public init(weights: LlamaWeights, promptSource: [TokenID]) {
        self.weights = weights
        self.promptSource = promptSource.isEmpty ? [1] : promptSource
    }

    func prompt(_ count: Int) -> [TokenID] {
        (0..<count).map { promptSource[$0 % promptSource.count] }
    }

    /// Tokens per second of one prefill of `tokens` tokens (median over `runs`).
    public func prefill(tokens: Int, context: LlamaContext, runs: Int) throws -> Double {
        let ids = prompt(tokens)
        var rates: [Double] = []
        let clock = ContinuousClock()
        for _ in 0..<max(1, runs) {
            let cache = try context.makeCache(capacity: tokens)
            var offset = 0
            let start = clock.now
            while offset < tokens {
                let end = min(offset + context.maxBatchTokens, tokens)
                try context.forward([SequenceChunk(cache: cache, tokens: Array(ids[offset..<end]), logits: end == tokens ? .last : .none)])
                offset = end
            }
            rates.append(Double(tokens) / (clock.now - start).seconds)
        }
        return Self.median(rates)
    }

    /// Tokens per second of greedy single-stream decode of `tokens` tokens after a short prompt.
    public func decode(tokens: Int, context: LlamaContext, runs: Int) throws -> Double {
        let ids = prompt(16)
        var rates: [Double] = []
        let clock = ContinuousClock()
        for _ in 0..<max(1, runs) {
            let cache = try context.makeCache(capacity: ids.count + tokens + 1)
            try context.forward([SequenceChunk(cache: cache, tokens: ids, logits: .last)])
            var next = Self.argmax(context.logits(row: 0))
            let start = clock.now
            for _ in 0..<tokens {
                try context.forward([SequenceChunk(cache: cache, tokens: [next], logits: .last)])
                next = Self.argmax(context.logits(row: 0))
            }
            rates.append(Double(tokens) / (clock.now - start).seconds)
        }
        return Self.median(rates)
    }

    static func argmax(_ logits: UnsafeMutableBufferPointer<Float>) -> TokenID {
        var best = 0
        for i in logits.indices where logits[i] > logits[best] { best = i }
        return TokenID(best)
    }

    package static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return 0 }
        return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }
}
