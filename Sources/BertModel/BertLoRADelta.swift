import Safetensors

/// A LoRA delta for a BERT encoder's linear layers, merged into the weights at load
/// (W ← W + scale·B·A), so a tuned encoder runs at exactly the base encoder's speed.
///
/// File layout (safetensors, F32/F16/BF16): for each adapted weight `W` with HF name
/// `encoder.layer.L.<module>.weight`, the tensors `encoder.layer.L.<module>.lora_A` [r × in] and
/// `…lora_B` [out × r]; one `lora_scale` [1] (peft's alpha / r). Modules: attention.self.query /
/// key / value, attention.output.dense, intermediate.dense, output.dense — any subset (MPNet:
/// attention.attn.q / k / v / o instead of the attention ones).
public struct BertLoRADelta: Sendable {
    struct Pair: Sendable {
        let a: [Float], b: [Float], rank: Int
    }

    let scale: Float
    let pairs: [String: Pair]
    /// FNV-1a 64 over names, shapes and values (goes into the encoder's weights digest).
    public let digest: String

    public var adaptedWeightCount: Int { pairs.count }

    /// - Throws: `EmbedderLoadError` when the scale is missing or not finite, a lora_A has no
    ///   lora_B (or the other way round), ranks are not in 1...256, or a value is NaN/Inf. Shapes
    ///   against the encoder are checked when the delta is merged.
    public init(file: SafetensorsFile) throws(EmbedderLoadError) {
        var reader = BertTensorReader(file: file)
        let s = try reader.tensor("lora_scale").values
        guard s.count == 1, let first = s.first, first.isFinite else {
            throw .invalidConfig(reason: "lora_scale must hold one finite number")
        }
        scale = first
        var pairs: [String: Pair] = [:]
        for name in file.tensors.keys.sorted() where name.hasSuffix(".lora_A") {
            let base = String(name.dropLast(".lora_A".count))
            let (aShape, a) = try reader.tensor(name)
            let (bShape, b) = try reader.tensor(base + ".lora_B")
            guard aShape.count == 2, bShape.count == 2, aShape[0] == bShape[1], (1...256).contains(aShape[0]) else {
                throw .wrongShape(tensor: base, expected: [bShape.first ?? 0, aShape.last ?? 0], actual: aShape + bShape)
            }
            pairs[base + ".weight"] = Pair(a: a, b: b, rank: aShape[0])
        }
        for name in file.tensors.keys where name.hasSuffix(".lora_B") && pairs[String(name.dropLast(".lora_B".count)) + ".weight"] == nil {
            throw .missingTensor(name: String(name.dropLast(".lora_B".count)) + ".lora_A")
        }
        self.pairs = pairs
        digest = "lora-fnv1a64:" + reader.digestHex
    }

    /// W [outputs × inputs] + scale·B·A for the weight named `name` (unchanged when not adapted).
    func merged(_ name: String, _ w: [Float], outputs: Int, inputs: Int) throws(EmbedderLoadError) -> [Float] {
        guard let p = pairs[name] else { return w }
        guard p.a.count == p.rank * inputs, p.b.count == outputs * p.rank else {
            throw .wrongShape(tensor: name + " (LoRA)", expected: [outputs, p.rank, inputs], actual: [p.b.count / max(p.rank, 1), p.rank, p.a.count / max(p.rank, 1)])
        }
        var out = w
        for o in 0..<outputs {
            for k in 0..<p.rank {
                let c = scale * p.b[o * p.rank + k]
                if c == 0 { continue }
                let row = o * inputs, aRow = k * inputs
                for i in 0..<inputs { out[row + i] += c * p.a[aRow + i] }
            }
        }
        return out
    }

    /// Names this delta adapts that the encoder does not have (a delta for another architecture).
    func unknownWeights(layerCount: Int, modules: [String]) -> [String] {
        let known = Set((0..<layerCount).flatMap { l in modules.map { "encoder.layer.\(l).\($0).weight" } })
        return pairs.keys.filter { !known.contains($0) }.sorted()
    }
}
