import Foundation
import GGUF
import Kernels
import LlamaModel
import ServeCore
import Testing
import TestSupport

/// Greedy continuations against the float64 numpy oracle (`Scripts/reference_greedy.py`), which has
/// no int8 rounding: our forward on the scalar reference kernels (F32 activations) and an F32 KV
/// cache must produce the same 32+ tokens, diverging only where the oracle's top-2 margin is below
/// 0.01 (our F32 logits are within 0.001 of float64; see LlamaRealModelTests).
@Suite struct ReferenceGreedyTests {
    struct Golden: Decodable {
        struct Case: Decodable { let name: String; let promptIDs: [Int32]; let greedy: [Int32]; let top2Margin: [Float] }
        let cases: [Case]
    }

    @Test func greedyMatchesFloat64OracleForAtLeast32Tokens() throws {
        guard let url = Bundle.module.url(forResource: "Golden/model-reference-greedy", withExtension: "json") else {
            Issue.record("missing Golden/model-reference-greedy.json")
            return
        }
        let golden = try JSONDecoder().decode(Golden.self, from: Data(contentsOf: url))
        let weights = try LlamaWeights(bytes: MappedBytes.load(try RealModels.smolLM2Path()), pack: false)
        let context = try LlamaContext(weights: weights, maxBatchTokens: 128, maxLogitRows: 1, pool: ThreadPool(threadCount: 2))
        context.useReferenceKernels = true
        var fullMatches = 0
        for c in golden.cases.prefix(8) {
            let cache = try context.makeCache(capacity: c.promptIDs.count + 40, precision: .f32)
            var rows = try context.forward([SequenceChunk(cache: cache, tokens: c.promptIDs, logits: .last)])
            var matched = 0
            for (step, expected) in c.greedy.prefix(32).enumerated() {
                let token = Sampler.argmax(UnsafeBufferPointer(context.logits(row: rows[0].lowerBound)))
                if token != expected {
                    #expect(c.top2Margin[step] < 0.01, "\(c.name) step \(step): \(token) vs oracle \(expected) (margin \(c.top2Margin[step]))")
                    break
                }
                matched += 1
                rows = try context.forward([SequenceChunk(cache: cache, tokens: [token], logits: .last)])
            }
            if matched == 32 { fullMatches += 1 }
        }
        #expect(fullMatches >= 8, "prompts matching the oracle for 32 tokens: \(fullMatches) of 8")
    }
}

/// Reads a file into owned bytes (tests only).
enum MappedBytes {
    static func load(_ path: String) throws -> ReadOnlyBytes {
        ReadOnlyBytes(copying: try RealModels.readFile(path))
    }
}
