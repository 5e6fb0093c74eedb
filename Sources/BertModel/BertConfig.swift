import Foundation

/// Shape and limits of a BERT encoder (the subset of HF `config.json` the forward pass needs).
public struct BertConfig: Sendable, Hashable, Codable {
    public var hiddenSize: Int
    public var layerCount: Int
    public var headCount: Int
    public var intermediateSize: Int
    public var vocabularySize: Int
    /// Learned position embeddings (512 for MiniLM).
    public var maxPositions: Int
    public var typeVocabularySize: Int
    public var layerNormEps: Float
    /// Tokens per input after truncation, [CLS] and [SEP] included. 256 for all-MiniLM-L6-v2:
    /// `sentence_bert_config.json`'s `max_seq_length`, which sentence-transformers uses
    /// (`tokenizer.json` says 128; we follow sentence-transformers so embeddings match it).
    public var maxSequenceLength: Int

    public init(hiddenSize: Int, layerCount: Int, headCount: Int, intermediateSize: Int, vocabularySize: Int,
                maxPositions: Int, typeVocabularySize: Int = 2, layerNormEps: Float = 1e-12, maxSequenceLength: Int) {
        self.hiddenSize = hiddenSize
        self.layerCount = layerCount
        self.headCount = headCount
        self.intermediateSize = intermediateSize
        self.vocabularySize = vocabularySize
        self.maxPositions = maxPositions
        self.typeVocabularySize = typeVocabularySize
        self.layerNormEps = layerNormEps
        self.maxSequenceLength = maxSequenceLength
    }

    /// sentence-transformers/all-MiniLM-L6-v2.
    public static let miniLML6v2 = BertConfig(
        hiddenSize: 384, layerCount: 6, headCount: 12, intermediateSize: 1536, vocabularySize: 30522,
        maxPositions: 512, typeVocabularySize: 2, layerNormEps: 1e-12, maxSequenceLength: 256)

    public var headDim: Int { hiddenSize / max(headCount, 1) }

    /// Reads HF `config.json` bytes; `maxSequenceLength` comes from sentence-transformers'
    /// config (it is not in config.json) and is capped at `max_position_embeddings`.
    public init(huggingFaceConfigJSON bytes: [UInt8], maxSequenceLength: Int = 256) throws(EmbedderLoadError) {
        struct HF: Decodable {
            let hidden_size: Int
            let num_hidden_layers: Int
            let num_attention_heads: Int
            let intermediate_size: Int
            let vocab_size: Int
            let max_position_embeddings: Int
            let type_vocab_size: Int?
            let layer_norm_eps: Double?
            let hidden_act: String?
            let position_embedding_type: String?
        }
        let hf: HF
        do { hf = try JSONDecoder().decode(HF.self, from: Data(bytes)) } catch {
            throw .invalidConfig(reason: "config.json: \(error)")
        }
        guard hf.hidden_act == nil || hf.hidden_act == "gelu" else {
            throw .invalidConfig(reason: "hidden_act '\(hf.hidden_act ?? "")' is not supported (exact GELU only)")
        }
        guard hf.position_embedding_type == nil || hf.position_embedding_type == "absolute" else {
            throw .invalidConfig(reason: "position_embedding_type '\(hf.position_embedding_type ?? "")' is not supported")
        }
        self.init(hiddenSize: hf.hidden_size, layerCount: hf.num_hidden_layers, headCount: hf.num_attention_heads,
                  intermediateSize: hf.intermediate_size, vocabularySize: hf.vocab_size,
                  maxPositions: hf.max_position_embeddings, typeVocabularySize: hf.type_vocab_size ?? 2,
                  layerNormEps: Float(hf.layer_norm_eps ?? 1e-12),
                  maxSequenceLength: min(maxSequenceLength, hf.max_position_embeddings))
        try validate()
    }

    /// Positive sizes, heads dividing the width, limits consistent.
    public func validate() throws(EmbedderLoadError) {
        let sizes = [hiddenSize, layerCount, headCount, intermediateSize, vocabularySize, maxPositions, typeVocabularySize, maxSequenceLength]
        guard sizes.allSatisfy({ $0 > 0 }) else { throw .invalidConfig(reason: "all sizes must be positive: \(self)") }
        guard hiddenSize % headCount == 0 else {
            throw .invalidConfig(reason: "hidden size \(hiddenSize) not divisible by \(headCount) heads")
        }
        guard maxSequenceLength >= 2, maxSequenceLength <= maxPositions else {
            throw .invalidConfig(reason: "max sequence length \(maxSequenceLength) must be in 2...\(maxPositions)")
        }
        guard layerNormEps.isFinite, layerNormEps > 0 else { throw .invalidConfig(reason: "layer norm eps \(layerNormEps)") }
    }
}
