import BertModel
import Foundation
import ModelStore
import Safetensors
import TestSupport
import Testing

/// all-mpnet-base-v2 in the Swift encoder against HF transformers' MPNetModel
/// (Scripts/golden_mpnet.py: token ids from tokenizer.json, mean pooling, L2 normalisation).
@Suite struct MPNetRealModelTests {
    /// The same layout as MiniLM's golden file.
    static let golden: Result<BertRealModelTests.Golden, any Error> = Result {
        guard let url = Bundle.module.url(forResource: "Golden/embeddings-mpnet", withExtension: "json") else {
            throw BertRealModelTests.MissingGolden()
        }
        return try JSONDecoder().decode(BertRealModelTests.Golden.self, from: Data(contentsOf: url))
    }

    static let embedder: Result<BertEmbedder, any Error> = Result {
        let directory = try RealModels.mpnetDirectory()
        let file = try SafetensorsFile(bytes: MappedFile.map(path: directory + "/model.safetensors"))
        let vocabulary = BertEmbedder.parseVocabulary(String(decoding: try RealModels.readFile(directory + "/vocab.txt"), as: UTF8.self))
        let config = try BertConfig(huggingFaceConfigJSON: RealModels.readFile(directory + "/config.json"), maxSequenceLength: 384)
        return try BertEmbedder(modelID: "sentence-transformers/all-mpnet-base-v2", file: file, vocabulary: vocabulary,
                                config: config, threadCount: 2)
    }

    @Test func theGoldenWasMadeFromTheFetchedWeightsAndCoversTheHardCases() throws {
        let golden = try Self.golden.get()
        #expect(golden.model_safetensors_sha256 == ModelCatalog.mpnet.files[0].sha256)
        #expect(golden.max_length == 384)
        #expect(golden.sentences.contains { $0.text.isEmpty })
        #expect(golden.sentences.contains { $0.token_ids.count == 384 })
        #expect(golden.sentences.contains { $0.text.unicodeScalars.contains { $0.properties.isEmojiPresentation } })
    }

    @Test func tokensAndEmbeddingsMatchTransformers() throws {
        let embedder = try Self.embedder.get()
        let golden = try Self.golden.get()
        #expect(embedder.config == BertConfig.allMPNetBaseV2)
        let mismatches = golden.sentences.filter { embedder.tokenize($0.text) != $0.token_ids }.map(\.text)
        #expect(mismatches.isEmpty, "token ids differ for: \(mismatches)")
        BertRealModelTests.expectCosines(try embedder.embed(golden.sentences.map(\.text)), match: golden)
    }
}
