import Foundation
import ServeCore
import SummaryCache
import Testing

/// Benchmark, not a test: builds 100k × 384 clustered vectors, measures HNSW recall@10 against
/// exact search and lookup latency percentiles of both, and prints them. Opt in with
/// `LORASERVE_BENCH=1 swift test --filter HNSWBenchmark` (minutes on a shared 2-core machine).
/// Asserts only recall; times are reported, never asserted.
@Suite("HNSWBenchmark", .serialized)  // one at a time: each times itself on both cores
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
                         n, d, ef, recall, Self.at(hLat, 50) * 1e3, Self.at(hLat, 99) * 1e3,
                         Self.at(eLat, 50) * 1e3, Self.at(eLat, 99) * 1e3, Self.at(eLat, 50) / Self.at(hLat, 50)))
            if ef == HNSWParameters().efSearch { #expect(recall >= 0.98) }
        }
        print(String(format: "HNSW build: %.1f s for %d inserts (M=16, efConstruction=200)", seconds(buildTime), n))
    }

    /// The whole `SummaryCachePolicy.lookup` (partition key, HNSW through `AdaptiveIndex`, expiry,
    /// guards on the candidates above the threshold) with n entries in one partition: what a
    /// lookup costs at that size, not just the index search.
    @Test(.enabled(if: enabled))
    func policyLookupLatencyAt100k() throws {
        let env = ProcessInfo.processInfo.environment
        let n = Int(env["LORASERVE_BENCH_N"] ?? "") ?? 100_000
        let d = 384
        var rng = SplitMix64(seed: 100_001)
        let gen = SyntheticVectors(dimensions: d, intrinsicDimensions: d, clusters: n / 100, spread: 1.0, using: &rng)
        var config = CacheConfig()
        config.maxEntries = n * 2
        config.maxBytes = 1 << 40
        config.ttlSeconds = 1e9
        config.similarityThreshold = 0.3  // low enough that the nearest candidates reach the guards
        var policy = try SummaryCachePolicy(config: config)
        let tenant = TenantID("bench"), document = DocumentKey(documentID: DocumentID("corpus"), version: "v1")
        let fingerprint = EmbedderFingerprint(modelID: "synthetic", dimensions: d, normalized: true, maxLength: 256)
        let clock = ContinuousClock()
        var storeTimes: [Double] = []
        for i in 0..<n {
            let t = clock.now
            _ = try policy.store(tenant: tenant, document: document, fingerprint: fingerprint, query: "Which item did clerk \(Self.word(i)) list?",
                                 vector: gen.sampleOne(using: &rng), summary: "summary \(i)", summaryTokenCost: 100, now: Double(i) * 1e-3)
            storeTimes.append(seconds(clock.now - t))
        }
        var times: [Double] = [], hits = 0
        for (j, q) in gen.sample(count: 500, using: &rng).enumerated() {
            let t = clock.now
            let outcome = try policy.lookup(tenant: tenant, document: document, fingerprint: fingerprint,
                                            query: "Which item did clerk \(Self.word(n + j)) list?", vector: q, now: 1e6)
            times.append(seconds(clock.now - t))
            if case .hit = outcome.result { hits += 1 }
        }
        times.sort(); storeTimes.sort()
        #expect(policy.count == n)
        print(String(format: "policy lookup n=%d d=%d (HNSW above %d entries): p50 %.3f ms  p99 %.3f ms  (%d of 500 hit) | store p50 %.3f ms p99 %.3f ms",
                     n, d, config.hnswMinimumEntries, Self.at(times, 50) * 1e3, Self.at(times, 99) * 1e3, hits,
                     Self.at(storeTimes, 50) * 1e3, Self.at(storeTimes, 99) * 1e3))
    }

    /// The `percent`th percentile of sorted, non-empty times (nearest rank below).
    static func at(_ sorted: [Double], _ percent: Int) -> Double { sorted[sorted.count * percent / 100] }

    /// A distinct lowercase word per index (no digits or capitals: the guards let such questions match).
    static func word(_ i: Int) -> String {
        var i = i, letters: [Character] = []
        repeat { letters.append(Character(UnicodeScalar(UInt8(97 + i % 26)))); i /= 26 } while i > 0
        return String(letters)
    }

    func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
    }
}
