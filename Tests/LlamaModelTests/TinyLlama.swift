import GGUF
import LlamaModel
import ServeCore

/// Builds tiny random Llama GGUF files in memory (2 layers, width 64, 4 heads / 2 KV heads).
enum TinyLlama {
    enum Weights {
        /// Every tensor F32, with a separate `output.weight`.
        case f32
        /// Projections Q4_1, token embedding Q8_0, no `output.weight` (tied), like SmolLM2's file.
        case quantized
    }

    static let config = LlamaConfig(layerCount: 2, embeddingWidth: 64, feedForwardWidth: 128, headCount: 4,
                                    kvHeadCount: 2, ropeFreqBase: 10_000, rmsNormEpsilon: 1e-5,
                                    contextLength: 48, vocabularySize: 97)

    /// Head dimension 64 (the real model's), which takes the attention's register-blocked path.
    static let wideHeads = LlamaConfig(layerCount: 2, embeddingWidth: 128, feedForwardWidth: 128, headCount: 2,
                                       kvHeadCount: 1, ropeFreqBase: 10_000, rmsNormEpsilon: 1e-5,
                                       contextLength: 200, vocabularySize: 97)

    struct BuildError: Error {}

    /// The GGUF bytes; `architecture` and `omit` let tests build files the loader must reject.
    static func bytes(_ weights: Weights, seed: UInt64 = 7, architecture: String = "llama",
                      omit: String? = nil, override: (name: String, dimensions: [Int])? = nil,
                      config c: LlamaConfig = config) throws -> [UInt8] {
        var rng = SplitMix64(seed: seed)
        var writer = GGUFWriter()
        writer.set("general.architecture", .string(architecture))
        writer.set("\(architecture).block_count", .uint32(UInt32(c.layerCount)))
        writer.set("\(architecture).embedding_length", .uint32(UInt32(c.embeddingWidth)))
        writer.set("\(architecture).feed_forward_length", .uint32(UInt32(c.feedForwardWidth)))
        writer.set("\(architecture).attention.head_count", .uint32(UInt32(c.headCount)))
        writer.set("\(architecture).attention.head_count_kv", .uint32(UInt32(c.kvHeadCount)))
        writer.set("\(architecture).rope.freq_base", .float32(c.ropeFreqBase))
        writer.set("\(architecture).rope.dimension_count", .uint32(UInt32(c.headDimension)))
        writer.set("\(architecture).attention.layer_norm_rms_epsilon", .float32(c.rmsNormEpsilon))
        writer.set("\(architecture).context_length", .uint32(UInt32(c.contextLength)))

        func add(_ name: String, _ dims: [Int], _ type: GGMLType, scale: Float, offset: Float = 0) throws {
            guard name != omit else { return }
            let count = dims.reduce(1, *)
            let values = (0..<count).map { _ in offset + scale * (2 * rng.nextUnitFloat() - 1) }
            let dimensions = override?.name == name ? (override?.dimensions ?? dims) : dims
            let data: [UInt8]
            switch type {
            case .f32: data = values.flatMap { withUnsafeBytes(of: $0.bitPattern.littleEndian, Array.init) }
            case .q8_0: data = Quantize.q8_0(values)
            case .q4_1: data = Quantize.q4_1(values)
            default: throw BuildError()
            }
            // An overridden shape keeps the element count, so the data size stays valid.
            try writer.addTensor(name: name, dimensions: dimensions, type: type, data: data)
        }

        let w = c.embeddingWidth, f = c.feedForwardWidth
        let projection: GGMLType = weights == .f32 ? .f32 : .q4_1
        try add("token_embd.weight", [w, c.vocabularySize], weights == .f32 ? .f32 : .q8_0, scale: 1)
        for layer in 0..<c.layerCount {
            let p = "blk.\(layer)."
            try add(p + "attn_norm.weight", [w], .f32, scale: 0.2, offset: 1)
            try add(p + "attn_q.weight", [w, c.queryWidth], projection, scale: 0.25)
            try add(p + "attn_k.weight", [w, c.kvWidth], projection, scale: 0.25)
            try add(p + "attn_v.weight", [w, c.kvWidth], projection, scale: 0.25)
            try add(p + "attn_output.weight", [c.queryWidth, w], projection, scale: 0.15)
            try add(p + "ffn_norm.weight", [w], .f32, scale: 0.2, offset: 1)
            try add(p + "ffn_gate.weight", [w, f], projection, scale: 0.2)
            try add(p + "ffn_up.weight", [w, f], projection, scale: 0.2)
            try add(p + "ffn_down.weight", [f, w], projection, scale: 0.15)
        }
        try add("output_norm.weight", [w], .f32, scale: 0.2, offset: 1)
        if weights == .f32 { try add("output.weight", [w, c.vocabularySize], .f32, scale: 0.3) }
        return try writer.validatedSerialization()
    }

    static func weights(_ kind: Weights, seed: UInt64 = 7) throws -> LlamaWeights {
        try LlamaWeights(bytes: ReadOnlyBytes(copying: bytes(kind, seed: seed)))
    }

    /// Deterministic token ids in the vocabulary.
    static func tokens(_ count: Int, seed: UInt64) -> [TokenID] {
        var rng = SplitMix64(seed: seed)
        return (0..<count).map { _ in TokenID(rng.next() % UInt64(config.vocabularySize)) }
    }
}

/// ggml's Q8_0 and Q4_1 block encoders (round to nearest), for building fixtures.
enum Quantize {
    static func half(_ x: Float) -> [UInt8] {
        withUnsafeBytes(of: Float16(x).bitPattern.littleEndian, Array.init)
    }

    static func q8_0(_ values: [Float]) -> [UInt8] {
        var out: [UInt8] = []
        for start in stride(from: 0, to: values.count, by: 32) {
            let block = values[start..<(start + 32)]
            let amax = block.map(abs).max() ?? 0
            let d = amax / 127
            let inverse: Float = d == 0 ? 0 : 1 / d
            out += half(d)
            out += block.map { UInt8(bitPattern: Int8(max(-127, min(127, ($0 * inverse).rounded())))) }
        }
        return out
    }

    static func q4_1(_ values: [Float]) -> [UInt8] {
        var out: [UInt8] = []
        for start in stride(from: 0, to: values.count, by: 32) {
            let block = Array(values[start..<(start + 32)])
            let lo = block.min() ?? 0, hi = block.max() ?? 0
            let d = (hi - lo) / 15
            let inverse: Float = d == 0 ? 0 : 1 / d
            out += half(d)
            out += half(lo)
            let q = block.map { UInt8(max(0, min(15, (($0 - lo) * inverse).rounded()))) }
            for j in 0..<16 { out.append(q[j] | (q[j + 16] << 4)) }
        }
        return out
    }
}
