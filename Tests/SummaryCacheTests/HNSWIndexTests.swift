import ServeCore
import SummaryCache
import Testing

/// recall@k of `approx` against exact top-k, averaged over the queries.
func recallAtK(_ exact: ExactIndex, _ approx: HNSWIndex, queries: [[Float]], k: Int, ef: Int? = nil) throws -> Double {
    var found = 0
    for q in queries {
        let truth = Set(try exact.search(q, k: k).map(\.id))
        let got = try ef.map { try approx.search(q, k: k, ef: $0) } ?? approx.search(q, k: k)
        found += got.filter { truth.contains($0.id) }.count
    }
    return Double(found) / Double(queries.count * k)
}

@Suite("HNSWIndex")
struct HNSWIndexTests {
    /// Clustered 384-dimensional data of full intrinsic dimension (the hard case for HNSW).
    @Test func recallAt10AgainstExactOn10kClusteredVectors() throws {
        var rng = SplitMix64(seed: 2026)
        let gen = SyntheticVectors(dimensions: 384, intrinsicDimensions: 384, clusters: 100, spread: 1.0, using: &rng)
        let data = gen.sample(count: 10_000, using: &rng)
        let queries = gen.sample(count: 100, using: &rng)
        var exact = ExactIndex(dimensions: 384)
        var hnsw = HNSWIndex(dimensions: 384)
        for (i, v) in data.enumerated() {
            try exact.add(EntryID(UInt64(i)), vector: v)
            try hnsw.add(EntryID(UInt64(i)), vector: v)
        }
        let recall = try recallAtK(exact, hnsw, queries: queries, k: 10)
        #expect(recall >= 0.98, "recall@10 = \(recall)")
    }

    @Test func exactOnTinyLowDimensionalData() throws {
        var rng = SplitMix64(seed: 3)
        let gen = SyntheticVectors(dimensions: 8, intrinsicDimensions: 8, clusters: 5, using: &rng)
        let data = gen.sample(count: 300, using: &rng)
        var exact = ExactIndex(dimensions: 8)
        var hnsw = HNSWIndex(dimensions: 8, parameters: HNSWParameters(m: 8, efConstruction: 64, efSearch: 64))
        for (i, v) in data.enumerated() {
            try exact.add(EntryID(UInt64(i)), vector: v)
            try hnsw.add(EntryID(UInt64(i)), vector: v)
        }
        #expect(try recallAtK(exact, hnsw, queries: gen.sample(count: 50, using: &rng), k: 5) >= 0.99)
    }

    @Test func sameSeedAndOrderGiveTheSameResults() throws {
        var rng = SplitMix64(seed: 11)
        let gen = SyntheticVectors(dimensions: 32, clusters: 10, using: &rng)
        let data = gen.sample(count: 1000, using: &rng)
        let queries = gen.sample(count: 20, using: &rng)
        var a = HNSWIndex(dimensions: 32, parameters: HNSWParameters(efSearch: 12))
        var b = HNSWIndex(dimensions: 32, parameters: HNSWParameters(efSearch: 12))
        for (i, v) in data.enumerated() {
            try a.add(EntryID(UInt64(i)), vector: v)
            try b.add(EntryID(UInt64(i)), vector: v)
        }
        for q in queries { #expect(try a.search(q, k: 10) == b.search(q, k: 10)) }
    }

    @Test func tombstonesAreNeverReturnedAndTriggerARebuild() throws {
        var rng = SplitMix64(seed: 12)
        let gen = SyntheticVectors(dimensions: 24, clusters: 6, using: &rng)
        let data = gen.sample(count: 400, using: &rng)
        var exact = ExactIndex(dimensions: 24)
        var hnsw = HNSWIndex(dimensions: 24, parameters: HNSWParameters(maxTombstoneFraction: 0.25))
        for (i, v) in data.enumerated() {
            try exact.add(EntryID(UInt64(i)), vector: v)
            try hnsw.add(EntryID(UInt64(i)), vector: v)
        }
        // 20% deleted: below the rebuild fraction, so they stay as tombstones.
        for i in stride(from: 0, to: 400, by: 5) {
            let removed = hnsw.remove(EntryID(UInt64(i)))
            #expect(removed)
            exact.remove(EntryID(UInt64(i)))
        }
        #expect(hnsw.nodeCount == 400 && hnsw.count == 320)
        #expect(!hnsw.contains(EntryID(0)) && hnsw.contains(EntryID(1)))
        for (i, v) in data.enumerated() where i % 5 == 0 {
            #expect(!(try hnsw.search(v, k: 10)).contains { $0.id.rawValue % 5 == 0 })
        }
        #expect(try recallAtK(exact, hnsw, queries: gen.sample(count: 30, using: &rng), k: 10) >= 0.97)
        // Crossing 25% compacts the graph: tombstones are gone.
        for i in stride(from: 1, to: 400, by: 5) { hnsw.remove(EntryID(UInt64(i))) }
        #expect(hnsw.count == 240)
        #expect(hnsw.nodeCount < 400)
        #expect(Double(hnsw.nodeCount - hnsw.count) <= 0.25 * Double(hnsw.nodeCount))
        // A removed id can be added again.
        try hnsw.add(EntryID(0), vector: data[0])
        #expect(try hnsw.search(data[0], k: 1).first?.id == EntryID(0))
    }

    @Test func rebuildFromEntriesReplacesContent() throws {
        var hnsw = HNSWIndex(dimensions: 3)
        try hnsw.add(EntryID(1), vector: [1, 0, 0])
        try hnsw.rebuild(from: [(EntryID(5), [0, 1, 0]), (EntryID(6), [0, 0, 1])])
        #expect(hnsw.count == 2 && !hnsw.contains(EntryID(1)))
        #expect(try hnsw.search([0, 0.1, 0.99], k: 1).first?.id == EntryID(6))
        #expect(throws: CacheError.duplicateID(EntryID(5))) { try hnsw.add(EntryID(5), vector: [1, 0, 0]) }
    }

    @Test func emptyIndexReturnsNothing() throws {
        let hnsw = HNSWIndex(dimensions: 4)
        #expect(try hnsw.search([1, 0, 0, 0], k: 3).isEmpty)
    }
}
