import Kernels
import LlamaModel
import ServeCore
import Testing

/// Runs `chunks` and copies out each chunk's logit rows.
func run(_ context: LlamaContext, _ chunks: [SequenceChunk]) throws -> [[[Float]]] {
    let ranges = try context.forward(chunks)
    return ranges.map { range in range.map { Array(context.logits(row: $0)) } }
}

func maxAbsDifference(_ a: [Float], _ b: [Float]) -> Float {
    zip(a, b).map { abs($0 - $1) }.max() ?? .infinity
}

/// How far two runs of the same logits may differ. F32 weights: summation order only. Quantised
/// weights: the kernels multiply few tokens with int8-quantised activations (as llama.cpp; below
/// 4 tokens, or below 48 for repacked weights) and more with F32 ones, so a token's logits depend slightly on how many tokens share its
/// matmul; allow 4% of the row's largest logit.
func batchTolerance(_ kind: TinyLlama.Weights, _ row: [Float]) -> Float {
    kind == .f32 ? 1e-4 : 0.04 * (row.map(abs).max() ?? 0)
}

@Suite("LlamaContext")
struct LlamaContextTests {
    // Pools live for the whole test run, as the engine's does (no thread start-up per test).
    static let pool = ThreadPool(threadCount: 2)
    static let singleThread = ThreadPool(threadCount: 1)

    func context(_ weights: LlamaWeights, batch: Int = 64, rows: Int = 64, threads: Int? = nil) throws -> LlamaContext {
        try LlamaContext(weights: weights, maxBatchTokens: batch, maxLogitRows: rows,
                         pool: threads == 1 ? Self.singleThread : Self.pool)
    }

    /// Logits of every position against the scalar reference. The F32 model differs only by
    /// summation order; the quantised one also by the kernels' int8 activation quantisation.
    /// Repacked quantised weights (`pack`) multiply up to 47 tokens with int8 activations.
    @Test("matches the scalar reference forward", arguments: [
        (TinyLlama.Weights.f32, false, Float(2e-3)), (.quantized, false, 0.15), (.quantized, true, 0.4),
    ])
    func matchesReference(kind: TinyLlama.Weights, pack: Bool, tolerance: Float) throws {
        let bytes = try TinyLlama.bytes(kind)
        let reference = try ReferenceLlama(bytes: bytes).logits(TinyLlama.tokens(20, seed: 1))
        let weights = try LlamaWeights(bytes: ReadOnlyBytes(copying: bytes), pack: pack)
        let ctx = try context(weights)
        let cache = try ctx.makeCache(precision: .f32)
        let ours = try run(ctx, [SequenceChunk(cache: cache, tokens: TinyLlama.tokens(20, seed: 1), logits: .all)])[0]
        #expect(ours.count == 20)
        let spread = reference.flatMap { $0 }.map(abs).max() ?? 0
        #expect(spread > 1, "logits should not be degenerate")
        for (position, row) in ours.enumerated() {
            let difference = maxAbsDifference(row, reference[position])
            #expect(difference < tolerance, "position \(position): max |Δlogit| \(difference)")
        }
        #expect(cache.count == 20)
    }

    /// Head dimension 64 takes a separate attention path; a 150-token sequence spans several
    /// online-softmax blocks. Prefill and incremental decode both checked against the reference.
    @Test("head dimension 64 matches the reference over several softmax blocks")
    func wideHeadsMatchReference() throws {
        let bytes = try TinyLlama.bytes(.f32, config: TinyLlama.wideHeads)
        let sequence = TinyLlama.tokens(150, seed: 11)
        let reference = try ReferenceLlama(bytes: bytes).logits(sequence)
        let ctx = try context(try LlamaWeights(bytes: ReadOnlyBytes(copying: bytes)), batch: 160, rows: 160)
        let cache = try ctx.makeCache(precision: .f32)
        let ours = try run(ctx, [SequenceChunk(cache: cache, tokens: Array(sequence[0..<140]), logits: .all)])[0]
        var decoded: [[Float]] = []
        for token in sequence[140...] {
            decoded += try run(ctx, [SequenceChunk(cache: cache, tokens: [token], logits: .last)])[0]
        }
        for (position, row) in (ours + decoded).enumerated() {
            #expect(maxAbsDifference(row, reference[position]) < 2e-3, "position \(position)")
        }
    }

