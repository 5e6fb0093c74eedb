import Kernels
import ServeCore

extension BertEncoder {
    /// One packed forward pass over already validated sequences.
    func forward(_ batch: [[TokenID]], segmentStarts: [Int]? = nil, context: BertContext) -> [[Float]] {
        let h = config.hiddenSize
        var offsets: [Int] = []
        var rows = 0
        for ids in batch { offsets.append(rows); rows += ids.count }
        let longest = batch.map(\.count).max() ?? 0
        let tasks = batch.count * config.headCount
        let slots = max(1, min(tasks, 2 * (pool?.threadCount ?? 1)))
        context.reserve(rows: rows, longest: longest, slots: slots, config: config)

        let x = context.hidden.pointer
        embedTokens(batch, offsets: offsets, segmentStarts: segmentStarts, rows: rows, into: x)
        for layer in weights.layers {
            // Self-attention block: x = LN(x + Wo·attn(x) + bo).
            linear(x, layer.qkvWeight, layer.qkvBias, rows: rows, inputs: h, outputs: 3 * h, out: context.qkv.pointer)
            attention(qkv: context.qkv.pointer, out: context.attention.pointer, batch: batch, offsets: offsets,
                      scratch: context.headScratch.pointer, slots: slots, longest: longest)
            linear(context.attention.pointer, layer.attentionOutWeight, layer.attentionOutBias, rows: rows,
                   inputs: h, outputs: h, out: context.residual.pointer, residual: x)
            layerNorm(context.residual.pointer, layer.attentionNormWeight, layer.attentionNormBias, rows: rows, out: x)
            // Feed-forward block: x = LN(x + W2·gelu(W1·x + b1) + b2).
            let f = config.intermediateSize
            linear(x, layer.intermediateWeight, layer.intermediateBias, rows: rows, inputs: h, outputs: f,
                   out: context.intermediate.pointer)
            let inter = context.intermediate.pointer
            forRows(rows) { range in Ops.gelu(inter + range.lowerBound * f, count: range.count * f) }
            linear(inter, layer.outputWeight, layer.outputBias, rows: rows, inputs: f, outputs: h,
                   out: context.residual.pointer, residual: x)
            layerNorm(context.residual.pointer, layer.outputNormWeight, layer.outputNormBias, rows: rows, out: x)
        }
        return zip(batch, offsets).map { ids, offset in Self.meanPoolNormalized(x + offset * h, rows: ids.count, width: h) }
    }

    /// x[row] = word[id] + position[p] + tokenType[t] (t = 1 from the sequence's second-segment
    /// start, else 0; MPNet has no token types), then LayerNorm. BERT: p = i. MPNet (HF's
    /// `create_position_ids_from_input_ids`): padding tokens get p = padding_idx and the others
    /// padding_idx + their rank among the sequence's non-padding tokens, so a literal `<pad>` in
    /// the text does not shift the positions after it.
    private func embedTokens(_ batch: [[TokenID]], offsets: [Int], segmentStarts: [Int]?, rows: Int, into x: UnsafeMutablePointer<Float>) {
        let h = config.hiddenSize
        let word = weights.wordEmbeddings.pointer, position = weights.positionEmbeddings.pointer
        let types = config.typeVocabularySize > 0 ? weights.tokenTypeEmbeddings.pointer : nil
        let padding: TokenID? = config.architecture == .mpnet ? TokenID(config.positionOffset - 1) : nil
        for (n, (ids, offset)) in zip(batch, offsets).enumerated() {
            let second = segmentStarts?[n] ?? ids.count
            var rank = 0
            for (i, id) in ids.enumerated() {
                let row = x + (offset + i) * h
                var p = i
                if let padding {
                    if id == padding { p = Int(padding) } else { rank += 1; p = Int(padding) + rank }
                }
                Ops.add(word + Int(id) * h, position + p * h, out: row, count: h)
                if let types { Ops.add(row, types + (i >= second ? h : 0), out: row, count: h) }
            }
        }
        layerNorm(x, weights.embeddingNormWeight, weights.embeddingNormBias, rows: rows, out: x)
    }

    /// out = a·Wᵀ + bias (+ residual), row-major, W is [outputs × inputs].
    private func linear(_ a: UnsafePointer<Float>, _ weight: FloatStorage, _ bias: FloatStorage, rows: Int, inputs: Int, outputs: Int,
                        out: UnsafeMutablePointer<Float>, residual: UnsafePointer<Float>? = nil) {
        Ops.gemmNT(a: a, b: weight.pointer, c: out, m: rows, n: outputs, k: inputs, pool: pool)
        let b = bias.pointer
        forRows(rows) { range in
            for r in range {
                let row = out + r * outputs
                Ops.add(row, b, out: row, count: outputs)
                if let residual { Ops.add(row, residual + r * outputs, out: row, count: outputs) }
            }
        }
    }

    private func layerNorm(_ x: UnsafePointer<Float>, _ weight: FloatStorage, _ bias: FloatStorage, rows: Int, out: UnsafeMutablePointer<Float>) {
        let h = config.hiddenSize, eps = config.layerNormEps
        forRows(rows) { range in
            for r in range {
                Ops.layerNorm(x + r * h, weight: weight.pointer, bias: bias.pointer, count: h, eps: eps, out: out + r * h)
            }
        }
    }

    /// Splits row loops over the pool in chunks large enough to amortise the dispatch.
    func forRows(_ rows: Int, chunk: Int = 16, _ body: (Range<Int>) -> Void) {
        let chunks = (rows + chunk - 1) / chunk
        if let pool, chunks > 1 {
            pool.parallelFor(chunks) { i in body((i * chunk)..<min(rows, (i + 1) * chunk)) }
        } else if rows > 0 {
            body(0..<rows)
        }
    }

    /// Mean over the sequence's rows, then divided by max(‖mean‖, 1e-12) (sentence-transformers'
    /// `Normalize`, i.e. torch's `F.normalize`).
    static func meanPoolNormalized(_ x: UnsafePointer<Float>, rows: Int, width: Int) -> [Float] {
        var sum = [Double](repeating: 0, count: width)
        for r in 0..<rows {
            for j in 0..<width { sum[j] += Double(x[r * width + j]) }
        }
        let mean = sum.map { $0 / Double(max(rows, 1)) }
        let norm = max(mean.reduce(0) { $0 + $1 * $1 }.squareRoot(), 1e-12)
        return mean.map { Float($0 / norm) }
    }
}
