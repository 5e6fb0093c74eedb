import Foundation
import Kernels
import LoRAAdapters
import ServeCore

/// The mutable half of the model: scratch buffers sized for `maxBatchTokens`, a logits buffer and
/// a thread pool reference. One owner (the engine's step loop); not `Sendable`.
///
/// `forward` runs a flattened batch: every token of every chunk goes through each projection as
/// one matmul, attention runs per chunk against that chunk's own KV cache.
public final class LlamaContext {
    public let weights: LlamaWeights
    public let config: LlamaConfig
    /// The most tokens (all chunks together) one `forward` call may carry.
    public let maxBatchTokens: Int
    /// The most logit rows (tokens whose logits are wanted) one `forward` call may request.
    public let maxLogitRows: Int
    let pool: ThreadPool
    let scratch: ForwardScratch
    /// Per-chunk metadata of the batch in flight (capacity kept between calls).
    var batch = BatchLayout()
    /// The LoRA segments of the next `forward` (set by the engine per step; nil = base model only).
    public var lora: LoRABatch?
    /// Runs the matrix products (≈95% of the FLOPs) on the scalar reference twins, for the
    /// "optimised vs reference" ratio in `loraserve bench engine`.
    public var useReferenceKernels = false

    /// - Parameters:
    ///   - maxBatchTokens: scratch size in tokens (≥ 1).
    ///   - maxLogitRows: logits rows (≥ 1), each `vocabularySize` floats.
    public init(weights: LlamaWeights, maxBatchTokens: Int, maxLogitRows: Int, pool: ThreadPool) throws(LlamaModelError) {
        guard maxBatchTokens >= 1, maxLogitRows >= 1 else {
            throw .invalidConfig("maxBatchTokens \(maxBatchTokens) and maxLogitRows \(maxLogitRows) must be >= 1")
        }
        self.weights = weights
        self.config = weights.config
        self.maxBatchTokens = maxBatchTokens
        self.maxLogitRows = maxLogitRows
        self.pool = pool
        self.scratch = ForwardScratch(config: weights.config, tokens: maxBatchTokens, logitRows: maxLogitRows)
        batch.reserve(maxBatchTokens)
    }

    /// A KV cache for one sequence of this model (`capacity` defaults to the context length).
    /// F16 is the default, as in llama.cpp: half the memory, ~10–15% faster decode at 512 tokens
    /// of context (measured), logits within ~1% of F32's. Different precisions can share a batch.
    public func makeCache(capacity: Int? = nil, precision: KVPrecision = .f16) throws(LlamaModelError) -> KVCache {
        try KVCache(config: config, capacity: capacity ?? config.contextLength, precision: precision)
    }

    /// Logits row `row` of the last `forward` (valid until the next call). The sampler may modify it.
    public func logits(row: Int) -> UnsafeMutableBufferPointer<Float> {
        let clamped = min(max(row, 0), maxLogitRows - 1)
        return UnsafeMutableBufferPointer(start: scratch.logits + clamped * config.vocabularySize,
                                          count: config.vocabularySize)
    }

    /// Runs one batched step, appending every chunk's tokens to its cache.
    ///
    /// - Returns: for each chunk, the range of logit rows (see `logits(row:)`) holding its wanted
    ///   tokens' next-token logits, in token order; empty for `.none`.
    /// - Throws: before touching any cache, when a token is outside the vocabulary, a cache would
    ///   overflow, the batch exceeds the scratch sizes, a chunk is empty or a cache appears twice.
    @discardableResult
    public func forward(_ chunks: [SequenceChunk]) throws(LlamaModelError) -> [Range<Int>] {
        let rowRanges = try plan(chunks)
        let tokens = batch.tokenTotal
        guard tokens > 0 else { return rowRanges }
        embed(chunks)
        computeRoPETables()
        for layer in 0..<config.layerCount {
            attentionBlock(layer: layer, tokens: tokens)
            feedForwardBlock(layer: layer, tokens: tokens)
        }
        head(chunks)
        for chunk in chunks { chunk.cache.count += chunk.tokens.count }
        return rowRanges
    }

    /// Validates the batch and fills `batch` (positions, chunk spans); no state changes on throw.
    private func plan(_ chunks: [SequenceChunk]) throws(LlamaModelError) -> [Range<Int>] {
        batch.clear()
        var tokens = 0
        var rows = 0
        var ranges: [Range<Int>] = []
        ranges.reserveCapacity(chunks.count)
        for (index, chunk) in chunks.enumerated() {
            let cache = chunk.cache
            guard !chunk.tokens.isEmpty else { throw .invalidBatch("chunk \(index) has no tokens") }
            guard cache.matches(config) else {
                throw .cacheMismatch("chunk \(index): cache shape \(cache.layerCount)x\(cache.kvHeadCount)x\(cache.headDimension)")
            }
            guard batch.seen.insert(ObjectIdentifier(cache)).inserted else {
                throw .invalidBatch("chunk \(index) reuses a KV cache already in this batch")
            }
            guard chunk.tokens.count <= cache.remaining else {
                throw .contextOverflow(cached: cache.count, adding: chunk.tokens.count, capacity: cache.capacity)
            }
            for token in chunk.tokens where token < 0 || Int(token) >= config.vocabularySize {
                throw .tokenOutOfVocabulary(token: token, vocabularySize: config.vocabularySize)
            }
            let wanted = chunk.logits.rowCount(tokens: chunk.tokens.count)
            ranges.append(rows..<(rows + wanted))
            batch.append(cache: cache, tokenStart: tokens, tokenCount: chunk.tokens.count, logits: chunk.logits)
            tokens += chunk.tokens.count
            rows += wanted
            guard tokens <= maxBatchTokens else { throw .batchTooLarge(tokens: tokens, maxBatchTokens: maxBatchTokens) }
            guard rows <= maxLogitRows else { throw .tooManyLogitRows(requested: rows, maxLogitRows: maxLogitRows) }
        }
        return ranges
    }

