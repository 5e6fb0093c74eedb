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
    /// Extra seconds per sequence that samples a token in a step (the LM head and sampling: on a
    /// CPU worker with a 49k vocabulary it is a quarter of a token's cost). From a v2 calibration
    /// file; nil (GPU presets) = folded into β.
    public var sampledSequenceSeconds: Double?
    /// CPU workers: steps of at least `minTokens` tokens run other kernels (on this engine, the
    /// F32-tile matmul from 48 tokens up instead of the int8-activation packed kernels) with their
    /// own coefficients. The regime with the largest `minTokens` ≤ the step's tokens applies;
    /// below all of them, `costModel` and `sampledSequenceSeconds`. From a v2 calibration.
    public var stepRegimes: [StepCostRegime]?
    /// Workers that share one CPU host (a local cluster on one machine); nil: each worker has its
    /// own device (the GPU presets).
    public var host: SharedHost?

    public init(count: Int, computeMode: ComputeMode? = nil, workerModes: [ComputeMode]? = nil, adapterMemoryBytes: Int = 8 << 30,
                maxResidentAdapters: Int = 64,
                scheduler: SchedulerConfig = SchedulerConfig(maxBatchTokens: 2048, maxRunningSequences: 128, kvBlockTokens: 16,
                                                             kvBlockCount: 8192, maxModelLength: 4096, maxAdaptersPerStep: 16,
                                                             maxPrefillChunkTokens: 1024, maxWaiting: 4096),
                costModel: CostModel = .a100Llama7B, controlIntervalSeconds: Double = 5, drainLimitSeconds: Double = 600,
                sampledSequenceSeconds: Double? = nil, stepRegimes: [StepCostRegime]? = nil) {
        self.count = count
        self.computeMode = computeMode
        self.workerModes = workerModes
        self.adapterMemoryBytes = adapterMemoryBytes
        self.maxResidentAdapters = maxResidentAdapters
        self.scheduler = scheduler
        self.costModel = costModel
        self.controlIntervalSeconds = controlIntervalSeconds
        self.drainLimitSeconds = drainLimitSeconds
        self.sampledSequenceSeconds = sampledSequenceSeconds
        self.stepRegimes = stepRegimes?.sorted { $0.minTokens < $1.minTokens }
    }

    /// Base-token throughput of one worker running full steps (the placement's capacity unit).
    public func capacityTokensPerSecond(mode: ComputeMode) -> Double {
        let c = costModel.coefficients(for: mode)
        let tokens = Double(scheduler.maxBatchTokens)
        return tokens / (c.alphaSeconds + c.betaSecondsPerToken * tokens)
    }
}

/// Workers sharing one CPU host, and the request path in front of them (`bench validate` measures
/// both for the live local cluster it compares against).
public struct SharedHost: Sendable, Codable, Equatable {
    /// Cores of the host.
    public var cores: Double
    /// Compute threads each worker runs.
    public var threadsPerWorker: Int
    /// Seconds every request spends outside the worker's steps before its first token reaches
    /// the client: HTTP, tokenisation, the controller's hop, SSE. Added to TTFT and latency.
    public var frontEndSeconds: Double
    /// Cores other processes on the host keep busy on average (a local cluster's controller and
    /// load generator).
    public var backgroundCores: Double

    public init(cores: Double, threadsPerWorker: Int, frontEndSeconds: Double = 0, backgroundCores: Double = 0) {
        self.cores = cores
        self.threadsPerWorker = threadsPerWorker
        self.frontEndSeconds = frontEndSeconds
        self.backgroundCores = backgroundCores
    }

    /// Only `cores` and `threadsPerWorker` are required in JSON.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        cores = try c.decode(Double.self, forKey: .cores)
        threadsPerWorker = try c.decode(Int.self, forKey: .threadsPerWorker)
        frontEndSeconds = try c.decodeIfPresent(Double.self, forKey: .frontEndSeconds) ?? 0
        backgroundCores = try c.decodeIfPresent(Double.self, forKey: .backgroundCores) ?? 0
    }

    /// How much slower than calibrated a step progresses while `busyWorkers` workers compute at
    /// once: their threads and the background share the cores evenly (processor sharing: the
    /// engine re-times running steps whenever the count changes), so beyond the core count each
    /// runs proportionally slower. 1 while everything fits.
    public func slowdown(busyWorkers: Int) -> Double {
        guard cores > 0 else { return 1 }
        return max(1, (Double(busyWorkers) * Double(max(threadsPerWorker, 1)) + max(0, backgroundCores)) / cores)
    }
}

/// Step cost coefficients that apply from `minTokens` tokens per step up (see `FleetSpec.stepRegimes`).
public struct StepCostRegime: Sendable, Codable, Equatable {
    public var minTokens: Int
    public var costModel: CostModel
    public var sampledSequenceSeconds: Double?

    public init(minTokens: Int, costModel: CostModel, sampledSequenceSeconds: Double? = nil) {
        self.minTokens = minTokens
        self.costModel = costModel
        self.sampledSequenceSeconds = sampledSequenceSeconds
    }
}

extension FleetSpec {
    /// Seconds one step of `shape` with `sampled` sampling sequences takes on a worker of `mode`.
    @inline(__always)
    public func stepSeconds(_ shape: StepShape, sampled: Int, mode: ComputeMode) -> Double {
        if let regimes = stepRegimes, let r = regimes.last(where: { $0.minTokens <= shape.tokens }) {
            return r.costModel.stepSeconds(shape, mode: mode) + (r.sampledSequenceSeconds ?? 0) * Double(sampled)
        }
        return costModel.stepSeconds(shape, mode: mode) + (sampledSequenceSeconds ?? 0) * Double(sampled)
    }
}