    @Test("a batch of three sequences equals each run alone", arguments: [TinyLlama.Weights.f32, .quantized])
    func batchedEqualsAlone(kind: TinyLlama.Weights) throws {
        let weights = try TinyLlama.weights(kind)
        let ctx = try context(weights)
        let prompts = [TinyLlama.tokens(9, seed: 2), TinyLlama.tokens(1, seed: 3), TinyLlama.tokens(17, seed: 4)]
        // Give the second sequence some history so the batch mixes decode and prefill positions.
        let caches = try (0..<3).map { _ in try ctx.makeCache() }
        let history = TinyLlama.tokens(5, seed: 5)
        try ctx.forward([SequenceChunk(cache: caches[1], tokens: history, logits: .none)])
        let batched = try run(ctx, zip(caches, prompts).map { SequenceChunk(cache: $0, tokens: $1, logits: .all) })

        for i in 0..<3 {
            let alone = try ctx.makeCache()
            if i == 1 { try ctx.forward([SequenceChunk(cache: alone, tokens: history, logits: .none)]) }
            let single = try run(ctx, [SequenceChunk(cache: alone, tokens: prompts[i], logits: .all)])[0]
            #expect(single.count == batched[i].count)
            for (a, b) in zip(single, batched[i]) { #expect(maxAbsDifference(a, b) < batchTolerance(kind, a)) }
            #expect(alone.count == caches[i].count)
        }
    }

    @Test("incremental decode with the KV cache equals full recompute", arguments: [TinyLlama.Weights.f32, .quantized])
    func incrementalEqualsFull(kind: TinyLlama.Weights) throws {
        let weights = try TinyLlama.weights(kind)
        let ctx = try context(weights)
        let sequence = TinyLlama.tokens(30, seed: 6)
        let full = try run(ctx, [SequenceChunk(cache: try ctx.makeCache(), tokens: sequence, logits: .all)])[0]

        let cache = try ctx.makeCache()
        var rows = try run(ctx, [SequenceChunk(cache: cache, tokens: Array(sequence[0..<11]), logits: .last)])[0]
        for position in 11..<30 {
            rows += try run(ctx, [SequenceChunk(cache: cache, tokens: [sequence[position]], logits: .last)])[0]
        }
        #expect(rows.count == 20)
        for (offset, row) in rows.enumerated() {
            #expect(maxAbsDifference(row, full[10 + offset]) < batchTolerance(kind, row), "position \(10 + offset)")
        }
    }

    @Test("truncating the cache and re-running reproduces the logits")
    func truncateRewinds() throws {
        let ctx = try context(try TinyLlama.weights(.f32))
        let cache = try ctx.makeCache()
        let sequence = TinyLlama.tokens(12, seed: 8)
        let first = try run(ctx, [SequenceChunk(cache: cache, tokens: sequence, logits: .last)])[0][0]
        cache.truncate(to: 8)
        #expect(cache.count == 8)
        let again = try run(ctx, [SequenceChunk(cache: cache, tokens: Array(sequence[8...]), logits: .last)])[0][0]
        #expect(maxAbsDifference(first, again) < 1e-5)
    }

    @Test("one and two threads agree")
    func threadCountIndependent() throws {
        let weights = try TinyLlama.weights(.quantized)
        let sequence = TinyLlama.tokens(25, seed: 9)
        let one = try context(weights, threads: 1)
        let two = try context(weights, threads: 2)
        let a = try run(one, [SequenceChunk(cache: try one.makeCache(), tokens: sequence, logits: .all)])[0]
        let b = try run(two, [SequenceChunk(cache: try two.makeCache(), tokens: sequence, logits: .all)])[0]
        for (x, y) in zip(a, b) { #expect(maxAbsDifference(x, y) < 1e-5) }
    }

    @Test("context overflow throws and leaves the cache unchanged")
    func contextOverflow() throws {
        let ctx = try context(try TinyLlama.weights(.f32))
        let cache = try ctx.makeCache(capacity: 10)
        try ctx.forward([SequenceChunk(cache: cache, tokens: TinyLlama.tokens(8, seed: 1), logits: .none)])
        #expect(throws: LlamaModelError.contextOverflow(cached: 8, adding: 3, capacity: 10)) {
            try ctx.forward([SequenceChunk(cache: cache, tokens: TinyLlama.tokens(3, seed: 1))])
        }
        #expect(cache.count == 8)
        #expect(throws: LlamaModelError.self) { try ctx.makeCache(capacity: TinyLlama.config.contextLength + 1) }
    }

    @Test("token ids outside the vocabulary throw", arguments: [TokenID(-1), 97, 1000])
    func badTokenThrows(token: TokenID) throws {
        let ctx = try context(try TinyLlama.weights(.f32))
        let good = try ctx.makeCache(), bad = try ctx.makeCache()
        #expect(throws: LlamaModelError.tokenOutOfVocabulary(token: token, vocabularySize: 97)) {
            try ctx.forward([SequenceChunk(cache: good, tokens: [1, 2]), SequenceChunk(cache: bad, tokens: [3, token])])
        }
        #expect(good.count == 0 && bad.count == 0)
    }

    @Test("malformed batches throw")
    func malformedBatches() throws {
        let ctx = try context(try TinyLlama.weights(.f32), batch: 8, rows: 2)
        let cache = try ctx.makeCache()
        #expect(throws: LlamaModelError.self) { try ctx.forward([SequenceChunk(cache: cache, tokens: [])]) }
        #expect(throws: LlamaModelError.self) {
            try ctx.forward([SequenceChunk(cache: cache, tokens: [1]), SequenceChunk(cache: cache, tokens: [2])])
        }
        #expect(throws: LlamaModelError.batchTooLarge(tokens: 9, maxBatchTokens: 8)) {
            try ctx.forward([SequenceChunk(cache: cache, tokens: TinyLlama.tokens(9, seed: 1), logits: .none)])
        }
        #expect(throws: LlamaModelError.tooManyLogitRows(requested: 3, maxLogitRows: 2)) {
            try ctx.forward([SequenceChunk(cache: cache, tokens: [1, 2, 3], logits: .all)])
        }
        #expect(cache.count == 0)
    }
}
