import BertModel
import Testing

/// `BertEmbedder.measurePasses` (what `loraserve bench embed` reports) with a fake clock.
@Suite struct EmbedPassTimingsTests {
    @Test func medianOfOddEvenAndEmptyRuns() {
        #expect(EmbedPassTimings(batchSize: 1, sentences: 4, tokens: 9, runSeconds: [3, 1, 2]).medianSeconds == 2)
        #expect(EmbedPassTimings(batchSize: 1, sentences: 4, tokens: 9, runSeconds: [4, 1, 2, 3]).medianSeconds == 2.5)
        let none = EmbedPassTimings(batchSize: 1, sentences: 4, tokens: 9, runSeconds: [])
        #expect(none.medianSeconds == 0 && none.sentencesPerSecond == 0)
        #expect(EmbedPassTimings(batchSize: 8, sentences: 4, tokens: 9, runSeconds: [0.5, 0.5]).sentencesPerSecond == 8)
    }

    @Test(arguments: [1, 2, 3, 7])
    func timesEveryPassAfterTheWarmUp(batchSize: Int) throws {
        let embedder = try BertEmbedderTests.embedder()
        let texts = ["the cat sat", "hello world !", "", "a dog running on the mat ."]
        var readings = 0
        // A fake clock advancing 1 s per reading: each timed pass reads it twice (start, end), a
        // warm-up pass never.
        let timings = try embedder.measurePasses(texts: texts, batchSize: batchSize, runs: 3, warmupRuns: 2) {
            readings += 1
            return Double(readings)
        }
        #expect(readings == 2 * 3)
        #expect(timings.runSeconds == [1, 1, 1])
        #expect(timings.batchSize == batchSize && timings.sentences == texts.count)
        #expect(timings.tokens == texts.reduce(0) { $0 + embedder.tokenize($1).count })
        #expect(timings.sentencesPerSecond == Double(texts.count))
    }

    @Test func emptyTextSetMeasuresNothing() throws {
        let embedder = try BertEmbedderTests.embedder()
        let timings = try embedder.measurePasses(texts: [], batchSize: 4, runs: 2) { 0 }
        #expect(timings.sentences == 0 && timings.tokens == 0 && timings.runSeconds == [0, 0])
    }
}
