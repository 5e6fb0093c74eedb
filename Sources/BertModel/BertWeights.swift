import Safetensors

/// HF tensor names (without `.weight`/`.bias`) of one encoder layer's modules.
struct EncoderModuleNames: Sendable {
    let query: String, key: String, value: String, attentionOut: String, attentionNorm: String
    let intermediate = "intermediate.dense", output = "output.dense", outputNorm = "output.LayerNorm"

    static func of(_ architecture: EncoderArchitecture) -> EncoderModuleNames {
        switch architecture {
        case .bert:
            EncoderModuleNames(query: "attention.self.query", key: "attention.self.key", value: "attention.self.value",
                               attentionOut: "attention.output.dense", attentionNorm: "attention.output.LayerNorm")
        case .mpnet:
            EncoderModuleNames(query: "attention.attn.q", key: "attention.attn.k", value: "attention.attn.v",
                               attentionOut: "attention.attn.o", attentionNorm: "attention.LayerNorm")
        }
    }

    /// The linear layers (what a LoRA delta may adapt).
    var linear: [String] { [query, key, value, attentionOut, intermediate, output] }
}

/// One encoder layer. Q, K and V are stacked into one [3·hidden × hidden] matrix so the three
/// projections run as a single matrix product.
struct BertLayerWeights: Sendable {
    let qkvWeight: FloatStorage, qkvBias: FloatStorage
    let attentionOutWeight: FloatStorage, attentionOutBias: FloatStorage
    let attentionNormWeight: FloatStorage, attentionNormBias: FloatStorage
    let intermediateWeight: FloatStorage, intermediateBias: FloatStorage
    let outputWeight: FloatStorage, outputBias: FloatStorage
    let outputNormWeight: FloatStorage, outputNormBias: FloatStorage
}

/// All weights of a BERT encoder, copied to aligned F32 (F16/BF16 files are widened).
///
/// Tensor names are HF's `BertModel` names without the `bert.` prefix (as all-MiniLM-L6-v2 ships
/// them); a `bert.`-prefixed file is accepted too.
struct BertWeights: Sendable {
    let wordEmbeddings: FloatStorage
    let positionEmbeddings: FloatStorage
    /// Empty for MPNet (no token types).
    let tokenTypeEmbeddings: FloatStorage
    /// MPNet: [buckets × heads], shared by every layer; empty for BERT.
    let relativeAttentionBias: FloatStorage
    let embeddingNormWeight: FloatStorage, embeddingNormBias: FloatStorage
    let layers: [BertLayerWeights]
    /// FNV-1a 64 over tensor names, shapes and F32 bit patterns in a fixed order.
    let digest: String

    /// - Parameter delta: a LoRA delta merged into the layers' linear weights as they load.
    init(file: SafetensorsFile, config: BertConfig, delta: BertLoRADelta? = nil) throws(EmbedderLoadError) {
        let names = EncoderModuleNames.of(config.architecture)
        if let delta, let unknown = delta.unknownWeights(layerCount: config.layerCount, modules: names.linear).first {
            throw .missingTensor(name: unknown + " (adapted by the LoRA delta)")
        }
        var loader = Loader(file: file, delta: delta)
        let h = config.hiddenSize, f = config.intermediateSize
        wordEmbeddings = try loader.load("embeddings.word_embeddings.weight", [config.vocabularySize, h])
        positionEmbeddings = try loader.load("embeddings.position_embeddings.weight", [config.maxPositions, h])
        tokenTypeEmbeddings = config.typeVocabularySize > 0
            ? try loader.load("embeddings.token_type_embeddings.weight", [config.typeVocabularySize, h]) : FloatStorage([])
        relativeAttentionBias = config.relativeAttentionBuckets > 0
            ? try loader.load("encoder.relative_attention_bias.weight", [config.relativeAttentionBuckets, config.headCount])
            : FloatStorage([])
        embeddingNormWeight = try loader.load("embeddings.LayerNorm.weight", [h])
        embeddingNormBias = try loader.load("embeddings.LayerNorm.bias", [h])
        var layers: [BertLayerWeights] = []
        for l in 0..<config.layerCount {
            let p = "encoder.layer.\(l)."
            let n = names
            let q = try loader.values(p + n.query + ".weight", [h, h])
            let k = try loader.values(p + n.key + ".weight", [h, h])
            let v = try loader.values(p + n.value + ".weight", [h, h])
            let qb = try loader.values(p + n.query + ".bias", [h])
            let kb = try loader.values(p + n.key + ".bias", [h])
            let vb = try loader.values(p + n.value + ".bias", [h])
            layers.append(BertLayerWeights(
                qkvWeight: FloatStorage(q + k + v), qkvBias: FloatStorage(qb + kb + vb),
                attentionOutWeight: try loader.load(p + n.attentionOut + ".weight", [h, h]),
                attentionOutBias: try loader.load(p + n.attentionOut + ".bias", [h]),
                attentionNormWeight: try loader.load(p + n.attentionNorm + ".weight", [h]),
                attentionNormBias: try loader.load(p + n.attentionNorm + ".bias", [h]),
                intermediateWeight: try loader.load(p + n.intermediate + ".weight", [f, h]),
                intermediateBias: try loader.load(p + n.intermediate + ".bias", [f]),
                outputWeight: try loader.load(p + n.output + ".weight", [h, f]),
                outputBias: try loader.load(p + n.output + ".bias", [h]),
                outputNormWeight: try loader.load(p + n.outputNorm + ".weight", [h]),
                outputNormBias: try loader.load(p + n.outputNorm + ".bias", [h])))
        }
        self.layers = layers
        digest = "fnv1a64:" + loader.digestHex + (delta.map { "+" + $0.digest } ?? "")
    }

    /// Reads the encoder's tensors (`BertTensorReader`), merging `delta` into 2-D weights.
    private struct Loader {
        var reader: BertTensorReader
        let delta: BertLoRADelta?

        init(file: SafetensorsFile, delta: BertLoRADelta?) {
            reader = BertTensorReader(file: file)
            self.delta = delta
        }

        var digestHex: String { reader.digestHex }

        mutating func load(_ name: String, _ shape: [Int]) throws(EmbedderLoadError) -> FloatStorage {
            FloatStorage(try values(name, shape))
        }

        mutating func values(_ name: String, _ shape: [Int]) throws(EmbedderLoadError) -> [Float] {
            let values = try reader.tensor(name, shape: shape).values
            if let delta, shape.count == 2 {
                return try delta.merged(name, values, outputs: shape[0], inputs: shape[1])
            }
            return values
        }
    }
}
