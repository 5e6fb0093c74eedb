import BertModel
import ServeCore
import Testing

@Suite struct BertEmbedderTests {
    /// 50 tokens: the five specials, then words and `##` pieces (config 0 has vocabulary 50).
    static let vocabulary: [String] = {
        var v = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "the", "cat", "sat", "on", "mat", "a", "dog", "##s", "run",
                 "##ning", ".", ",", "!", "?", "hello", "world"]
        while v.count < 50 { v.append("w\(v.count)") }
        return v
    }()

    static func embedder(vocabulary: [String] = vocabulary) throws -> BertEmbedder {
        let config = tinyConfigs[0]
        return try BertEmbedder(modelID: "tiny", file: TinyBert(config: config, seed: 41).file(), vocabulary: vocabulary,
                                config: config, threadCount: 1)
    }

    @Test func textsGoThroughTheTokenizer() throws {
        let embedder = try Self.embedder()
        #expect(embedder.tokenize("The cats sat.") == [2, 5, 6, 12, 7, 15, 3])
        let fromText = try embedder.embed(["The cats sat.", ""])
        let fromIDs = try embedder.encoder.embed(tokenIDs: [[2, 5, 6, 12, 7, 15, 3], [2, 3]])
        #expect(fromText == fromIDs)
        #expect(try embedder.embed("hello world") == embedder.embed(["hello world"])[0])
    }

    @Test func longInputsAreTruncatedToMaxLength() throws {
        let embedder = try Self.embedder()
        let long = Array(repeating: "cat", count: 100).joined(separator: " ")
        let ids = embedder.tokenize(long)
        #expect(ids.count == embedder.config.maxSequenceLength)
        #expect(ids.first == 2 && ids.last == 3)
        #expect(try embedder.embed([long])[0].count == embedder.dimensions)
    }

    @Test func fingerprintDescribesTheEmbedder() throws {
        let fingerprint = try Self.embedder().fingerprint
        #expect(fingerprint.modelID == "tiny" && fingerprint.dimensions == 20 && fingerprint.normalized)
        #expect(fingerprint.maxLength == 24 && fingerprint.pooling == "mean")
        #expect(fingerprint == (try Self.embedder().fingerprint))
    }

    @Test func vocabularyErrors() {
        #expect(throws: EmbedderLoadError.vocabularyMismatch(vocabularyCount: 49, embeddingRows: 50)) {
            try Self.embedder(vocabulary: Array(Self.vocabulary.dropLast()))
        }
        var noCLS = Self.vocabulary
        noCLS[2] = "cls"
        #expect(throws: EmbedderLoadError.self) { try Self.embedder(vocabulary: noCLS) }
    }

    @Test func parsesVocabularyFiles() {
        #expect(BertEmbedder.parseVocabulary("[PAD]\n[UNK]\r\n##a\n") == ["[PAD]", "[UNK]", "##a"])
        #expect(BertEmbedder.parseVocabulary("a\n\nb") == ["a", "", "b"])
        #expect(BertEmbedder.parseVocabulary("") == [])
    }

    @Test func benchmarkReportsEveryBatchSize() throws {
        let embedder = try Self.embedder()
        var tick = 0.0
        // A fake clock advancing 0.1 s per reading: deterministic, no wall-clock dependence.
        let results = try embedder.benchmark(texts: ["the cat sat", "hello world !"], batchSizes: [1, 4], minimumSeconds: 0.25) {
            tick += 0.1
            return tick
        }
        #expect(results.map(\.batchSize) == [1, 4])
        #expect(results.allSatisfy { $0.sentences > 0 && $0.sentences % $0.batchSize == 0 && $0.tokens > 0 && $0.sentencesPerSecond > 0 })
    }
}
