import Foundation
import ServeCore
import SummaryCache
import Testing

/// Benchmark, not a test: builds 100k × 384 clustered vectors, measures HNSW recall@10 against
/// exact search and lookup latency percentiles of both, and prints them. Opt in with
/// `LORASERVE_BENCH=1 swift test --filter HNSWBenchmark` (minutes on a shared 2-core machine).
/// Asserts only recall; times are reported, never asserted.
@Suite("HNSWBenchmark")
struct HNSWBenchmark {
    static let enabled = ProcessInfo.processInfo.environment["LORASERVE_BENCH"] != nil

    @Test(.enabled(if: enabled))
    func recallAndLatencyAt100k() throws {
        let env = ProcessInfo.processInfo.environment
        let n = Int(env["LORASERVE_BENCH_N"] ?? "") ?? 100_000
        let d = 384
        var rng = SplitMix64(seed: 100_000)
        let gen = SyntheticVectors(dimensions: d, intrinsicDimensions: Int(env["LORASERVE_BENCH_RANK"] ?? "") ?? d,
                                   clusters: n / 100, spread: 1.0, using: &rng)
        let clock = ContinuousClock()
        var exact = ExactIndex(dimensions: d)
        var hnsw = HNSWIndex(dimensions: d)
        var buildTime = Duration.zero
        for i in 0..<n {
            let v = gen.sampleOne(using: &rng)
            try exact.add(EntryID(UInt64(i)), vector: v)
            let t = clock.now
            try hnsw.add(EntryID(UInt64(i)), vector: v)
            buildTime += clock.now - t
        }
        let queries = gen.sample(count: 500, using: &rng)
        for ef in [32, 64, 96, 160] {
            var hLat: [Double] = [], eLat: [Double] = []
            var found = 0
            for q in queries {
                var t = clock.now
                let truth = try exact.search(q, k: 10)
                eLat.append(seconds(clock.now - t))
                t = clock.now
                let got = try hnsw.search(q, k: 10, ef: ef)
                hLat.append(seconds(clock.now - t))
                let ids = Set(truth.map(\.id))
                found += got.filter { ids.contains($0.id) }.count
            }
            hLat.sort(); eLat.sort()
            let recall = Double(found) / Double(queries.count * 10)
            print(String(format: "HNSW n=%d d=%d ef=%d: recall@10 %.4f  p50 %.3f ms  p99 %.3f ms | exact p50 %.3f ms p99 %.3f ms | speed-up p50 %.1fx",
                         n, d, ef, recall, hLat[hLat.count / 2] * 1e3, hLat[hLat.count * 99 / 100] * 1e3,
                         eLat[eLat.count / 2] * 1e3, eLat[eLat.count * 99 / 100] * 1e3, eLat[eLat.count / 2] / hLat[hLat.count / 2]))
            if ef == HNSWParameters().efSearch { #expect(recall >= 0.98) }
        }
        print(String(format: "HNSW build: %.1f s for %d inserts (M=16, efConstruction=200)", seconds(buildTime), n))
    }

    func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
    }
}
