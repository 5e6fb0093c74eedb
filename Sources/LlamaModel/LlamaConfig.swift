import GGUF

/// The shape of a Llama-architecture model, read from GGUF metadata (`llama.*` keys).
public struct LlamaConfig: Sendable, Codable, Equatable {
    public var layerCount: Int
    public var embeddingWidth: Int
    public var feedForwardWidth: Int
    public var headCount: Int
    /// Key/value heads; fewer than `headCount` means grouped-query attention.
    public var kvHeadCount: Int
    public var ropeFreqBase: Float
    public var rmsNormEpsilon: Float
    /// The longest context the model was trained for (an upper bound for KV cache capacity).
    public var contextLength: Int
    public var vocabularySize: Int

    public init(layerCount: Int, embeddingWidth: Int, feedForwardWidth: Int, headCount: Int,
                kvHeadCount: Int, ropeFreqBase: Float = 10_000, rmsNormEpsilon: Float = 1e-5,
                contextLength: Int, vocabularySize: Int) {
        self.layerCount = layerCount
        self.embeddingWidth = embeddingWidth
        self.feedForwardWidth = feedForwardWidth
        self.headCount = headCount
        self.kvHeadCount = kvHeadCount
        self.ropeFreqBase = ropeFreqBase
        self.rmsNormEpsilon = rmsNormEpsilon
        self.contextLength = contextLength
        self.vocabularySize = vocabularySize
    }

    public var headDimension: Int { embeddingWidth / max(headCount, 1) }
    /// Width of one token's query vector (all heads).
    public var queryWidth: Int { headCount * headDimension }
    /// Width of one token's key (or value) vector (all KV heads).
    public var kvWidth: Int { kvHeadCount * headDimension }
    /// Query heads per KV head.
    public var groupSize: Int { headCount / max(kvHeadCount, 1) }

    /// Throws on shapes the forward pass cannot run.
    public func validate() throws(LlamaModelError) {
        func check(_ ok: Bool, _ reason: @autoclosure () -> String) throws(LlamaModelError) {
            if !ok { throw .invalidConfig(reason()) }
        }
        try check(layerCount >= 1, "block_count \(layerCount) < 1")
        try check(embeddingWidth >= 1, "embedding_length \(embeddingWidth) < 1")
        try check(feedForwardWidth >= 1, "feed_forward_length \(feedForwardWidth) < 1")
        try check(headCount >= 1 && kvHeadCount >= 1, "head counts \(headCount)/\(kvHeadCount) must be >= 1")
        try check(embeddingWidth % headCount == 0, "embedding_length \(embeddingWidth) not divisible by head_count \(headCount)")
        try check(headCount % kvHeadCount == 0, "head_count \(headCount) not divisible by head_count_kv \(kvHeadCount)")
        // The attention loops run on SIMD8 lanes and RoPE rotates pairs.
        try check(headDimension % 8 == 0, "head dimension \(headDimension) is not a multiple of 8")
        try check(ropeFreqBase.isFinite && ropeFreqBase > 0, "rope.freq_base \(ropeFreqBase) must be > 0")
        try check(rmsNormEpsilon.isFinite && rmsNormEpsilon > 0, "layer_norm_rms_epsilon \(rmsNormEpsilon) must be > 0")
        try check(contextLength >= 1, "context_length \(contextLength) < 1")
        try check(vocabularySize >= 1, "vocabulary size \(vocabularySize) < 1")
    }
}

extension LlamaConfig {
    /// Reads the `llama.*` metadata; the vocabulary size comes from `token_embd.weight`.
    public init(gguf: GGUFFile) throws(LlamaModelError) {
        guard let arch = gguf.string("general.architecture") else {
            throw .missingMetadata(key: "general.architecture")
        }
        guard arch == "llama" else { throw .unsupportedArchitecture(arch) }
        func int(_ key: String) throws(LlamaModelError) -> Int {
            guard let value = gguf.int(key) else { throw .missingMetadata(key: key) }
            return Int(value)
        }
        func float(_ key: String, default fallback: Float) -> Float {
            gguf.float(key).map { Float($0) } ?? fallback
        }
        let heads = try int("llama.attention.head_count")
        guard let embedding = gguf.tensor(named: "token_embd.weight") else {
            throw .missingTensor(name: "token_embd.weight")
        }
        guard embedding.dimensions.count == 2 else {
            throw .tensorShapeMismatch(name: "token_embd.weight", expected: [-1, -1], actual: embedding.dimensions)
        }
        self.init(
            layerCount: try int("llama.block_count"),
            embeddingWidth: try int("llama.embedding_length"),
            feedForwardWidth: try int("llama.feed_forward_length"),
            headCount: heads,
            kvHeadCount: gguf.int("llama.attention.head_count_kv").map { Int($0) } ?? heads,
            ropeFreqBase: float("llama.rope.freq_base", default: 10_000),
            rmsNormEpsilon: float("llama.attention.layer_norm_rms_epsilon", default: 1e-5),
            contextLength: try int("llama.context_length"),
            vocabularySize: embedding.dimensions[1])
        try validate()
        // Partial RoPE or a separate key width would need a different attention layout.
        if let ropeDims = gguf.int("llama.rope.dimension_count"), Int(ropeDims) != headDimension {
            throw .invalidConfig("rope.dimension_count \(ropeDims) != head dimension \(headDimension)")
        }
        if let keyLength = gguf.int("llama.attention.key_length"), Int(keyLength) != headDimension {
            throw .invalidConfig("attention.key_length \(keyLength) != head dimension \(headDimension)")
        }
    }
}
