import BertModel
import Foundation
import Safetensors
import ServeCore
import TestSupport
import Testing

/// all-MiniLM-L6-v2 against the golden file written by Scripts/golden_embeddings.py (a float64
/// numpy BERT forward over the same safetensors, token ids from HF `tokenizers`).
@Suite struct BertRealModelTests {
    struct Golden: Decodable {
        struct Sentence: Decodable {
            let text: String
            let token_ids: [Int32]
            let embedding: [Float]
        }
        let max_length: Int
        let model_safetensors_sha256: String
        let sentences: [Sentence]
    }

    struct MissingGolden: Error {}

    static let golden: Result<Golden, any Error> = Result {
        guard let url = Bundle.module.url(forResource: "Golden/embeddings-minilm", withExtension: "json") else { throw MissingGolden() }
        return try JSONDecoder().decode(Golden.self, from: Data(contentsOf: url))
    }

    /// memcpy into owned storage: `ReadOnlyBytes(copying:)` walks a generic collection element by
    /// element (seconds for 90 MB in a debug build).
    static func ownedBytes(_ array: [UInt8]) -> ReadOnlyBytes {
        let raw = UnsafeMutableRawBufferPointer.allocate(byteCount: max(array.count, 1), alignment: 64)
        array.withUnsafeBytes { raw.copyMemory(from: $0) }
        return ReadOnlyBytes(unsafeBuffer: UnsafeRawBufferPointer(start: raw.baseAddress, count: array.count)) { $0.deallocate() }
    }

    /// Loaded once for the suite (≈ 90 MB of weights).
    static let embedder: Result<BertEmbedder, any Error> = Result {
        let directory = try RealModels.miniLMDirectory()
        let weights = try RealModels.readFile(directory + "/model.safetensors")
        let vocabulary = try RealModels.readFile(directory + "/vocab.txt")
        let config = try RealModels.readFile(directory + "/config.json")
        return try BertEmbedder(safetensors: ownedBytes(weights), vocabularyText: String(decoding: vocabulary, as: UTF8.self),
                                configJSON: config, maxSequenceLength: 256, threadCount: 2)
    }

    static func cosine(_ a: [Float], _ b: [Float]) -> Double {
        var dot = 0.0, na = 0.0, nb = 0.0
        for (x, y) in zip(a, b) { dot += Double(x) * Double(y); na += Double(x) * Double(x); nb += Double(y) * Double(y) }
        return dot / max((na * nb).squareRoot(), 1e-30)
    }

    @Test func goldenCoversTheRequiredCases() throws {
        let golden = try Self.golden.get()
        #expect(golden.sentences.count >= 50)
        #expect(golden.max_length == 256)
        #expect(golden.sentences.contains { $0.text.isEmpty })
        #expect(golden.sentences.contains { $0.token_ids.count == 256 })  // truncated long inputs
        #expect(golden.sentences.contains { $0.text.unicodeScalars.contains { $0.properties.isEmojiPresentation } })
        // Accented Latin letters, CJK ideographs and digits (the list).
        #expect(golden.sentences.contains { $0.text.unicodeScalars.contains { (0xC0...0x24F).contains($0.value) } })
        #expect(golden.sentences.contains { $0.text.unicodeScalars.contains { (0x4E00...0x9FFF).contains($0.value) } })
        #expect(golden.sentences.contains { $0.text.unicodeScalars.contains { (0x30...0x39).contains($0.value) } })
    }

    @Test func tokenIDsMatchGolden() throws {
        let embedder = try Self.embedder.get()
        let golden = try Self.golden.get()
        var mismatches: [String] = []
        for sentence in golden.sentences where embedder.tokenize(sentence.text) != sentence.token_ids {
            mismatches.append(sentence.text)
        }
        #expect(mismatches.isEmpty, "token ids differ for: \(mismatches)")
    }

    @Test func embeddingsFromGoldenTokenIDsMatch() throws {
        let embedder = try Self.embedder.get()
        let golden = try Self.golden.get()
        Self.expectCosines(try embedder.encoder.embed(tokenIDs: golden.sentences.map(\.token_ids)), match: golden)
    }

    /// Every vector within cosine 0.9999 of its golden sentence's embedding (each sentence checked
    /// and named, then the worst).
    static func expectCosines(_ vectors: [[Float]], match golden: Golden) {
        #expect(vectors.count == golden.sentences.count)
        var worst = 1.0
        for (sentence, vector) in zip(golden.sentences, vectors) {
            let c = cosine(vector, sentence.embedding)
            worst = min(worst, c)
            #expect(c >= 0.9999, "cosine \(c) for \(sentence.text.prefix(40))")
        }
        #expect(worst >= 0.9999)
    }

    @Test func embeddingsFromTextMatch() throws {
        let embedder = try Self.embedder.get()
        let golden = try Self.golden.get()
        let vectors = try embedder.embed(golden.sentences.map(\.text))
        for (sentence, vector) in zip(golden.sentences, vectors) {
            #expect(vector.count == 384)
            #expect(Self.cosine(vector, sentence.embedding) >= 0.9999, "\(sentence.text.prefix(40))")
            let norm = vector.reduce(0) { $0 + Double($1) * Double($1) }.squareRoot()
            #expect(abs(norm - 1) < 1e-4)
        }
    }

    @Test func batchEqualsOneAtATime() throws {
        let embedder = try Self.embedder.get()
        let golden = try Self.golden.get()
        let texts = golden.sentences.prefix(12).map(\.text)
        let batched = try embedder.embed(texts)
        for (text, vector) in zip(texts, batched) {
            let alone = try embedder.embed(text)
            #expect((zip(alone, vector).map { abs($0 - $1) }.max() ?? 1) < 1e-5)
        }
    }

    /// Cosine similarities sentence-transformers publishes for this model in its quick-start.
    @Test(arguments: [
        ("The new movie is awesome", "The new movie is so great", 0.8939),
        ("The cat sits outside", "The cat plays in the garden", 0.6788),
        ("I love pasta", "Do you like pizza?", 0.5096),
    ])
    func publishedSimilarities(a: String, b: String, expected: Double) throws {
        let embedder = try Self.embedder.get()
        let vectors = try embedder.embed([a, b])
        #expect(abs(Self.cosine(vectors[0], vectors[1]) - expected) < 5e-4)
    }

    @Test func fingerprint() throws {
        let fingerprint = try Self.embedder.get().fingerprint
        #expect(fingerprint.modelID == "sentence-transformers/all-MiniLM-L6-v2")
        #expect(fingerprint.dimensions == 384 && fingerprint.maxLength == 256 && fingerprint.normalized)
        #expect(fingerprint.weightsDigest.hasPrefix("fnv1a64:"))
    }

    @Test func realSafetensorsHeader() throws {
        let bytes = try RealModels.readFile(try RealModels.miniLMDirectory() + "/model.safetensors")
        let file = try SafetensorsFile(bytes: Self.ownedBytes(bytes))
        #expect(file.tensors.count == 104)
        // 103 F32 weights plus the I64 `embeddings.position_ids` buffer (unused: positions are 0..<n).
        #expect(file.tensors.values.filter { $0.dtype == .f32 }.count == 103)
        #expect(try file.info("embeddings.position_ids").dtype == .i64)
        #expect(try file.info("embeddings.word_embeddings.weight").shape == [30522, 384])
    }
}
