import GGUF
import ServeCore

extension BPETokenizer {
    /// Builds the tokenizer from a GGUF file's `tokenizer.ggml.*` metadata.
    ///
    /// Requires `tokenizer.ggml.model == "gpt2"`, `tokens`, `merges` and a supported `pre`
    /// (a missing `pre` is llama.cpp's "default" splitter, which is not implemented, so it throws);
    /// `token_type`, `bos/eos/unknown_token_id` and `add_bos_token` (default false) are optional.
    public init(gguf: GGUFFile) throws(TokenizerError) {
        let model = gguf.string("tokenizer.ggml.model")
        guard let model else { throw .missingMetadata(key: "tokenizer.ggml.model") }
        guard model == "gpt2" else { throw .unsupportedTokenizerModel(model) }
        guard let tokens = gguf.strings("tokenizer.ggml.tokens") else {
            throw .missingMetadata(key: "tokenizer.ggml.tokens")
        }
        guard let merges = gguf.strings("tokenizer.ggml.merges") else {
            throw .missingMetadata(key: "tokenizer.ggml.merges")
        }
        var tokenTypes: [Int32] = []
        if let value = gguf.metadata["tokenizer.ggml.token_type"] {
            guard let types = value.ints else { throw .missingMetadata(key: "tokenizer.ggml.token_type") }
            tokenTypes = types.map { Int32(clamping: $0) }
        }
        func tokenID(_ key: String) -> TokenID? {
            gguf.int(key).map { TokenID(clamping: $0) }
        }
        try self.init(
            tokens: tokens, merges: merges, tokenTypes: tokenTypes,
            bosID: tokenID("tokenizer.ggml.bos_token_id"),
            eosID: tokenID("tokenizer.ggml.eos_token_id"),
            unknownID: tokenID("tokenizer.ggml.unknown_token_id"),
            addBOS: gguf.bool("tokenizer.ggml.add_bos_token") ?? false,
            preTokenizer: gguf.string("tokenizer.ggml.pre") ?? "default")
    }
}

extension ChatTemplate {
    /// Reads `tokenizer.chat_template` from a GGUF file (absent: plain ChatML).
    public init(gguf: GGUFFile) throws(TokenizerError) {
        try self.init(ggufTemplate: gguf.string("tokenizer.chat_template"))
    }
}
