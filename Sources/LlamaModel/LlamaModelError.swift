import ServeCore

/// Everything that can go wrong loading or running a Llama model. Each case carries enough context
/// (tensor name, key, limit) to act on without a debugger.
public enum LlamaModelError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `general.architecture` is not `llama`.
    case unsupportedArchitecture(String)
    /// The bytes are not a readable GGUF file (the reader's message).
    case malformedFile(String)
    /// A required metadata key is absent or has the wrong type.
    case missingMetadata(key: String)
    /// Metadata values that no Llama model can have (e.g. heads not dividing the width).
    case invalidConfig(String)
    /// A required tensor is absent from the file.
    case missingTensor(name: String)
    /// A tensor exists but has the wrong dimensions (GGUF order, innermost first).
    case tensorShapeMismatch(name: String, expected: [Int], actual: [Int])
    /// A tensor's element type is not one the kernels support.
    case unsupportedTensorType(name: String, type: String)
    /// The kernels rejected a weight matrix (e.g. columns not a multiple of the block size).
    case weightRejected(name: String, reason: String)
    /// A token id outside `0..<vocabularySize`.
    case tokenOutOfVocabulary(token: TokenID, vocabularySize: Int)
    /// Appending `adding` tokens to a cache holding `cached` would exceed its `capacity`.
    case contextOverflow(cached: Int, adding: Int, capacity: Int)
    /// More tokens in one forward call than the context's scratch buffers hold.
    case batchTooLarge(tokens: Int, maxBatchTokens: Int)
    /// More logit rows requested in one forward call than the context holds.
    case tooManyLogitRows(requested: Int, maxLogitRows: Int)
    /// A chunk with no tokens, or the same cache twice in one batch.
    case invalidBatch(String)
    /// A cache built for a different model shape than the context's.
    case cacheMismatch(String)

    public var description: String {
        switch self {
        case let .unsupportedArchitecture(arch):
            "unsupported model architecture '\(arch)' (only 'llama' is supported)"
        case let .malformedFile(reason): "not a readable GGUF file: \(reason)"
        case let .missingMetadata(key): "GGUF metadata key '\(key)' is missing or has the wrong type"
        case let .invalidConfig(reason): "invalid Llama configuration: \(reason)"
        case let .missingTensor(name): "tensor '\(name)' is missing"
        case let .tensorShapeMismatch(name, expected, actual):
            "tensor '\(name)' has dimensions \(actual), expected \(expected)"
        case let .unsupportedTensorType(name, type): "tensor '\(name)' has unsupported type \(type)"
        case let .weightRejected(name, reason): "tensor '\(name)' rejected by the kernels: \(reason)"
        case let .tokenOutOfVocabulary(token, vocab): "token id \(token) is outside the vocabulary (0..<\(vocab))"
        case let .contextOverflow(cached, adding, capacity):
            "context overflow: \(cached) cached + \(adding) new tokens exceed the KV cache capacity \(capacity)"
        case let .batchTooLarge(tokens, limit): "batch of \(tokens) tokens exceeds maxBatchTokens \(limit)"
        case let .tooManyLogitRows(requested, limit): "\(requested) logit rows requested, the context holds \(limit)"
        case let .invalidBatch(reason): "invalid batch: \(reason)"
        case let .cacheMismatch(reason): "KV cache does not match the model: \(reason)"
        }
    }
}
