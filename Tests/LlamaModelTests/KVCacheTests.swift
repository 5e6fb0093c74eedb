import Kernels
import LlamaModel
import ServeCore
import Testing

@Suite("KVCache")
struct KVCacheTests {
    static let pool = ThreadPool(threadCount: 2)

    /// F16 keys/values carry ~3 significant digits; the logits move by far less than their spread.
    @Test("an F16 cache gives nearly the F32 logits, mixed in one batch", arguments: [false, true])
    func f16MatchesF32(wideHeads: Bool) throws {
        let config = wideHeads ? TinyLlama.wideHeads : TinyLlama.config
        let weights = try LlamaWeights(bytes: ReadOnlyBytes(copying: TinyLlama.bytes(.f32, config: config)))
        let ctx = try LlamaContext(weights: weights, maxBatchTokens: 128, maxLogitRows: 128, pool: Self.pool)
        let sequence = TinyLlama.tokens(40, seed: 12)
        let exact = try ctx.makeCache(precision: .f32), half = try ctx.makeCache()
        #expect(half.precision == .f16 && half.byteCount * 2 == exact.byteCount)
        let rows = try run(ctx, [SequenceChunk(cache: exact, tokens: Array(sequence[0..<30]), logits: .all),
                                 SequenceChunk(cache: half, tokens: Array(sequence[0..<30]), logits: .all)])
        var pairs = Array(zip(rows[0], rows[1]))
        for token in sequence[30...] {
            let step = try run(ctx, [SequenceChunk(cache: half, tokens: [token]), SequenceChunk(cache: exact, tokens: [token])])
            pairs.append((step[1][0], step[0][0]))
        }
        for (position, (a, b)) in pairs.enumerated() {
            let spread = a.map(abs).max() ?? 0
            #expect(maxAbsDifference(a, b) < 0.01 * spread, "position \(position)")
        }
        #expect(exact.count == 40 && half.count == 40)
    }

    @Test("truncate clamps to the written range")
    func truncateClamps() throws {
        let cache = try KVCache(config: TinyLlama.config, capacity: 8)
        cache.truncate(to: 5)
        #expect(cache.count == 0)
        #expect(cache.remaining == 8)
        #expect(throws: LlamaModelError.self) { try KVCache(config: TinyLlama.config, capacity: 0) }
    }
}
