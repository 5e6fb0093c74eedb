import BertModel
import Foundation
import Safetensors
import ServeCore

/// A tiny random BERT built in code: its tensors (HF names, no `bert.` prefix), the safetensors
/// file made from them, and a scalar float64 reference forward over a *padded* batch with an
/// attention mask — the textbook formulation that the packed Swift encoder must equal.
struct TinyBert {
    let config: BertConfig
    var tensors: [String: (shape: [Int], values: [Float])] = [:]

    init(config: BertConfig, seed: UInt64) {
        self.config = config
        var rng = SplitMix64(seed: seed)
        func random(_ shape: [Int], scale: Float, offset: Float = 0) -> (shape: [Int], values: [Float]) {
            (shape, (0..<shape.reduce(1, *)).map { _ in offset + scale * (2 * rng.nextUnitFloat() - 1) })
        }
        let h = config.hiddenSize, f = config.intermediateSize
        tensors["embeddings.word_embeddings.weight"] = random([config.vocabularySize, h], scale: 1)
        tensors["embeddings.position_embeddings.weight"] = random([config.maxPositions, h], scale: 0.5)
        tensors["embeddings.token_type_embeddings.weight"] = random([config.typeVocabularySize, h], scale: 0.2)
        tensors["embeddings.LayerNorm.weight"] = random([h], scale: 0.2, offset: 1)
        tensors["embeddings.LayerNorm.bias"] = random([h], scale: 0.1)
        for l in 0..<config.layerCount {
            let p = "encoder.layer.\(l)."
            for name in ["attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense"] {
                tensors[p + name + ".weight"] = random([h, h], scale: 0.6)
                tensors[p + name + ".bias"] = random([h], scale: 0.1)
            }
            tensors[p + "intermediate.dense.weight"] = random([f, h], scale: 0.5)
            tensors[p + "intermediate.dense.bias"] = random([f], scale: 0.1)
            tensors[p + "output.dense.weight"] = random([h, f], scale: 0.4)
            tensors[p + "output.dense.bias"] = random([h], scale: 0.1)
            for norm in ["attention.output.LayerNorm", "output.LayerNorm"] {
                tensors[p + norm + ".weight"] = random([h], scale: 0.2, offset: 1)
                tensors[p + norm + ".bias"] = random([h], scale: 0.1)
            }
        }
    }

    func safetensors(dtype: SafetensorsDType = .f32, skipping: Set<String> = []) throws -> [UInt8] {
        var writer = SafetensorsWriter(metadata: ["format": "pt"])
        for name in tensors.keys.sorted() where !skipping.contains(name) {
            if let t = tensors[name] { try writer.add(name: name, shape: t.shape, floats: t.values, as: dtype) }
        }
        return writer.serialized()
    }

    func file(dtype: SafetensorsDType = .f32) throws -> SafetensorsFile {
        try SafetensorsFile(bytes: ReadOnlyBytes(copying: safetensors(dtype: dtype)))
    }

    // MARK: - Scalar reference (float64, padded batch + mask)

    private func w(_ name: String) -> [Double] { (tensors[name]?.values ?? []).map(Double.init) }

    private func linear(_ x: [[Double]], _ name: String) -> [[Double]] {
        let weight = w(name + ".weight"), bias = w(name + ".bias")
        let inputs = x.first?.count ?? 0, outputs = bias.count
        return x.map { row in
            (0..<outputs).map { o in (0..<inputs).reduce(bias[o]) { $0 + weight[o * inputs + $1] * row[$1] } }
        }
    }

    private func layerNorm(_ x: [[Double]], _ name: String) -> [[Double]] {
        let g = w(name + ".weight"), b = w(name + ".bias")
        return x.map { row in
            let mean = row.reduce(0, +) / Double(row.count)
            let variance = row.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(row.count)
            let inv = 1 / (variance + Double(config.layerNormEps)).squareRoot()
            return row.indices.map { (row[$0] - mean) * inv * g[$0] + b[$0] }
        }
    }

    /// Mean-pooled, L2-normalised embeddings of a batch padded to its longest sequence.
    /// `segmentStarts`: per sequence, where token type 1 starts (nil: type 0 throughout).
    func referenceEmbeddings(_ batch: [[TokenID]], segmentStarts: [Int]? = nil) -> [[Double]] {
        let h = config.hiddenSize, heads = config.headCount, d = config.headDim
        let longest = batch.map(\.count).max() ?? 0
        return batch.enumerated().map { n, ids in
            let second = segmentStarts?[n] ?? Int.max
            // Pad with [PAD] = 0 and mask those keys; padded rows are computed but never pooled.
            let padded = ids + [TokenID](repeating: 0, count: longest - ids.count)
            let mask = padded.indices.map { $0 < ids.count }
            let word = w("embeddings.word_embeddings.weight"), pos = w("embeddings.position_embeddings.weight")
            let types = w("embeddings.token_type_embeddings.weight")
            var x = padded.enumerated().map { i, id in
                (0..<h).map { word[Int(id) * h + $0] + pos[i * h + $0] + types[(i >= second ? h : 0) + $0] }
            }
            x = layerNorm(x, "embeddings.LayerNorm")
            for l in 0..<config.layerCount {
                let p = "encoder.layer.\(l)."
                let q = linear(x, p + "attention.self.query"), k = linear(x, p + "attention.self.key")
                let v = linear(x, p + "attention.self.value")
                var context = [[Double]](repeating: [Double](repeating: 0, count: h), count: x.count)
                for head in 0..<heads {
                    for i in x.indices {
                        var scores = x.indices.map { j -> Double in
                            guard mask[j] else { return -.infinity }
                            return (0..<d).reduce(0) { $0 + q[i][head * d + $1] * k[j][head * d + $1] } / Double(d).squareRoot()
                        }
                        let top = scores.max() ?? 0
                        scores = scores.map { Foundation.exp($0 - top) }
                        let total = scores.reduce(0, +)
                        for c in 0..<d {
                            context[i][head * d + c] = x.indices.reduce(0) { $0 + scores[$1] / total * v[$1][head * d + c] }
                        }
                    }
                }
                let attended = linear(context, p + "attention.output.dense")
                x = layerNorm(zip(attended, x).map { zip($0, $1).map(+) }, p + "attention.output.LayerNorm")
                let inner = linear(x, p + "intermediate.dense").map { $0.map { 0.5 * $0 * (1 + Foundation.erf($0 / 2.0.squareRoot())) } }
                let out = linear(inner, p + "output.dense")
                x = layerNorm(zip(out, x).map { zip($0, $1).map(+) }, p + "output.LayerNorm")
            }
            var mean = [Double](repeating: 0, count: h)
            for (row, real) in zip(x, mask) where real { for j in 0..<h { mean[j] += row[j] / Double(ids.count) } }
            let norm = max(mean.reduce(0) { $0 + $1 * $1 }.squareRoot(), 1e-12)
            return mean.map { $0 / norm }
        }
    }
}
