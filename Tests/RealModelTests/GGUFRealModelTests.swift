import GGUF
import TestSupport
import Testing

/// The reader on the real SmolLM2-135M Q4_1 file (facts from docs/model-notes.md).
@Suite struct GGUFRealModelTests {
    @Test func smolLM2HeaderMatchesTheModelNotes() throws {
        let bytes = try RealModels.readFile(try RealModels.smolLM2Path())
        // memcpy copy: ReadOnlyBytes(copying:) walks 98 MB element by element in a debug build.
        let file = try GGUFFile(bytes: GGUFFuzzing.owned(bytes))
        #expect(file.version == 3)
        #expect(file.alignment == 32)
        #expect(file.tensors.count == 272)
        #expect(file.metadataKeys.count == 33)
        #expect(file.string("general.architecture") == "llama")
        #expect(file.int("llama.block_count") == 30)
        #expect(file.int("llama.embedding_length") == 576)
        #expect(file.int("llama.feed_forward_length") == 1536)
        #expect(file.int("llama.attention.head_count") == 9)
        #expect(file.int("llama.attention.head_count_kv") == 3)
        #expect(file.float("llama.rope.freq_base") == 100_000)
        #expect(file.strings("tokenizer.ggml.tokens")?.count == 49_152)
        #expect(file.strings("tokenizer.ggml.merges")?.count == 48_900)
        #expect(file.metadata["tokenizer.ggml.token_type"]?.ints?.count == 49_152)

        var byType: [GGMLType: Int] = [:]
        for tensor in file.tensors { byType[tensor.type, default: 0] += 1 }
        #expect(byType == [.q4_1: 210, .q8_0: 1, .f32: 61])
        let embedding = try #require(file.tensor(named: "token_embd.weight"))
        #expect(embedding.type == .q8_0)
        #expect(embedding.dimensions == [576, 49_152])
        #expect(file.data(of: embedding).count == 576 * 49_152 / 32 * 34)
        // The last tensor's bytes end within the file, and the data section is aligned.
        #expect(file.dataOffset % 32 == 0)
        let end = file.tensors.map { file.dataOffset + $0.offset + $0.byteCount }.max() ?? 0
        #expect(end <= bytes.count)
    }
}
