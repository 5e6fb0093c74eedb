import Foundation
import GGUF
import Kernels
import LlamaModel
import ServeCore

/// An independent, obviously-correct Llama forward pass for tests: reads tensors straight from the
/// GGUF file, recomputes the whole sequence (no KV cache), uses `ReferenceOps` and plain loops in
/// Double where it matters. Returns logits for every position.
struct ReferenceLlama {
    let file: GGUFFile
    let config: LlamaConfig

    init(bytes: [UInt8]) throws {
        file = try GGUFFile(bytes: ReadOnlyBytes(copying: bytes))
        config = try LlamaConfig(gguf: file)
    }

    struct Missing: Error { let name: String }

    func matrix(_ name: String) throws -> WeightMatrix {
        guard let info = file.tensor(named: name), let base = file.data(of: info).baseAddress else { throw Missing(name: name) }
        let format: WeightFormat = switch info.type {
        case .f32: .f32
        case .q8_0: .q8_0
        case .q4_1: .q4_1
        default: throw Missing(name: name)
        }
        return try WeightMatrix(format: format, rows: info.dimensions[1], cols: info.dimensions[0], data: base)
    }

    func vector(_ name: String) throws -> [Float] {
        guard let info = file.tensor(named: name) else { throw Missing(name: name) }
        let raw = file.data(of: info)
        return (0..<info.elementCount).map { raw.loadUnaligned(fromByteOffset: 4 * $0, as: Float.self) }
    }

    /// y = W·x for every row of `x` (tokens × cols).
    func linear(_ w: WeightMatrix, _ x: [Float], tokens: Int) -> [Float] {
        var y = [Float](repeating: 0, count: tokens * w.rows)
        x.withUnsafeBufferPointer { xp in
            y.withUnsafeMutableBufferPointer { yp in
                ReferenceOps.matmul(w, x: xp.baseAddress!, tokens: tokens, y: yp.baseAddress!)
            }
        }
        return y
    }

    func rmsNorm(_ x: [Float], weight: [Float], tokens: Int) -> [Float] {
        let n = weight.count
        var out = [Float](repeating: 0, count: x.count)
        for t in 0..<tokens {
            x.withUnsafeBufferPointer { xp in
                out.withUnsafeMutableBufferPointer { op in
                    ReferenceOps.rmsNorm(xp.baseAddress! + t * n, weight: weight, count: n, eps: config.rmsNormEpsilon,
                                         out: op.baseAddress! + t * n)
                }
            }
        }
        return out
    }

    func rope(_ x: inout [Float], heads: Int, tokens: Int) {
        let width = heads * config.headDimension
        x.withUnsafeMutableBufferPointer { p in
            for t in 0..<tokens {
                ReferenceOps.ropeAdjacent(p.baseAddress! + t * width, headDim: config.headDimension, heads: heads,
                                          position: t, freqBase: config.ropeFreqBase)
            }
        }
    }

    /// Logits (tokens × vocabulary) of the sequence `tokens` starting at position 0.
    func logits(_ tokens: [TokenID]) throws -> [[Float]] {
        let c = config, n = tokens.count, w = c.embeddingWidth, hd = c.headDimension
        let embedding = try matrix("token_embd.weight")
        var x = [Float](repeating: 0, count: n * w)
        x.withUnsafeMutableBufferPointer { p in
            for (t, token) in tokens.enumerated() {
                ReferenceOps.dequantizeRow(embedding, row: Int(token), into: p.baseAddress! + t * w)
            }
        }
        for layer in 0..<c.layerCount {
            let p = "blk.\(layer)."
            let xn = rmsNorm(x, weight: try vector(p + "attn_norm.weight"), tokens: n)
            var q = linear(try matrix(p + "attn_q.weight"), xn, tokens: n)
            var k = linear(try matrix(p + "attn_k.weight"), xn, tokens: n)
            let v = linear(try matrix(p + "attn_v.weight"), xn, tokens: n)
            rope(&q, heads: c.headCount, tokens: n)
            rope(&k, heads: c.kvHeadCount, tokens: n)
            var attention = [Float](repeating: 0, count: n * c.queryWidth)
            for head in 0..<c.headCount {
                let kvHead = head / (c.headCount / c.kvHeadCount)
                for t in 0..<n {
                    var scores = [Double](repeating: 0, count: t + 1)
                    for j in 0...t {
                        var s = 0.0
                        for d in 0..<hd {
                            s += Double(q[t * c.queryWidth + head * hd + d]) * Double(k[j * c.kvWidth + kvHead * hd + d])
                        }
                        scores[j] = s / Double(hd).squareRoot()
                    }
                    let top = scores.max() ?? 0
                    let e = scores.map { exp($0 - top) }
                    let sum = e.reduce(0, +)
                    for d in 0..<hd {
                        var acc = 0.0
                        for j in 0...t { acc += e[j] / sum * Double(v[j * c.kvWidth + kvHead * hd + d]) }
                        attention[t * c.queryWidth + head * hd + d] = Float(acc)
                    }
                }
            }
            let o = linear(try matrix(p + "attn_output.weight"), attention, tokens: n)
            for i in x.indices { x[i] += o[i] }
            let xn2 = rmsNorm(x, weight: try vector(p + "ffn_norm.weight"), tokens: n)
            let gate = linear(try matrix(p + "ffn_gate.weight"), xn2, tokens: n)
            let up = linear(try matrix(p + "ffn_up.weight"), xn2, tokens: n)
            var hidden = [Float](repeating: 0, count: gate.count)
            for i in gate.indices {
                let g = Double(gate[i])
                hidden[i] = Float(g / (1 + exp(-g)) * Double(up[i]))
            }
            let down = linear(try matrix(p + "ffn_down.weight"), hidden, tokens: n)
            for i in x.indices { x[i] += down[i] }
        }
        let final = rmsNorm(x, weight: try vector("output_norm.weight"), tokens: n)
        let head = file.tensor(named: "output.weight") != nil ? try matrix("output.weight") : embedding
        let logits = linear(head, final, tokens: n)
        return (0..<n).map { Array(logits[($0 * c.vocabularySize)..<(($0 + 1) * c.vocabularySize)]) }
    }
}
