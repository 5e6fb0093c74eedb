import Foundation
import ServeCore

/// A surviving token during filtering.
struct Candidate: Sendable {
    var token: TokenID
    var logit: Float
    var probability: Float
}

extension Sampler {
    /// Tokens whose logit is this far below the maximum have probability < e⁻³⁰ ≈ 10⁻¹³ relative to
    /// the best token: below Float resolution for every filter, so they are dropped before sorting.
    static let negligibleLogitGap: Float = 30

    /// Fills `candidates` with the filtered, tempered distribution, most probable first.
    mutating func filter(_ logits: UnsafeBufferPointer<Float>) {
        let p = parameters
        var maxLogit = -Float.infinity
        for value in logits where value > maxLogit { maxLogit = value }
        // The gap is measured after temperature division when the temperature exceeds 1.
        let gap = Self.negligibleLogitGap * max(1, p.temperature)
        candidates.removeAll(keepingCapacity: true)
        for (i, value) in logits.enumerated() where value >= maxLogit - gap {
            candidates.append(Candidate(token: TokenID(i), logit: value, probability: 0))
        }
        if candidates.isEmpty {   // every logit NaN or -inf: fall back to the argmax
            candidates.append(Candidate(token: Self.argmax(logits), logit: 0, probability: 1))
            return
        }
        candidates.sort { $0.logit != $1.logit ? $0.logit > $1.logit : $0.token < $1.token }
        if p.topK > 0, candidates.count > p.topK {
            candidates.removeLast(candidates.count - p.topK)
        }
        if p.topP < 1 {
            softmax(temperature: 1)
            var cumulative: Float = 0
            var keep = candidates.count
            for (i, c) in candidates.enumerated() {
                cumulative += c.probability
                if cumulative >= p.topP {
                    keep = i + 1
                    break
                }
            }
            candidates.removeLast(candidates.count - keep)
        }
        if p.minP > 0 {
            // p ≥ minP·p_max  ⇔  logit ≥ max + log(minP) (before temperature, as llama.cpp's chain).
            let threshold = candidates[0].logit + log(p.minP)
            var keep = 1
            while keep < candidates.count, candidates[keep].logit >= threshold { keep += 1 }
            candidates.removeLast(candidates.count - keep)
        }
        softmax(temperature: p.temperature)
    }

    /// Sets each candidate's probability to softmax(logit / temperature) over the candidates.
    mutating func softmax(temperature: Float) {
        guard let top = candidates.first?.logit else { return }
        var sum: Double = 0
        for i in candidates.indices {
            let e = Double(expf((candidates[i].logit - top) / temperature))
            candidates[i].probability = Float(e)
            sum += e
        }
        let inverse = Float(1 / sum)
        for i in candidates.indices { candidates[i].probability *= inverse }
    }

    /// Draws one candidate by its probability.
    mutating func draw() -> TokenID {
        let u = Float(rng.nextUnitDouble())
        var cumulative: Float = 0
        for c in candidates {
            cumulative += c.probability
            if u < cumulative { return c.token }
        }
        return candidates.last?.token ?? 0   // rounding left u above the total
    }
}
