import ServeCore

/// Per-adapter load (also used for the base model).
public struct AdapterLoad: Sendable, Equatable, Codable {
    public var running = 0
    /// Never admitted or preempted-and-resuming.
    public var waiting = 0
    public var finished = 0
    public var generatedTokens = 0
    public init() {}
}

/// A snapshot for metrics (`vllm:num_requests_running`, `vllm:kv_cache_usage_perc`, …).
public struct SchedulerStats: Sendable, Equatable, Codable {
    public var running = 0
    /// Waiting for first admission plus preempted requests waiting to resume.
    public var waiting = 0
    /// The preempted part of `waiting`.
    public var resuming = 0
    public var kvBlocksTotal = 0
    public var kvBlocksUsed = 0
    public var kvBlocksFree = 0
    /// Non-empty steps planned so far.
    public var steps: UInt64 = 0
    public var submitted = 0
    public var rejected = 0
    public var finished = 0
    public var cancelled = 0
    public var preemptions = 0
    /// Prompt (and recomputed) tokens scheduled; recomputation after preemption counts again.
    public var prefillTokens = 0
    public var generatedTokens = 0
    public var base = AdapterLoad()
    public var perAdapter: [AdapterID: AdapterLoad] = [:]
    public init() {}

    /// Fraction of KV blocks in use, 0…1.
    public var kvUsage: Double { kvBlocksTotal == 0 ? 0 : Double(kvBlocksUsed) / Double(kvBlocksTotal) }

    /// Load of one adapter (`nil` = base model).
    public func load(of adapter: AdapterID?) -> AdapterLoad {
        guard let adapter else { return base }
        return perAdapter[adapter] ?? AdapterLoad()
    }
}
