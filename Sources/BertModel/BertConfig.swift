import Foundation
import Tokenizers

/// The encoder families the forward pass knows. MPNet is BERT's layer stack with other tensor
/// names, no token types, positions counted from `padding_idx + 1`, and a learned relative
/// position bias (T5-style buckets) added to every layer's attention scores.
public enum EncoderArchitecture: String, Sendable, Hashable, Codable {
    case bert, mpnet
}

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
    public var architecture: EncoderArchitecture
    /// MPNet: buckets of the relative position bias (0: none, BERT).
    public var relativeAttentionBuckets: Int
    /// MPNet: distances from here on share the last bucket.
    public var relativeAttentionMaxDistance: Int
    /// Position embedding row of the first token (MPNet: padding_idx + 1 = 2; BERT: 0).
    public var positionOffset: Int

    public init(hiddenSize: Int, layerCount: Int, headCount: Int, intermediateSize: Int, vocabularySize: Int,
                maxPositions: Int, typeVocabularySize: Int = 2, layerNormEps: Float = 1e-12, maxSequenceLength: Int,
                architecture: EncoderArchitecture = .bert, relativeAttentionBuckets: Int = 0,
                relativeAttentionMaxDistance: Int = 128, positionOffset: Int = 0) {
        self.hiddenSize = hiddenSize
        self.layerCount = layerCount
        self.headCount = headCount
        self.intermediateSize = intermediateSize
        self.vocabularySize = vocabularySize
        self.maxPositions = maxPositions
        self.typeVocabularySize = typeVocabularySize
        self.layerNormEps = layerNormEps
        self.maxSequenceLength = maxSequenceLength
        self.architecture = architecture
        self.relativeAttentionBuckets = relativeAttentionBuckets
        self.relativeAttentionMaxDistance = relativeAttentionMaxDistance
        self.positionOffset = positionOffset
    }

    /// sentence-transformers/all-MiniLM-L6-v2.
    public static let miniLML6v2 = BertConfig(
        hiddenSize: 384, layerCount: 6, headCount: 12, intermediateSize: 1536, vocabularySize: 30522,
        maxPositions: 512, typeVocabularySize: 2, layerNormEps: 1e-12, maxSequenceLength: 256)

    /// sentence-transformers/all-mpnet-base-v2 (`max_seq_length` 384 in sentence_bert_config.json).
    public static let allMPNetBaseV2 = BertConfig(
        hiddenSize: 768, layerCount: 12, headCount: 12, intermediateSize: 3072, vocabularySize: 30527,
        maxPositions: 514, typeVocabularySize: 0, layerNormEps: 1e-5, maxSequenceLength: 384,
        architecture: .mpnet, relativeAttentionBuckets: 32, relativeAttentionMaxDistance: 128, positionOffset: 2)

    public var headDim: Int { hiddenSize / max(headCount, 1) }

    /// The tokenizer's special tokens for this family.
    public var specialTokens: WordPieceTokenizer.SpecialTokens { architecture == .mpnet ? .mpnet : .bert }

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
            let model_type: String?
            let relative_attention_num_buckets: Int?
            let pad_token_id: Int?
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
        switch hf.model_type {
        case nil, "bert":
            self.init(hiddenSize: hf.hidden_size, layerCount: hf.num_hidden_layers, headCount: hf.num_attention_heads,
                      intermediateSize: hf.intermediate_size, vocabularySize: hf.vocab_size,
                      maxPositions: hf.max_position_embeddings, typeVocabularySize: hf.type_vocab_size ?? 2,
                      layerNormEps: Float(hf.layer_norm_eps ?? 1e-12),
                      maxSequenceLength: min(maxSequenceLength, hf.max_position_embeddings))
        case "mpnet":
            let offset = (hf.pad_token_id ?? 1) + 1
            self.init(hiddenSize: hf.hidden_size, layerCount: hf.num_hidden_layers, headCount: hf.num_attention_heads,
                      intermediateSize: hf.intermediate_size, vocabularySize: hf.vocab_size,
                      maxPositions: hf.max_position_embeddings, typeVocabularySize: 0,
                      layerNormEps: Float(hf.layer_norm_eps ?? 1e-5),
                      maxSequenceLength: min(maxSequenceLength, hf.max_position_embeddings - offset),
                      architecture: .mpnet, relativeAttentionBuckets: hf.relative_attention_num_buckets ?? 32,
                      positionOffset: offset)
        case let other?:
            throw .invalidConfig(reason: "model_type '\(other)' is not supported (bert or mpnet)")
        }
        try validate()
    }

    /// Positive sizes, heads dividing the width, limits consistent.
    public func validate() throws(EmbedderLoadError) {
        let sizes = [hiddenSize, layerCount, headCount, intermediateSize, vocabularySize, maxPositions, maxSequenceLength]
        guard sizes.allSatisfy({ $0 > 0 }) else { throw .invalidConfig(reason: "all sizes must be positive: \(self)") }
        switch architecture {
        case .bert:
            guard typeVocabularySize > 0, relativeAttentionBuckets == 0 else {
                throw .invalidConfig(reason: "a BERT encoder has token types and no relative position bias: \(self)")
            }
        case .mpnet:
            // At least 4 buckets: each direction needs exact buckets before the log-spaced ones.
            guard typeVocabularySize == 0, relativeAttentionBuckets >= 4, relativeAttentionBuckets % 2 == 0,
                  relativeAttentionMaxDistance > relativeAttentionBuckets / 4 else {
                throw .invalidConfig(reason: "an MPNet encoder has no token types and an even number (>= 4) of relative buckets: \(self)")
            }
        }
        guard positionOffset >= 0 else { throw .invalidConfig(reason: "position offset \(positionOffset) < 0") }
        guard hiddenSize % headCount == 0 else {
            throw .invalidConfig(reason: "hidden size \(hiddenSize) not divisible by \(headCount) heads")
        }
        guard maxSequenceLength >= 2, maxSequenceLength + positionOffset <= maxPositions else {
            throw .invalidConfig(reason: "max sequence length \(maxSequenceLength) must be in 2...\(maxPositions - positionOffset)")
        }
        guard layerNormEps.isFinite, layerNormEps > 0 else { throw .invalidConfig(reason: "layer norm eps \(layerNormEps)") }
    }
}
