import GGUF
import ServeCore
import Testing
import Tokenizers

@Suite("BPETokenizer+GGUF")
struct BPETokenizerGGUFTests {
    private func file(_ edit: (inout GGUFWriter) -> Void = { _ in }) throws -> GGUFFile {
        var writer = GGUFWriter()
        writer.set("general.architecture", .string("llama"))
        writer.set("tokenizer.ggml.model", .string("gpt2"))
        writer.set("tokenizer.ggml.pre", .string("smollm"))
        writer.set("tokenizer.ggml.tokens", .array(TinyVocab.tokens.map(GGUFValue.string)))
        writer.set("tokenizer.ggml.merges", .array(TinyVocab.merges.map(GGUFValue.string)))
        writer.set("tokenizer.ggml.token_type", .array(TinyVocab.tokenTypes.map(GGUFValue.int32)))
        writer.set("tokenizer.ggml.bos_token_id", .uint32(1))
        writer.set("tokenizer.ggml.eos_token_id", .uint32(2))
        writer.set("tokenizer.ggml.unknown_token_id", .uint32(0))
        writer.set("tokenizer.ggml.add_bos_token", .bool(false))
        edit(&writer)
        return try GGUFFile(bytes: ReadOnlyBytes(copying: writer.serialized()))
    }

    @Test("reads vocabulary, merges, types and special ids from metadata")
    func readsMetadata() throws {
        let tok = try BPETokenizer(gguf: try file())
        let reference = try TinyVocab.tokenizer()
        #expect(tok.vocabularySize == reference.vocabularySize)
        #expect(tok.bosID == 1 && tok.eosID == 2 && tok.unknownID == 0 && !tok.addsBOS)
        #expect(tok.preTokenizer == .smollm)
        let text = "<|im_start|>hello world 12 😀<tool><|im_end|>"
        #expect(tok.encode(text, parseSpecial: true) == reference.encode(text, parseSpecial: true))
    }

    @Test("a non-gpt2 tokenizer model or missing arrays are rejected")
    func rejectsUnsupported() throws {
        #expect(throws: TokenizerError.unsupportedTokenizerModel("llama")) {
            try BPETokenizer(gguf: try file { $0.set("tokenizer.ggml.model", .string("llama")) })
        }
        #expect(throws: TokenizerError.missingMetadata(key: "tokenizer.ggml.merges")) {
            try BPETokenizer(gguf: try file { $0.set("tokenizer.ggml.merges", .uint32(3)) })
        }
        #expect(throws: TokenizerError.unsupportedPreTokenizer("qwen2")) {
            try BPETokenizer(gguf: try file { $0.set("tokenizer.ggml.pre", .string("qwen2")) })
        }
    }

    @Test("the chat template is read from tokenizer.chat_template")
    func chatTemplate() throws {
        let template = try ChatTemplate(gguf: try file { $0.set("tokenizer.chat_template", .string(ChatTemplateTests.smolLM2)) })
        #expect(template.defaultSystemPrompt == ChatTemplateTests.defaultSystem)
        #expect(try ChatTemplate(gguf: try file()) == ChatTemplate())
    }
}
