import Foundation
import ServeCore

/// Chooses the next token from logits with llama.cpp's sampler-chain semantics:
/// repetition penalty → top-k → top-p → min-p → temperature → seeded draw.
///
/// Temperature 0 is greedy (argmax after the penalty). A sampler owns its `SplitMix64`, so the same
/// seed, logits and history always give the same tokens. Filters keep at least one token.
public struct Sampler: Sendable {
    public let parameters: SamplingParameters
    var rng: SplitMix64
    /// Reused candidate storage (token ids with their logits), so steady-state sampling does not allocate.
    var candidates: [Candidate] = []

    /// - Parameter defaultSeed: the seed when `parameters.seed` is nil (callers pass per-request entropy).
    public init(parameters: SamplingParameters, defaultSeed: UInt64 = 0) {
        self.parameters = parameters
        self.rng = SplitMix64(seed: parameters.seed ?? defaultSeed)
    }

    /// Picks a token. Applies the repetition penalty to `logits` in place.
    ///
    /// - Parameter recent: the sequence so far (prompt and generated tokens); only the last
    ///   `repetitionWindow` are penalised.
    public mutating func sample(_ logits: UnsafeMutableBufferPointer<Float>, recent: ArraySlice<TokenID>) -> TokenID {
        Self.applyRepetitionPenalty(logits, recent: recent, penalty: parameters.repetitionPenalty,
                                    window: parameters.repetitionWindow)
        if parameters.temperature <= 0 { return Self.argmax(UnsafeBufferPointer(logits)) }
        filter(UnsafeBufferPointer(logits))
        return draw()
    }

    /// The distribution `sample` would draw from (after every filter and the temperature), most
    /// probable first. Applies the repetition penalty to `logits` in place. For tests and logprobs.
    package mutating func distribution(_ logits: UnsafeMutableBufferPointer<Float>,
                                       recent: ArraySlice<TokenID>) -> [(token: TokenID, probability: Float)] {
        Self.applyRepetitionPenalty(logits, recent: recent, penalty: parameters.repetitionPenalty,
                                    window: parameters.repetitionWindow)
        if parameters.temperature <= 0 { return [(Self.argmax(UnsafeBufferPointer(logits)), 1)] }
        filter(UnsafeBufferPointer(logits))
        return candidates.map { ($0.token, $0.probability) }
    }

    /// Index of the largest logit (the lowest index among ties).
    public static func argmax(_ logits: UnsafeBufferPointer<Float>) -> TokenID {
        var best = 0
        var bestValue = -Float.infinity
        for (i, value) in logits.enumerated() where value > bestValue {
            best = i
            bestValue = value
        }
        return TokenID(best)
    }

    /// The `k` largest logits, largest first (ties: lower id first).
    public static func topK(_ logits: UnsafeBufferPointer<Float>, k: Int) -> [(token: TokenID, logit: Float)] {
        let k = min(max(k, 0), logits.count)
        guard k > 0 else { return [] }
        var best: [(token: TokenID, logit: Float)] = []
        best.reserveCapacity(k + 1)
        for (i, value) in logits.enumerated() {
            if best.count == k, let last = best.last, !(value > last.logit) { continue }
            var position = best.count
            while position > 0, best[position - 1].logit < value { position -= 1 }
            best.insert((TokenID(i), value), at: position)
            if best.count > k { best.removeLast() }
        }
        return best
    }

    /// llama.cpp's repetition penalty: every distinct token among the last `window` of `recent`
    /// has a positive logit divided by `penalty`, a non-positive one multiplied by it.
    public static func applyRepetitionPenalty(_ logits: UnsafeMutableBufferPointer<Float>, recent: ArraySlice<TokenID>,
                                              penalty: Float, window: Int) {
        guard penalty != 1, window > 0, !recent.isEmpty else { return }
        let tail = recent.suffix(window)
        // Apply once per distinct token: mark visited tokens by checking earlier occurrences in the
        // (short) window instead of allocating a set.
        for (offset, token) in zip(tail.indices, tail) {
            guard token >= 0, Int(token) < logits.count else { continue }
            if tail[tail.startIndex..<offset].contains(token) { continue }
            let i = Int(token)
            logits[i] = logits[i] > 0 ? logits[i] / penalty : logits[i] * penalty
        }
    }
}
