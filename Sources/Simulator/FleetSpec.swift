import BatchScheduler
import Placement

/// The simulated workers: homogeneous here (one spec, `count` copies).
public struct FleetSpec: Sendable, Codable, Equatable {
    public var count: Int
    /// `nil`: the policy's own choice (vLLM-style fleets pad to the fleet's max rank, ours and
    /// S-LoRA-like run exact-rank engines).
    public var computeMode: ComputeMode?
    /// Per-worker modes, cycled over the workers (e.g. a rank-tiered vLLM fleet:
    /// `[.padded(maxRank: 16), .padded(maxRank: 128)]`); overrides `computeMode` when non-empty.
    public var workerModes: [ComputeMode]?
    /// Memory for adapter weights per worker, bytes.
    public var adapterMemoryBytes: Int
    /// Adapters resident per worker at once (GPU slots + host cache, vLLM `--max-cpu-loras`).
    public var maxResidentAdapters: Int
    public var scheduler: SchedulerConfig
    public var costModel: CostModel
    /// Seconds between controller ticks (rate windows, rebalancing checks).
    public var controlIntervalSeconds: Double
    /// Requests still unfinished this long after the last arrival are counted failed.
    public var drainLimitSeconds: Double

    public init(count: Int, computeMode: ComputeMode? = nil, workerModes: [ComputeMode]? = nil, adapterMemoryBytes: Int = 8 << 30,
                maxResidentAdapters: Int = 64,
                scheduler: SchedulerConfig = SchedulerConfig(maxBatchTokens: 2048, maxRunningSequences: 128, kvBlockTokens: 16,
                                                             kvBlockCount: 8192, maxModelLength: 4096, maxAdaptersPerStep: 16,
                                                             maxPrefillChunkTokens: 1024, maxWaiting: 4096),
                costModel: CostModel = .a100Llama7B, controlIntervalSeconds: Double = 5, drainLimitSeconds: Double = 600) {
        self.count = count
        self.computeMode = computeMode
        self.workerModes = workerModes
        self.adapterMemoryBytes = adapterMemoryBytes
        self.maxResidentAdapters = maxResidentAdapters
        self.scheduler = scheduler
        self.costModel = costModel
        self.controlIntervalSeconds = controlIntervalSeconds
        self.drainLimitSeconds = drainLimitSeconds
    }

    /// Base-token throughput of one worker running full steps (the placement's capacity unit).
    public func capacityTokensPerSecond(mode: ComputeMode) -> Double {
        let c = costModel.coefficients(for: mode)
        let tokens = Double(scheduler.maxBatchTokens)
        return tokens / (c.alphaSeconds + c.betaSecondsPerToken * tokens)
    }
}
