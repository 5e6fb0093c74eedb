import Foundation
import LoRAAdapters
import ModelStore
import ServeCore

/// Drives a live `BatchEngine` with concurrent streams over adapters of mixed ranks and measures
/// what clients see: throughput, TTFT and time per output token, overall and per rank class.
public struct LoRALoadTest: Sendable {
    public struct Spec: Sendable {
        public var requests: Int
        public var concurrency: Int
        public var promptTokens: [TokenID]
        public var maxTokens: Int
        /// Adapter names with their ranks; requests cycle through them (empty = base model only).
        public var adapters: [(name: String, rank: Int)]

        public init(requests: Int, concurrency: Int, promptTokens: [TokenID], maxTokens: Int, adapters: [(name: String, rank: Int)]) {
            self.requests = requests
            self.concurrency = concurrency
            self.promptTokens = promptTokens
            self.maxTokens = maxTokens
            self.adapters = adapters
        }
    }

    public struct Stats: Sendable, Codable, Equatable {
        public var requests: Int
        public var outputTokens: Int
        public var outputTokensPerSecond: Double
        public var ttftP50: Double
        public var ttftP99: Double
        public var tpotP50: Double
        public var tpotP99: Double

        enum CodingKeys: String, CodingKey {
            case requests
            case outputTokens = "output_tokens"
            case outputTokensPerSecond = "output_tokens_per_second"
            case ttftP50 = "ttft_p50_s", ttftP99 = "ttft_p99_s", tpotP50 = "tpot_p50_s", tpotP99 = "tpot_p99_s"
        }
    }

    public struct Report: Sendable, Codable, Equatable {
        public var overall: Stats
        public var perRank: [String: Stats]
    }

    struct Sample: Sendable {
        var rank: Int
        var ttft: Double
        var tpot: Double?
        var tokens: Int
    }

    public let engine: BatchEngine
    public init(engine: BatchEngine) { self.engine = engine }

    public func run(_ spec: Spec) async throws -> Report {
        let clock = ContinuousClock()
        let started = clock.now
        let samples = try await withThrowingTaskGroup(of: [Sample].self) { group in
            let lanes = max(1, min(spec.concurrency, spec.requests))
            for lane in 0..<lanes {
                group.addTask {
                    var out: [Sample] = []
                    var i = lane
                    while i < spec.requests {
                        let adapter = spec.adapters.isEmpty ? nil : spec.adapters[i % spec.adapters.count]
                        out.append(try await one(spec, adapter: adapter, clock: clock))
                        i += lanes
                    }
                    return out
                }
            }
            var all: [Sample] = []
            for try await part in group { all += part }
            return all
        }
        let wall = (clock.now - started).seconds
        var perRank: [String: Stats] = [:]
        for rank in Set(samples.map(\.rank)).sorted() {
            let subset = samples.filter { $0.rank == rank }
            perRank[rank == 0 ? "base" : "\(rank)"] = Self.stats(subset, wall: wall)
        }
        return Report(overall: Self.stats(samples, wall: wall), perRank: perRank)
    }

    private func one(_ spec: Spec, adapter: (name: String, rank: Int)?, clock: ContinuousClock) async throws -> Sample {
        let start = clock.now
        let stream = try await engine.submit(GenerationRequest(
            id: engine.makeRequestID(), adapter: adapter.map { AdapterID($0.name) }, promptTokens: spec.promptTokens,
            sampling: SamplingParameters(maxTokens: spec.maxTokens, ignoreEOS: true)))
        var first: ContinuousClock.Instant?
        var tokens = 0
        for try await event in stream {
            if case .token = event {
                tokens += 1
                if first == nil { first = clock.now }
            }
        }
        let end = clock.now
        let ttft = ((first ?? end) - start).seconds
        let tpot = tokens > 1 ? (end - (first ?? end)).seconds / Double(tokens - 1) : nil
        return Sample(rank: adapter?.rank ?? 0, ttft: ttft, tpot: tpot, tokens: tokens)
    }

    static func stats(_ samples: [Sample], wall: Double) -> Stats {
        let ttfts = samples.map(\.ttft).sorted(), tpots = samples.compactMap(\.tpot).sorted()
        let tokens = samples.reduce(0) { $0 + $1.tokens }
        return Stats(requests: samples.count, outputTokens: tokens, outputTokensPerSecond: wall > 0 ? Double(tokens) / wall : 0,
                     ttftP50: percentile(ttfts, 0.5), ttftP99: percentile(ttfts, 0.99),
                     tpotP50: percentile(tpots, 0.5), tpotP99: percentile(tpots, 0.99))
    }

    static func percentile(_ sorted: [Double], _ q: Double) -> Double {
        guard !sorted.isEmpty else { return 0 }
        let index = min(sorted.count - 1, max(0, Int((Double(sorted.count) * q).rounded(.up)) - 1))
        return sorted[index]
    }
}
