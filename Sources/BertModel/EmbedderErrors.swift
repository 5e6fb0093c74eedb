import Safetensors

/// Why an embedder could not be built from its files.
public enum EmbedderLoadError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A file the model needs is absent (raised by the layer-1 loader).
    case missingFile(path: String)
    case safetensors(SafetensorsError)
    case invalidConfig(reason: String)
    case missingTensor(name: String)
    case wrongShape(tensor: String, expected: [Int], actual: [Int])
    case nonFiniteWeight(tensor: String, index: Int)
    /// The vocabulary file and the word-embedding table disagree.
    case vocabularyMismatch(vocabularyCount: Int, embeddingRows: Int)
    case invalidVocabulary(reason: String)

    public var description: String {
        switch self {
        case .missingFile(let path): return "embedder: missing file \(path)"
        case .safetensors(let error): return "embedder: \(error)"
        case .invalidConfig(let reason): return "embedder: invalid config: \(reason)"
        case .missingTensor(let name): return "embedder: weights have no tensor '\(name)'"
        case .wrongShape(let tensor, let expected, let actual):
            return "embedder: tensor '\(tensor)' has shape \(actual), expected \(expected)"
        case .nonFiniteWeight(let tensor, let index): return "embedder: tensor '\(tensor)' has a NaN/Inf at element \(index)"
        case .vocabularyMismatch(let vocabularyCount, let embeddingRows):
            return "embedder: vocabulary has \(vocabularyCount) tokens but word_embeddings has \(embeddingRows) rows"
        case .invalidVocabulary(let reason): return "embedder: invalid vocabulary: \(reason)"
        }
    }
}

/// Why an embedding call failed (inputs reachable from callers, never a crash).
public enum EmbedError: Error, Sendable, Equatable, CustomStringConvertible {
    case emptySequence(index: Int)
    case sequenceTooLong(index: Int, length: Int, limit: Int)
    case tokenOutOfRange(index: Int, token: Int32, vocabularySize: Int)
    case invalidSegments(reason: String)

    public var description: String {
        switch self {
        case .emptySequence(let index): return "embed: input \(index) has no tokens (needs at least [CLS] [SEP])"
        case .sequenceTooLong(let index, let length, let limit): return "embed: input \(index) has \(length) tokens, limit \(limit)"
        case .tokenOutOfRange(let index, let token, let vocabularySize):
            return "embed: input \(index) has token id \(token) outside the vocabulary of \(vocabularySize)"
        case .invalidSegments(let reason): return "embed: invalid sentence-pair segments: \(reason)"
        }
    }
}
