/// Errors raised while building a tokenizer or a chat template from model metadata.
public enum TokenizerError: Error, Sendable, CustomStringConvertible, Equatable {
    /// The token list is empty.
    case emptyVocabulary
    /// `tokenTypes` must be empty (all normal) or have one entry per token.
    case tokenTypeCountMismatch(tokens: Int, tokenTypes: Int)
    /// A merge rule is not of the form "left right".
    case malformedMerge(index: Int, text: String)
    /// A special token id (bos/eos/unk) lies outside the vocabulary.
    case specialTokenOutOfRange(name: String, id: TokenIDValue, vocabularySize: Int)
    /// The pre-tokenizer named in the model metadata is not implemented.
    case unsupportedPreTokenizer(String)
    /// The tokenizer model named in the metadata (e.g. `tokenizer.ggml.model`) is not byte-level BPE.
    case unsupportedTokenizerModel(String)
    /// A required metadata key is missing or has the wrong type.
    case missingMetadata(key: String)
    /// The chat template is not one this implementation can render faithfully.
    case unsupportedChatTemplate(reason: String)
    /// WordPiece needs `[UNK]`, `[CLS]` and `[SEP]` in its vocabulary.
    case missingSpecialToken(String)

    /// Plain `Int32` so the error stays `Equatable` without importing ServeCore in clients.
    public typealias TokenIDValue = Int32

    public var description: String {
        switch self {
        case .emptyVocabulary:
            return "tokenizer vocabulary is empty"
        case let .tokenTypeCountMismatch(tokens, tokenTypes):
            return "tokenizer has \(tokens) tokens but \(tokenTypes) token types"
        case let .malformedMerge(index, text):
            return "merge #\(index) is not \"left right\": \(text.debugDescription)"
        case let .specialTokenOutOfRange(name, id, size):
            return "\(name) token id \(id) is outside the vocabulary (size \(size))"
        case let .unsupportedPreTokenizer(name):
            return "pre-tokenizer \(name.debugDescription) is not supported (supported: smollm, gpt2)"
        case let .unsupportedTokenizerModel(name):
            return "tokenizer model \(name.debugDescription) is not supported (only gpt2 byte-level BPE)"
        case let .missingMetadata(key):
            return "tokenizer metadata \(key) is missing or has the wrong type"
        case let .unsupportedChatTemplate(reason):
            return "unsupported chat template: \(reason)"
        case let .missingSpecialToken(token):
            return "vocabulary lacks the special token \(token)"
        }
    }
}
