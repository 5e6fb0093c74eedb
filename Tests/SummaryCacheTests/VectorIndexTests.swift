import ServeCore
import SummaryCache
import Testing

/// Scalar reference for the indexes: sort every vector by dot product (Double accumulation).
func referenceTopK(_ data: [[Float]], _ q: [Float], k: Int) -> [EntryID] {
    data.enumerated()
        .map { (EntryID(UInt64($0.offset)), VectorMath.scalarDot($0.element, q)) }
        .sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }
        .prefix(k).map(\.0)
}

@Suite("VectorMath")
struct VectorMathTests {
    @Test("SIMD dot equals the scalar twin", arguments: [0, 1, 7, 8, 31, 32, 33, 384, 1000])
    func dotMatchesScalar(count: Int) {
        var rng = SplitMix64(seed: UInt64(count) + 1)
        let a = (0..<count).map { _ in rng.nextUnitFloat() * 2 - 1 }
        let b = (0..<count).map { _ in rng.nextUnitFloat() * 2 - 1 }
        #expect(abs(VectorMath.dot(a, b) - VectorMath.scalarDot(a, b)) <= 1e-4 * Float(max(count, 1)).squareRoot())
    }

    @Test func normalizedHasUnitNormAndRejectsDegenerateVectors() throws {
        let v = try VectorMath.normalized([3, 4])
        #expect(abs(v[0] - 0.6) < 1e-6 && abs(v[1] - 0.8) < 1e-6)
        #expect(throws: CacheError.self) { try VectorMath.normalized([0, 0, 0]) }
        #expect(throws: CacheError.self) { try VectorMath.normalized([1, .nan]) }
    }
}

@Suite("ExactIndex")
struct ExactIndexTests {
    @Test func searchMatchesScalarReference() throws {
        var rng = SplitMix64(seed: 7)
        let gen = SyntheticVectors(dimensions: 48, clusters: 8, using: &rng)
        let data = gen.sample(count: 500, using: &rng)
        var index = ExactIndex(dimensions: 48)
        for (i, v) in data.enumerated() { try index.add(EntryID(UInt64(i)), vector: v) }
        for _ in 0..<20 {
            let q = gen.sampleOne(using: &rng)
            #expect(try index.search(q, k: 10).map(\.id) == referenceTopK(data, q, k: 10))
        }
    }

    @Test func removeKeepsTheOthersSearchable() throws {
        var rng = SplitMix64(seed: 8)
        let gen = SyntheticVectors(dimensions: 16, clusters: 4, using: &rng)
        let data = gen.sample(count: 100, using: &rng)
        var index = ExactIndex(dimensions: 16)
        for (i, v) in data.enumerated() { try index.add(EntryID(UInt64(i)), vector: v) }
        for i in stride(from: 0, to: 100, by: 3) {
            let removed = index.remove(EntryID(UInt64(i)))
            #expect(removed)
        }
        let removedTwice = index.remove(EntryID(0))
        #expect(!removedTwice)
        #expect(index.count == 100 - 34)
        for (i, v) in data.enumerated() {
            let top = try index.search(v, k: 1)
            if i % 3 == 0 {
                #expect(top.first?.id != EntryID(UInt64(i)))
            } else {
                #expect(top.first?.id == EntryID(UInt64(i)))
                #expect(abs((top.first?.similarity ?? 0) - 1) < 1e-5)
            }
        }
    }

    @Test func rejectsWrongDimensionsAndDuplicates() throws {
        var index = ExactIndex(dimensions: 4)
        try index.add(EntryID(1), vector: [1, 0, 0, 0])
        #expect(throws: CacheError.duplicateID(EntryID(1))) { try index.add(EntryID(1), vector: [0, 1, 0, 0]) }
        #expect(throws: CacheError.dimensionMismatch(expected: 4, actual: 3)) { try index.add(EntryID(2), vector: [1, 0, 0]) }
        #expect(throws: CacheError.dimensionMismatch(expected: 4, actual: 2)) { try index.search([1, 0], k: 1) }
        #expect(try index.search([1, 0, 0, 0], k: 0).isEmpty)
    }
}
