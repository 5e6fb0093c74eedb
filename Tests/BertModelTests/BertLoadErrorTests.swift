import BertModel
import Foundation
import Safetensors
import ServeCore
import Testing

@Suite struct BertLoadErrorTests {
    let config = tinyConfigs[1]

    @Test func missingTensor() throws {
        let bytes = try TinyBert(config: config, seed: 1).safetensors(skipping: ["encoder.layer.0.intermediate.dense.bias"])
        #expect(throws: EmbedderLoadError.missingTensor(name: "encoder.layer.0.intermediate.dense.bias")) {
            try BertEncoder(file: SafetensorsFile(bytes: ReadOnlyBytes(copying: bytes)), config: config, pool: nil)
        }
    }

    @Test func wrongShape() throws {
        var model = TinyBert(config: config, seed: 1)
        model.tensors["embeddings.LayerNorm.bias"] = ([31], [Float](repeating: 0, count: 31))
        #expect(throws: EmbedderLoadError.wrongShape(tensor: "embeddings.LayerNorm.bias", expected: [32], actual: [31])) {
            try BertEncoder(file: model.file(), config: config, pool: nil)
        }
    }

    @Test func nonFiniteWeight() throws {
        var model = TinyBert(config: config, seed: 1)
        model.tensors["encoder.layer.0.attention.self.key.weight"]?.values[5] = .nan
        #expect(throws: EmbedderLoadError.nonFiniteWeight(tensor: "encoder.layer.0.attention.self.key.weight", index: 5)) {
            try BertEncoder(file: model.file(), config: config, pool: nil)
        }
    }

    @Test func integerTensorIsRejected() throws {
        var writer = SafetensorsWriter()
        try writer.add(name: "embeddings.LayerNorm.weight", dtype: .i32, shape: [32], bytes: [UInt8](repeating: 0, count: 128))
        let file = try SafetensorsFile(bytes: ReadOnlyBytes(copying: writer.serialized()))
        // Loading stops at the first tensor it needs (word embeddings), which is absent.
        #expect(throws: EmbedderLoadError.missingTensor(name: "embeddings.word_embeddings.weight")) {
            try BertEncoder(file: file, config: config, pool: nil)
        }
    }

    @Test func invalidConfigs() throws {
        var bad = config
        bad.headCount = 3
        let file = try TinyBert(config: config, seed: 1).file()
        #expect(throws: EmbedderLoadError.self) { try BertEncoder(file: file, config: bad, pool: nil) }
        bad = config
        bad.maxSequenceLength = bad.maxPositions + 1
        #expect(throws: EmbedderLoadError.self) { try BertEncoder(file: file, config: bad, pool: nil) }
    }

    @Test func parsesHuggingFaceConfig() throws {
        let json = #"{"hidden_size":384,"num_hidden_layers":6,"num_attention_heads":12,"intermediate_size":1536,"vocab_size":30522,"max_position_embeddings":512,"type_vocab_size":2,"layer_norm_eps":1e-12,"hidden_act":"gelu","position_embedding_type":"absolute"}"#
        let parsed = try BertConfig(huggingFaceConfigJSON: Array(json.utf8))
        #expect(parsed == BertConfig.miniLML6v2)
        #expect(throws: EmbedderLoadError.self) { try BertConfig(huggingFaceConfigJSON: Array("{}".utf8)) }
        let relu = json.replacingOccurrences(of: "\"gelu\"", with: "\"relu\"")
        #expect(throws: EmbedderLoadError.self) { try BertConfig(huggingFaceConfigJSON: Array(relu.utf8)) }
    }
}
