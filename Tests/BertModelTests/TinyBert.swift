import BertModel
import Foundation
import Safetensors
import ServeCore

/// A tiny random BERT (or MPNet) built in code: its tensors (HF names, no `bert.` prefix), the
/// safetensors file made from them, and a scalar float64 reference forward over a *padded* batch
/// with an attention mask — the textbook formulation that the packed Swift encoder must equal.
/// MPNet's reference computes the relative-position buckets with its own transcription of HF's
/// `relative_position_bucket` (in Double), not the encoder's.
struct TinyBert {
    let config: BertConfig
    var tensors: [String: (shape: [Int], values: [Float])] = [:]

    init(config: BertConfig, seed: UInt64) {
        self.config = config
        var rng = SplitMix64(seed: seed)
        func random(_ shape: [Int], scale: Float, offset: Float = 0) -> (shape: [Int], values: [Float]) {
            (shape, (0..<shape.reduce(1, *)).map { _ in offset + scale * (2 * rng.nextUnitFloat() - 1) })
        }
        let m = Modules(config.architecture)
        let h = config.hiddenSize, f = config.intermediateSize
        tensors["embeddings.word_embeddings.weight"] = random([config.vocabularySize, h], scale: 1)
        tensors["embeddings.position_embeddings.weight"] = random([config.maxPositions, h], scale: 0.5)
        if config.typeVocabularySize > 0 {
            tensors["embeddings.token_type_embeddings.weight"] = random([config.typeVocabularySize, h], scale: 0.2)
        }
        if config.relativeAttentionBuckets > 0 {
            tensors["encoder.relative_attention_bias.weight"] = random([config.relativeAttentionBuckets, config.headCount], scale: 1.5)
        }
        tensors["embeddings.LayerNorm.weight"] = random([h], scale: 0.2, offset: 1)
        tensors["embeddings.LayerNorm.bias"] = random([h], scale: 0.1)
        for l in 0..<config.layerCount {
            let p = "encoder.layer.\(l)."
            for name in [m.query, m.key, m.value, m.attentionOut] {
                tensors[p + name + ".weight"] = random([h, h], scale: 0.6)
                tensors[p + name + ".bias"] = random([h], scale: 0.1)
            }
            tensors[p + "intermediate.dense.weight"] = random([f, h], scale: 0.5)
            tensors[p + "intermediate.dense.bias"] = random([f], scale: 0.1)
            tensors[p + "output.dense.weight"] = random([h, f], scale: 0.4)
            tensors[p + "output.dense.bias"] = random([h], scale: 0.1)
            for norm in [m.attentionNorm, "output.LayerNorm"] {
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

    /// The per-architecture module names, spelled out here independently of the encoder's.
    struct Modules {
        let query: String, key: String, value: String, attentionOut: String, attentionNorm: String
        init(_ architecture: EncoderArchitecture) {
            switch architecture {
            case .bert:
                (query, key, value) = ("attention.self.query", "attention.self.key", "attention.self.value")
                (attentionOut, attentionNorm) = ("attention.output.dense", "attention.output.LayerNorm")
            case .mpnet:
                (query, key, value) = ("attention.attn.q", "attention.attn.k", "attention.attn.v")
                (attentionOut, attentionNorm) = ("attention.attn.o", "attention.LayerNorm")
            }
        }
    }

    /// HF `MPNetEncoder.relative_position_bucket` for one relative position (key − query).
    static func referenceBucket(_ relative: Int, buckets: Int, maxDistance: Int) -> Int {
        var n = -relative
        let half = buckets / 2
        var ret = n < 0 ? half : 0
        n = abs(n)
        let exact = half / 2
        if n < exact { return ret + n }
        let large = exact + Int(Foundation.log(Double(n) / Double(exact)) / Foundation.log(Double(maxDistance) / Double(exact)) * Double(half - exact))
        ret += min(large, half - 1)
        return ret
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
            // MPNet: HF's create_position_ids_from_input_ids (padding_idx = offset − 1):
            // cumsum(id != pad) · (id != pad) + pad. BERT: 0, 1, 2, ….
            let pad = config.positionOffset - 1
            var seen = 0
            let positions = padded.map { id -> Int in
                guard config.architecture == .mpnet else { seen += 1; return seen - 1 }
                if Int(id) == pad { return pad }
                seen += 1
                return pad + seen
            }
            var x = padded.enumerated().map { i, id in
                (0..<h).map { c -> Double in
                    let t = types.isEmpty ? 0 : types[(i >= second ? h : 0) + c]
                    return word[Int(id) * h + c] + pos[positions[i] * h + c] + t
                }
            }
            let relativeBias = w("encoder.relative_attention_bias.weight")
            let m = Modules(config.architecture)
            x = layerNorm(x, "embeddings.LayerNorm")
            for l in 0..<config.layerCount {
                let p = "encoder.layer.\(l)."
                let q = linear(x, p + m.query), k = linear(x, p + m.key)
                let v = linear(x, p + m.value)
                var context = [[Double]](repeating: [Double](repeating: 0, count: h), count: x.count)
                for head in 0..<heads {
                    for i in x.indices {
                        var scores = x.indices.map { j -> Double in
                            guard mask[j] else { return -.infinity }
                            let dot = (0..<d).reduce(0) { $0 + q[i][head * d + $1] * k[j][head * d + $1] } / Double(d).squareRoot()
                            guard !relativeBias.isEmpty else { return dot }
                            let bucket = Self.referenceBucket(j - i, buckets: config.relativeAttentionBuckets,
                                                              maxDistance: config.relativeAttentionMaxDistance)
                            return dot + relativeBias[bucket * heads + head]
                        }
                        let top = scores.max() ?? 0
                        scores = scores.map { Foundation.exp($0 - top) }
                        let total = scores.reduce(0, +)
                        for c in 0..<d {
                            context[i][head * d + c] = x.indices.reduce(0) { $0 + scores[$1] / total * v[$1][head * d + c] }
                        }
                    }
                }
                let attended = linear(context, p + m.attentionOut)
                x = layerNorm(zip(attended, x).map { zip($0, $1).map(+) }, p + m.attentionNorm)
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
