import BertModel
import Safetensors
import ServeCore
import Testing
import Tokenizers

/// MPNet in the BERT encoder: config parsing, the relative-position buckets against HF's, the
/// tokenizer's special tokens and pair layout, and LoRA deltas on MPNet's module names. (The
/// packed forward against the scalar reference is `BertEncoderTests.matchesScalarPaddedReference`
/// with the MPNet entry of `tinyConfigs`.)
@Suite struct MPNetTests {
    static let config = tinyConfigs[2]

    /// all-mpnet-base-v2's config.json (as its repository ships it).
    static let configJSON = #"{"_name_or_path":"microsoft/mpnet-base","architectures":["MPNetForMaskedLM"],"attention_probs_dropout_prob":0.1,"bos_token_id":0,"eos_token_id":2,"hidden_act":"gelu","hidden_dropout_prob":0.1,"hidden_size":768,"initializer_range":0.02,"intermediate_size":3072,"layer_norm_eps":1e-05,"max_position_embeddings":514,"model_type":"mpnet","num_attention_heads":12,"num_hidden_layers":12,"pad_token_id":1,"relative_attention_num_buckets":32,"transformers_version":"4.8.2","vocab_size":30527}"#

    @Test func parsesTheMPNetConfig() throws {
        let parsed = try BertConfig(huggingFaceConfigJSON: Array(Self.configJSON.utf8), maxSequenceLength: 384)
        #expect(parsed == BertConfig.allMPNetBaseV2)
        // The longest input leaves room for the two-row position offset.
        let long = try BertConfig(huggingFaceConfigJSON: Array(Self.configJSON.utf8), maxSequenceLength: 10_000)
        #expect(long.maxSequenceLength == 512)
        let other = Self.configJSON.replacingOccurrences(of: "\"mpnet\"", with: "\"roberta\"")
        #expect(throws: EmbedderLoadError.self) { try BertConfig(huggingFaceConfigJSON: Array(other.utf8)) }
    }

    @Test func inconsistentArchitecturesAreRefused() throws {
        var bad = Self.config
        bad.typeVocabularySize = 2
        #expect(throws: EmbedderLoadError.self) { try bad.validate() }
        for buckets in [7, 2, 0] {
            bad = Self.config
            bad.relativeAttentionBuckets = buckets
            #expect(throws: EmbedderLoadError.self) { try bad.validate() }
        }
        bad = BertConfig.miniLML6v2
        bad.relativeAttentionBuckets = 32
        #expect(throws: EmbedderLoadError.self) { try bad.validate() }
        bad = Self.config
        bad.maxSequenceLength = bad.maxPositions - 1
        #expect(throws: EmbedderLoadError.self) { try bad.validate() }
    }

    /// Where HF's bucket (transformers' `MPNetEncoder.relative_position_bucket`, 32 buckets, max
    /// distance 128, run over −300…300 with torch 2.15) changes, as (first relative position, bucket).
    static let torchChangePoints: [(Int, Int)] = [
        (-300, 15), (-90, 14), (-63, 13), (-45, 12), (-31, 11), (-22, 10), (-15, 9), (-11, 8), (-7, 7), (-6, 6),
        (-5, 5), (-4, 4), (-3, 3), (-2, 2), (-1, 1), (0, 0), (1, 17), (2, 18), (3, 19), (4, 20), (5, 21), (6, 22),
        (7, 23), (8, 24), (12, 25), (16, 26), (23, 27), (32, 28), (46, 29), (64, 30), (91, 31),
    ]

    @Test func relativeBucketsMatchHuggingFace() {
        var expected: [Int] = []
        for (index, (start, bucket)) in Self.torchChangePoints.enumerated() {
            let end = index + 1 < Self.torchChangePoints.count ? Self.torchChangePoints[index + 1].0 : 301
            expected += Array(repeating: bucket, count: end - start)
        }
        let got = (-300...300).map { BertEncoder.relativePositionBucket($0, buckets: 32, maxDistance: 128) }
        #expect(got == expected)
    }

    @Test func tokenizerUsesMPNetSpecialTokensAndPairLayout() throws {
        // Ids as in all-mpnet-base-v2's vocab.txt: <s> <pad> </s> <unk> first, [UNK] later.
        let vocabulary = ["<s>", "<pad>", "</s>", "<unk>", "[PAD]", "[UNK]", "who", "led", "them", "?", "<mask>"]
        let tokenizer = try WordPieceTokenizer(vocabulary: vocabulary, lowercase: true, specialTokens: .mpnet)
        #expect(tokenizer.encode("Who led THEM?", maxLength: 16) == [0, 6, 7, 8, 9, 2])
        #expect(tokenizer.encode("who <mask> zebra", maxLength: 16) == [0, 6, 10, 5, 2])
        // BERT's specials are not MPNet's: without [CLS] the BERT spelling is refused.
        #expect(throws: TokenizerError.self) { try WordPieceTokenizer(vocabulary: vocabulary, specialTokens: .bert) }
    }

    /// A rank-1 delta on MPNet's attention names loads and changes the output; one written for
    /// BERT's names is refused (it names weights this encoder does not have).
    @Test func loraDeltasUseMPNetModuleNames() throws {
        let model = TinyBert(config: Self.config, seed: 4)
        func delta(_ module: String) throws -> BertLoRADelta {
            let h = Self.config.hiddenSize
            var tensors: [String: (shape: [Int], values: [Float])] = ["lora_scale": ([1], [1])]
            tensors["encoder.layer.0.\(module).lora_A"] = ([1, h], (0..<h).map { Float($0 % 5) * 0.1 })
            tensors["encoder.layer.0.\(module).lora_B"] = ([h, 1], (0..<h).map { Float($0 % 3) * 0.1 })
            return try BertLoRADelta(file: BertLoRADeltaTests.safetensors(tensors))
        }
        let plain = try BertEncoder(file: model.file(), config: Self.config, pool: nil)
        let tuned = try BertEncoder(file: model.file(), config: Self.config, pool: nil, delta: delta("attention.attn.q"))
        let batch = randomBatch(count: 2, vocabulary: Self.config.vocabularySize, lengths: 5...9, seed: 2)
        #expect(try plain.embed(tokenIDs: batch) != tuned.embed(tokenIDs: batch))
        #expect(throws: EmbedderLoadError.self) {
            try BertEncoder(file: model.file(), config: Self.config, pool: nil, delta: delta("attention.self.query"))
        }
    }

    /// A padding id inside a sequence (a literal `<pad>` in the text) takes position row
    /// padding_idx and does not shift the tokens after it, as in HF.
    @Test func aPaddingTokenInsideASequenceKeepsHuggingFacePositions() throws {
        let model = TinyBert(config: Self.config, seed: 9)
        let encoder = try BertEncoder(file: model.file(), config: Self.config, pool: nil)
        let pad = TokenID(Self.config.positionOffset - 1)
        let batch: [[TokenID]] = [[0, 5, pad, 7, 9, 2], [0, 5, 7, 9, 2]]
        let got = try encoder.embed(tokenIDs: batch)
        for (g, w) in zip(got, model.referenceEmbeddings(batch)) {
            #expect((zip(g, w).map { abs(Double($0) - $1) }.max() ?? 1) < 2e-5)
        }
    }

    @Test func segmentStartsNeedTokenTypes() throws {
        let encoder = try BertEncoder(file: TinyBert(config: Self.config, seed: 1).file(), config: Self.config, pool: nil)
        #expect(throws: EmbedError.self) { try encoder.embed(tokenIDs: [[1, 2, 3]], secondSegmentStarts: [1]) }
    }
}
