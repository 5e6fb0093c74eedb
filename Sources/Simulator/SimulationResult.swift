/// Latency percentiles, seconds.
public struct Percentiles: Sendable, Codable, Equatable {
    public var p50: Double
    public var p95: Double
    public var p99: Double
    public var mean: Double
    public var count: Int

    public init(_ values: [Double]) {
        let s = values.sorted()
        func q(_ p: Double) -> Double {
            guard !s.isEmpty else { return 0 }
            // Nearest rank.
            let k = Int((p * Double(s.count)).rounded(.up)) - 1
            return s[min(max(k, 0), s.count - 1)]
        }
        p50 = q(0.50)
        p95 = q(0.95)
        p99 = q(0.99)
        mean = s.isEmpty ? 0 : s.reduce(0, +) / Double(s.count)
        count = s.count
    }
}

/// Metrics of one rank class.
public struct RankClassMetrics: Sendable, Codable, Equatable {
    public var rank: Int
    public var requests: Int
    public var ttft: Percentiles
    public var tpot: Percentiles
    public var sloAttainment: Double
}

/// One placement action as it happened (for timelines).
public struct ActionRecord: Sendable, Codable, Equatable {
    public var timeSeconds: Double
    public var action: String
}

/// Everything one simulation run reports. Plain data; the CLI adds `wallSeconds`.
public struct SimulationResult: Sendable, Codable, Equatable {
    public var policy: String
    public var workload: String
    public var workers: Int
    public var computeMode: String
    public var seed: UInt64
    public var requests: Int
    public var completed: Int
    /// Rejected at admission, unroutable, or unfinished by the drain limit.
    public var failed: Int
    public var makespanSeconds: Double
    public var throughputRps: Double
    public var outputTokensPerSecond: Double
    public var ttft: Percentiles
    public var tpot: Percentiles
    public var e2e: Percentiles
    /// Fraction of all requests (failed ones count as misses) meeting both SLO targets.
    public var sloAttainment: Double
    public var sloTTFTSeconds: Double
    public var sloTPOTSeconds: Double
    public var perRank: [RankClassMetrics]
    public var placementActions: Int
    /// Re-plans that changed the placement (plans with no actions are not counted).
    public var replans: Int
    public var remoteFetches: Int
    public var adapterLoads: [String: Int]
    public var preemptions: Int
    public var steps: Int
    public var events: Int
    /// Fold of every worker's scheduler trace hash: identical runs have identical hashes.
    public var schedulerTraceHash: UInt64
    /// Each worker's `BatchScheduler.traceHash`, in worker order (for engine-vs-simulator drift checks).
    public var workerTraceHashes: [UInt64]
    /// The first placement actions with their times (capped at 500).
    public var timeline: [ActionRecord]
    /// Filled by callers that time the run (the simulator reads no clock).
    public var wallSeconds: Double?
}