    /// Token embeddings into `hidden`.
    private func embed(_ chunks: [SequenceChunk]) {
        let width = config.embeddingWidth
        var t = 0
        for chunk in chunks {
            for token in chunk.tokens {
                Ops.dequantizeRow(weights.tokenEmbedding, row: Int(token), into: scratch.hidden + t * width)
                t += 1
            }
        }
    }

    /// Multiplies `tokens` rows of `input` by one projection of `layer` into `output`.
    ///
    /// Every projection goes through here, so a per-token LoRA delta (issue 3) has one place to go.
    @inline(__always)
    func project(_ projection: LlamaProjection, layer: Int, input: UnsafePointer<Float>,
                 output: UnsafeMutablePointer<Float>, tokens: Int) {
        if useReferenceKernels {
            ReferenceOps.matmul(weights.layers[layer].matrix(projection), x: input, tokens: tokens, y: output)
        } else {
            let layerWeights = weights.layers[layer]
            if layerWeights.packed.isEmpty {
                Ops.matmul(layerWeights.matrix(projection), x: input, tokens: tokens, y: output, pool: pool)
            } else {
                Ops.matmul(layerWeights.packed[projection.rawValue], x: input, tokens: tokens, y: output, pool: pool)
            }
        }
        if let lora { lora.apply(layer: layer, module: projection.loraModule, x: input, y: output, tokens: tokens, pool: pool) }
    }

    /// RMS-normalises `tokens` rows of `hidden` into `normed`.
    private func normalize(weight: [Float], tokens: Int) {
        let width = config.embeddingWidth
        weight.withUnsafeBufferPointer { w in
            guard let w = w.baseAddress else { return }
            for t in 0..<tokens {
                Ops.rmsNorm(scratch.hidden + t * width, weight: w, count: width, eps: config.rmsNormEpsilon,
                            out: scratch.normed + t * width)
            }
        }
    }

    private func attentionBlock(layer: Int, tokens: Int) {
        let s = scratch
        normalize(weight: weights.layers[layer].attentionNorm, tokens: tokens)
        project(.query, layer: layer, input: s.normed, output: s.query, tokens: tokens)
        project(.key, layer: layer, input: s.normed, output: s.key, tokens: tokens)
        project(.value, layer: layer, input: s.normed, output: s.value, tokens: tokens)
        applyRoPE(s.query, heads: config.headCount, tokens: tokens)
        applyRoPE(s.key, heads: config.kvHeadCount, tokens: tokens)
        storeKeysAndValues(layer: layer)
        attend(layer: layer)
        project(.attentionOutput, layer: layer, input: s.attention, output: s.projected, tokens: tokens)
        Ops.add(s.hidden, s.projected, out: s.hidden, count: tokens * config.embeddingWidth)
    }

    private func feedForwardBlock(layer: Int, tokens: Int) {
        let s = scratch
        normalize(weight: weights.layers[layer].ffnNorm, tokens: tokens)
        project(.gate, layer: layer, input: s.normed, output: s.gate, tokens: tokens)
        project(.up, layer: layer, input: s.normed, output: s.up, tokens: tokens)
        Ops.siluMul(gate: s.gate, up: s.up, out: s.gate, count: tokens * config.feedForwardWidth)
        project(.down, layer: layer, input: s.gate, output: s.projected, tokens: tokens)
        Ops.add(s.hidden, s.projected, out: s.hidden, count: tokens * config.embeddingWidth)
    }

    /// Final norm and LM head, only for the tokens whose logits are wanted.
    private func head(_ chunks: [SequenceChunk]) {
        let width = config.embeddingWidth
        var rows = 0
        weights.outputNorm.withUnsafeBufferPointer { w in
            guard let w = w.baseAddress else { return }
            for c in 0..<batch.chunkCount {
                let start = batch.tokenStart[c], count = batch.tokenCount[c]
                let first: Int
                switch batch.logits[c] {
                case .none: continue
                case .last: first = start + count - 1
                case .all: first = start
                }
                for t in first..<(start + count) {
                    Ops.rmsNorm(scratch.hidden + t * width, weight: w, count: width, eps: config.rmsNormEpsilon,
                                out: scratch.headInput + rows * width)
                    rows += 1
                }
            }
        }
        if rows > 0 {
            if useReferenceKernels {
                ReferenceOps.matmul(weights.output, x: scratch.headInput, tokens: rows, y: scratch.logits)
            } else if let packed = weights.packedOutput {
                Ops.matmul(packed, x: scratch.headInput, tokens: rows, y: scratch.logits, pool: pool)
            } else {
                Ops.matmul(weights.output, x: scratch.headInput, tokens: rows, y: scratch.logits, pool: pool)
            }
        }
    }
}
