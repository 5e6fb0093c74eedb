/// A vocabulary entry's type, with GGUF's `tokenizer.ggml.token_type` numbering
/// (llama.cpp `llama_token_type`).
public enum TokenKind: Int32, Sendable {
    case undefined = 0
    case normal = 1
    case unknown = 2
    /// Control tokens (`<|im_start|>`, `<|endoftext|>`): never produced from plain text unless
    /// special-token parsing is on; hidden when decoding with `skipSpecial`.
    case control = 3
    /// Added tokens that are always matched in raw text, even without special-token parsing.
    case userDefined = 4
    case unused = 5
    /// `<0xXX>` byte tokens (SentencePiece-style vocabularies).
    case byte = 6

    /// Unknown GGUF values are treated as normal text tokens.
    init(gguf value: Int32) { self = TokenKind(rawValue: value) ?? .normal }

    /// Control and unknown tokens are "special": matched only with `parseSpecial`, hidden by `skipSpecial`.
    var isSpecial: Bool { self == .control || self == .unknown }
}
