import BertModel
import Kernels
import Safetensors
import ServeCore
import Testing

/// Shapes chosen to exercise the kernels' tails: widths not multiples of 8, head dim 5.
let tinyConfigs = [
    BertConfig(hiddenSize: 20, layerCount: 2, headCount: 4, intermediateSize: 36, vocabularySize: 50,
               maxPositions: 40, typeVocabularySize: 2, layerNormEps: 1e-12, maxSequenceLength: 24),
    BertConfig(hiddenSize: 32, layerCount: 1, headCount: 2, intermediateSize: 64, vocabularySize: 30,
               maxPositions: 24, typeVocabularySize: 1, layerNormEps: 1e-5, maxSequenceLength: 24),
    // MPNet: positions from 2, no token types, relative position bias (8 buckets, so sequences of
    // up to 24 tokens reach the log-spaced and the capped buckets).
    BertConfig(hiddenSize: 24, layerCount: 2, headCount: 3, intermediateSize: 40, vocabularySize: 40,
               maxPositions: 26, typeVocabularySize: 0, layerNormEps: 1e-5, maxSequenceLength: 24,
               architecture: .mpnet, relativeAttentionBuckets: 8, relativeAttentionMaxDistance: 12, positionOffset: 2),
]

func randomBatch(count: Int, vocabulary: Int, lengths: ClosedRange<Int>, seed: UInt64) -> [[TokenID]] {
    var rng = SplitMix64(seed: seed)
    return (0..<count).map { _ in
        let n = lengths.lowerBound + Int(rng.next() % UInt64(lengths.count))
        return (0..<n).map { _ in TokenID(rng.next() % UInt64(vocabulary)) }
    }
}

func cosine(_ a: [Float], _ b: [Double]) -> Double {
    zip(a, b).reduce(0) { $0 + Double($1.0) * $1.1 }
}

@Suite struct BertEncoderTests {
    @Test(arguments: tinyConfigs)
    func matchesScalarPaddedReference(config: BertConfig) throws {
        let model = TinyBert(config: config, seed: 11)
        let encoder = try BertEncoder(file: model.file(), config: config, pool: nil)
        let batch = randomBatch(count: 7, vocabulary: config.vocabularySize, lengths: 1...config.maxSequenceLength, seed: 3)
        let got = try encoder.embed(tokenIDs: batch)
        let want = model.referenceEmbeddings(batch)
        #expect(got.count == batch.count)
        for (g, w) in zip(got, want) {
            #expect(g.count == config.hiddenSize)
            let maxDiff = zip(g, w).map { abs(Double($0) - $1) }.max() ?? 0
            #expect(maxDiff < 2e-5, "max |diff| \(maxDiff)")
            #expect(cosine(g, w) > 0.99999)
        }
    }

    @Test func paddingInvariance() throws {
        let config = tinyConfigs[0]
        let encoder = try BertEncoder(file: TinyBert(config: config, seed: 5).file(), config: config, pool: nil)
        let sentence: [TokenID] = [1, 7, 9, 4, 2]
        let alone = try encoder.embed(tokenIDs: [sentence])[0]
        let others = randomBatch(count: 5, vocabulary: config.vocabularySize, lengths: 10...24, seed: 9)
        let batched = try encoder.embed(tokenIDs: [others[0], others[1], sentence] + others[2...])
        let maxDiff = zip(alone, batched[2]).map { abs($0 - $1) }.max() ?? 1
        #expect(maxDiff <= 1e-6)
    }

    @Test func unitNorm() throws {
        let config = tinyConfigs[1]
        let encoder = try BertEncoder(file: TinyBert(config: config, seed: 6).file(), config: config, pool: nil)
        for e in try encoder.embed(tokenIDs: randomBatch(count: 9, vocabulary: 30, lengths: 1...24, seed: 1)) {
            let norm = e.reduce(0) { $0 + Double($1) * Double($1) }.squareRoot()
            #expect(abs(norm - 1) < 1e-5)
        }
    }

    @Test func threadedAndSplitPassesMatchSingleThread() throws {
        let config = tinyConfigs[0]
        let model = TinyBert(config: config, seed: 8)
        let single = try BertEncoder(file: model.file(), config: config, pool: nil)
        // maxTokensPerPass = maxSequenceLength forces one pass per couple of sequences.
        let threaded = try BertEncoder(file: model.file(), config: config, pool: ThreadPool(threadCount: 2), maxTokensPerPass: 24)
        let batch = randomBatch(count: 20, vocabulary: config.vocabularySize, lengths: 1...24, seed: 4)
        let context = BertContext()
        let a = try single.embed(tokenIDs: batch)
        let b = try threaded.embed(tokenIDs: batch, context: context)
        let c = try threaded.embed(tokenIDs: Array(batch.reversed()), context: context).reversed()
        for (x, (y, z)) in zip(a, zip(b, c)) {
            #expect((zip(x, y).map { abs($0 - $1) }.max() ?? 1) <= 1e-6)
            #expect((zip(x, z).map { abs($0 - $1) }.max() ?? 1) <= 1e-6)
        }
    }

    @Test(arguments: [SafetensorsDType.f16, .bf16])
    func halfPrecisionFilesLoad(dtype: SafetensorsDType) throws {
        let config = tinyConfigs[0]
        let model = TinyBert(config: config, seed: 12)
        let full = try BertEncoder(file: model.file(), config: config, pool: nil)
        let half = try BertEncoder(file: model.file(dtype: dtype), config: config, pool: nil)
        let batch = randomBatch(count: 3, vocabulary: config.vocabularySize, lengths: 3...12, seed: 2)
        for (a, b) in zip(try full.embed(tokenIDs: batch), try half.embed(tokenIDs: batch)) {
            let dot = zip(a, b).reduce(0) { $0 + $1.0 * $1.1 }
            #expect(dot > 0.99)
        }
        #expect(full.weightsDigest != half.weightsDigest)
    }

    @Test func invalidInputsThrow() throws {
        let config = tinyConfigs[0]
        let encoder = try BertEncoder(file: TinyBert(config: config, seed: 1).file(), config: config, pool: nil)
        #expect(throws: EmbedError.emptySequence(index: 1)) { try encoder.embed(tokenIDs: [[1], []]) }
        #expect(throws: EmbedError.sequenceTooLong(index: 0, length: 25, limit: 24)) {
            try encoder.embed(tokenIDs: [[TokenID](repeating: 1, count: 25)])
        }
        #expect(throws: EmbedError.tokenOutOfRange(index: 0, token: 50, vocabularySize: 50)) { try encoder.embed(tokenIDs: [[1, 50]]) }
        #expect(throws: EmbedError.tokenOutOfRange(index: 0, token: -1, vocabularySize: 50)) { try encoder.embed(tokenIDs: [[-1]]) }
        #expect(try encoder.embed(tokenIDs: []).isEmpty)
    }

    @Test func digestIsStableAndSensitive() throws {
        let config = tinyConfigs[1]
        var model = TinyBert(config: config, seed: 21)
        let a = try BertEncoder(file: model.file(), config: config, pool: nil).weightsDigest
        let b = try BertEncoder(file: model.file(), config: config, pool: nil).weightsDigest
        model.tensors["encoder.layer.0.output.dense.bias"]?.values[3] += 1e-3
        let c = try BertEncoder(file: model.file(), config: config, pool: nil).weightsDigest
        #expect(a == b && a != c && a.hasPrefix("fnv1a64:"))
    }
}
