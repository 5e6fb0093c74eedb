/// Limits and fairness knobs of one worker's continuous-batching scheduler.
///
/// One config type is shared by the engine and the simulator, so the same values give the same
/// decisions in both. Every knob counts tokens, blocks, sequences or steps, never seconds: wall
/// time differs between the engine and the simulator, so no decision may depend on it.
public struct SchedulerConfig: Sendable, Codable, Equatable {
    /// Tokens computed in one step, over all sequences (vLLM's `max_num_batched_tokens`).
    public var maxBatchTokens: Int
    /// Sequences holding KV and a slot at once (vLLM's `max_num_seqs`).
    public var maxRunningSequences: Int
    /// Tokens per paged KV block (vLLM's `block_size`).
    public var kvBlockTokens: Int
    /// Blocks in the worker's KV pool.
    public var kvBlockCount: Int
    /// Context limit: `promptTokenCount + maxNewTokens` may not exceed it (else `tooLong`).
    public var maxModelLength: Int
    /// Distinct LoRA adapters among running sequences, hence in any one step (vLLM's
    /// `max_loras`). Base-model requests do not count.
    public var maxAdaptersPerStep: Int
    /// Longest prefill chunk one sequence gets in one step (vLLM's `long_prefill_token_threshold`).
    public var maxPrefillChunkTokens: Int
    /// Requests queued (not yet admitted) before `submit` rejects with `queueFull`.
    public var maxWaiting: Int
    /// Deficit-round-robin quantum, in prompt tokens, credited to an adapter's queue per turn.
    public var fairnessQuantumTokens: Int
    /// A queue head that has waited this many steps keeps its round-robin turn while the adapter
    /// limit blocks it (admission pauses until a slot drains) instead of being skipped.
    public var agingSteps: Int
    /// Bounds of the `retryAfterSeconds` hint given with `queueFull` (not used for decisions).
    public var minRetryAfterSeconds: Double
    public var maxRetryAfterSeconds: Double

    public init(maxBatchTokens: Int = 512, maxRunningSequences: Int = 64, kvBlockTokens: Int = 16,
                kvBlockCount: Int = 1024, maxModelLength: Int = 2048, maxAdaptersPerStep: Int = 8,
                maxPrefillChunkTokens: Int = 256, maxWaiting: Int = 1024, fairnessQuantumTokens: Int = 256,
                agingSteps: Int = 64, minRetryAfterSeconds: Double = 1, maxRetryAfterSeconds: Double = 60) {
        self.maxBatchTokens = maxBatchTokens
        self.maxRunningSequences = maxRunningSequences
        self.kvBlockTokens = kvBlockTokens
        self.kvBlockCount = kvBlockCount
        self.maxModelLength = maxModelLength
        self.maxAdaptersPerStep = maxAdaptersPerStep
        self.maxPrefillChunkTokens = maxPrefillChunkTokens
        self.maxWaiting = maxWaiting
        self.fairnessQuantumTokens = fairnessQuantumTokens
        self.agingSteps = agingSteps
        self.minRetryAfterSeconds = minRetryAfterSeconds
        self.maxRetryAfterSeconds = maxRetryAfterSeconds
    }

    /// Tokens the whole KV pool holds.
    public var kvCapacityTokens: Int { kvBlockTokens * kvBlockCount }

    /// Throws when the limits contradict each other or could livelock the scheduler.
    public func validate() throws(SchedulerConfigError) {
        func positive(_ name: String, _ value: Int) throws(SchedulerConfigError) {
            guard value >= 1 else { throw .invalid(parameter: name, value: "\(value)", reason: "must be >= 1") }
        }
        try positive("maxBatchTokens", maxBatchTokens)
        try positive("maxRunningSequences", maxRunningSequences)
        try positive("kvBlockTokens", kvBlockTokens)
        try positive("kvBlockCount", kvBlockCount)
        try positive("maxModelLength", maxModelLength)
        try positive("maxAdaptersPerStep", maxAdaptersPerStep)
        try positive("maxPrefillChunkTokens", maxPrefillChunkTokens)
        try positive("maxWaiting", maxWaiting)
        try positive("fairnessQuantumTokens", fairnessQuantumTokens)
        guard agingSteps >= 0 else {
            throw .invalid(parameter: "agingSteps", value: "\(agingSteps)", reason: "must be >= 0")
        }
        // Every running sequence must be able to decode in the same step, else decodes starve.
        guard maxRunningSequences <= maxBatchTokens else {
            throw .invalid(parameter: "maxRunningSequences", value: "\(maxRunningSequences)",
                           reason: "must be <= maxBatchTokens (\(maxBatchTokens))")
        }
        // One request of maximal length must fit the pool alone, else preempting everything
        // else still cannot make room and it would recompute forever.
        let (capacity, overflow) = kvBlockTokens.multipliedReportingOverflow(by: kvBlockCount)
        guard !overflow, maxModelLength <= capacity else {
            throw .invalid(parameter: "maxModelLength", value: "\(maxModelLength)",
                           reason: "must be <= kvBlockTokens * kvBlockCount (\(overflow ? Int.max : capacity))")
        }
        guard minRetryAfterSeconds.isFinite, minRetryAfterSeconds >= 0,
              maxRetryAfterSeconds.isFinite, maxRetryAfterSeconds >= minRetryAfterSeconds else {
            throw .invalid(parameter: "retryAfterSeconds", value: "\(minRetryAfterSeconds)...\(maxRetryAfterSeconds)",
                           reason: "need 0 <= min <= max, both finite")
        }
    }
}

/// A `SchedulerConfig` that `validate()` rejected.
public enum SchedulerConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalid(parameter: String, value: String, reason: String)

    public var description: String {
        switch self {
        case let .invalid(parameter, value, reason): "scheduler config \(parameter) = \(value): \(reason)"
        }
    }
}
