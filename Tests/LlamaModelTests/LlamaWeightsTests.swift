import GGUF
import LlamaModel
import ServeCore
import Testing

@Suite("LlamaWeights")
struct LlamaWeightsTests {
    @Test("reads the config and ties the LM head when output.weight is absent")
    func loadsConfig() throws {
        let quantized = try TinyLlama.weights(.quantized)
        #expect(quantized.config == TinyLlama.config)
        #expect(quantized.isOutputTied)
        #expect(quantized.layers.count == 2)
        #expect(quantized.layers[0].query.format == .q4_1)
        #expect(quantized.tokenEmbedding.format == .q8_0)
        let f32 = try TinyLlama.weights(.f32)
        #expect(!f32.isOutputTied)
        #expect(f32.output.rows == 97 && f32.output.cols == 64)
    }

    @Test("rejects a non-llama architecture by name")
    func rejectsArchitecture() throws {
        let bytes = try TinyLlama.bytes(.f32, architecture: "gpt2")
        #expect(throws: LlamaModelError.unsupportedArchitecture("gpt2")) {
            try LlamaWeights(bytes: ReadOnlyBytes(copying: bytes))
        }
        #expect(LlamaModelError.unsupportedArchitecture("gpt2").description.contains("gpt2"))
    }

    @Test("a missing tensor is named")
    func missingTensor() throws {
        let bytes = try TinyLlama.bytes(.f32, omit: "blk.1.ffn_up.weight")
        #expect(throws: LlamaModelError.missingTensor(name: "blk.1.ffn_up.weight")) {
            try LlamaWeights(bytes: ReadOnlyBytes(copying: bytes))
        }
    }

    @Test("a wrongly shaped tensor is rejected")
    func wrongShape() throws {
        let bytes = try TinyLlama.bytes(.f32, override: ("blk.0.attn_k.weight", [32, 64]))
        #expect(throws: LlamaModelError.tensorShapeMismatch(name: "blk.0.attn_k.weight", expected: [64, 32], actual: [32, 64])) {
            try LlamaWeights(bytes: ReadOnlyBytes(copying: bytes))
        }
    }

    @Test("garbage bytes are a malformed file")
    func garbage() {
        #expect(throws: LlamaModelError.self) { try LlamaWeights(bytes: ReadOnlyBytes(copying: [UInt8](repeating: 7, count: 64))) }
    }

    @Test("config validation rejects impossible shapes")
    func validation() {
        var c = TinyLlama.config
        c.kvHeadCount = 3
        #expect(throws: LlamaModelError.self) { try c.validate() }
        c = TinyLlama.config
        c.embeddingWidth = 60
        #expect(throws: LlamaModelError.self) { try c.validate() }
        #expect(throws: Never.self) { try TinyLlama.config.validate() }
    }
}
