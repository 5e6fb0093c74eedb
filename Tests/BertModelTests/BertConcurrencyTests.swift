import BertModel
import Kernels
import ServeCore
import Testing

/// One shared encoder, many concurrent callers (each with its own context): every caller gets
/// the same vectors as a sequential run.
@Suite struct BertConcurrencyTests {
    @Test func concurrentCallersGetSequentialResults() async throws {
        let config = tinyConfigs[0]
        let encoder = try BertEncoder(file: TinyBert(config: config, seed: 31).file(), config: config, pool: ThreadPool(threadCount: 2))
        let batches = (0..<8).map { randomBatch(count: 6, vocabulary: config.vocabularySize, lengths: 1...24, seed: UInt64(100 + $0)) }
        let sequential = try batches.map { try encoder.embed(tokenIDs: $0) }
        let concurrent = try await withThrowingTaskGroup(of: (Int, [[Float]]).self) { group in
            for (index, batch) in batches.enumerated() {
                group.addTask { (index, try encoder.embed(tokenIDs: batch)) }
            }
            var results = [[[Float]]](repeating: [], count: batches.count)
            for try await (index, vectors) in group { results[index] = vectors }
            return results
        }
        for (a, b) in zip(sequential, concurrent) {
            for (x, y) in zip(a, b) { #expect((zip(x, y).map { abs($0 - $1) }.max() ?? 1) <= 1e-6) }
        }
    }
}
