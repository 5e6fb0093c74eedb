import Foundation
import LlamaModel
import ServeCore
import Testing

/// Runs `body` on a mutable copy of `logits`.
func withLogits<R>(_ logits: [Float], _ body: (UnsafeMutableBufferPointer<Float>) -> R) -> R {
    var copy = logits
    return copy.withUnsafeMutableBufferPointer { body($0) }
}

@Suite("Sampler")
struct SamplerTests {
    static let logits: [Float] = [1.0, 3.0, -2.0, 2.5, 0.5, 3.0, -1.0, 0.0]

    func distribution(_ parameters: SamplingParameters, _ logits: [Float] = Self.logits,
                      recent: [TokenID] = []) -> [(token: TokenID, probability: Float)] {
        var sampler = Sampler(parameters: parameters)
        return withLogits(logits) { sampler.distribution($0, recent: recent[...]) }
    }

    @Test("temperature 0 is argmax, lowest id on ties")
    func greedy() {
        var sampler = Sampler(parameters: SamplingParameters(temperature: 0))
        #expect(withLogits(Self.logits) { sampler.sample($0, recent: []) } == 1)
    }

    @Test("topK returns the k largest, largest first")
    func topKStatic() {
        let top = Self.logits.withUnsafeBufferPointer { Sampler.topK($0, k: 3) }
        #expect(top.map(\.token) == [1, 5, 3])
        #expect(top.map(\.logit) == [3.0, 3.0, 2.5])
        #expect(Self.logits.withUnsafeBufferPointer { Sampler.topK($0, k: 100) }.count == Self.logits.count)
    }

    @Test("repetition penalty divides positive and multiplies negative logits in the window, once per token")
    func repetitionPenalty() {
        let out = withLogits(Self.logits) { buffer in
            Sampler.applyRepetitionPenalty(buffer, recent: [0, 3, 2, 3, 2][...], penalty: 2, window: 4)
            return Array(buffer)
        }
        #expect(out[0] == 1.0, "token 0 is outside the window")
        #expect(out[3] == 1.25, "positive logit divided once although repeated")
        #expect(out[2] == -4.0, "negative logit multiplied once")
        #expect(out[1] == 3.0)
    }

    @Test("repetition penalty changes the greedy choice")
    func penaltyGreedy() {
        var sampler = Sampler(parameters: SamplingParameters(temperature: 0, repetitionPenalty: 1.5))
        #expect(withLogits(Self.logits) { sampler.sample($0, recent: [1, 5]) } == 3)
    }

    @Test("top-k keeps the k most likely tokens")
    func topK() {
        let d = distribution(SamplingParameters(temperature: 1, topK: 2))
        #expect(d.map(\.token) == [1, 5])
        #expect(abs(d[0].probability - 0.5) < 1e-6)
    }

    @Test("top-p keeps the smallest prefix reaching p")
    func topP() {
        let e = Self.logits.map { exp(Double($0)) }
        let total = e.reduce(0, +)
        let pTop2 = (e[1] + e[5]) / total   // the two 3.0 logits
        let d = distribution(SamplingParameters(temperature: 1, topP: Float(pTop2) - 0.01))
        #expect(d.map(\.token) == [1, 5])
        let d3 = distribution(SamplingParameters(temperature: 1, topP: Float(pTop2) + 0.01))
        #expect(d3.map(\.token) == [1, 5, 3])
    }

    @Test("min-p keeps tokens with p >= minP * p_max")
    func minP() {
        // exp(2.5 - 3) = 0.61, exp(1 - 3) = 0.135
        #expect(distribution(SamplingParameters(temperature: 1, minP: 0.5)).map(\.token) == [1, 5, 3])
        #expect(distribution(SamplingParameters(temperature: 1, minP: 0.1)).map(\.token) == [1, 5, 3, 0])
    }

    @Test("temperature rescales the softmax", arguments: [Float(0.5), 1, 2])
    func temperature(_ t: Float) {
        let d = distribution(SamplingParameters(temperature: t))
        let e = Self.logits.map { exp(Double($0 / t)) }
        let total = e.reduce(0, +)
        #expect(d.count == Self.logits.count)
        for (token, p) in d { #expect(abs(Double(p) - e[Int(token)] / total) < 1e-5) }
    }

    @Test("the same seed gives the same tokens; draws follow the probabilities")
    func seeded() {
        let parameters = SamplingParameters(temperature: 1, seed: 42)
        func draws(_ p: SamplingParameters) -> [TokenID] {
            var sampler = Sampler(parameters: p)
            return (0..<4000).map { _ in withLogits(Self.logits) { sampler.sample($0, recent: []) } }
        }
        let a = draws(parameters), b = draws(parameters)
        #expect(a == b)
        var other = parameters
        other.seed = 43
        #expect(draws(other) != a)
        let e = Self.logits.map { exp(Double($0)) }
        let total = e.reduce(0, +)
        for token in 0..<Self.logits.count {
            let frequency = Double(a.filter { $0 == token }.count) / Double(a.count)
            #expect(abs(frequency - e[token] / total) < 0.03, "token \(token)")
        }
    }

    @Test("filters always keep at least one token")
    func keepsOne() {
        let d = distribution(SamplingParameters(temperature: 1, topK: 1, topP: 0.01, minP: 1))
        #expect(d.map(\.token) == [1])
        var sampler = Sampler(parameters: SamplingParameters(temperature: 0.7, topP: 0.01, seed: 1))
        #expect(withLogits(Self.logits) { sampler.sample($0, recent: []) } == 1)
    }
}
