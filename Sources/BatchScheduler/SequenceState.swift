import ServeCore

/// The scheduler's record of one request between `submit` and its finish.
///
/// Plain values only (no strings, no arrays): the step loop reads it per entry per step, and a
/// trivially copyable struct costs a memcpy instead of retains. The adapter name lives in
/// `AdapterTable`, the KV block table in `BatchScheduler.blockTables`.
struct SequenceState: Sendable {
    enum Phase: Sendable, Equatable {
        /// In its adapter's fair queue, never admitted.
        case waiting
        /// Preempted; in the resume queue, will recompute from position 0.
        case resuming
        /// Holds a slot and KV blocks.
        case running
    }

    let id: RequestID
    let promptTokenCount: Int
    let maxNewTokens: Int
    let rank: Int
    /// The adapter's interned slot (0 = base model), see `AdapterTable`.
    let slot: Int
    let priority: PriorityKey
    /// Step index current at submission: waiting time in steps is `nextStepIndex - this`.
    let submittedAtStep: UInt64
    var phase: Phase = .waiting
    /// Positions whose KV is computed (or scheduled in the outstanding step).
    var computedTokens = 0
    var generatedTokens = 0
    /// Positions to compute before the next decode: the prompt, or after a preemption the
    /// prompt plus everything generated so far.
    var prefillTarget: Int
    var preemptions = 0

    init(spec: RequestSpec, slot: Int, submittedAtStep: UInt64) {
        id = spec.id
        promptTokenCount = spec.promptTokenCount
        maxNewTokens = spec.maxNewTokens
        rank = spec.rank
        self.slot = slot
        priority = spec.priorityKey
        self.submittedAtStep = submittedAtStep
        prefillTarget = spec.promptTokenCount
    }

    /// Tokens known so far (prompt + generated); the next sample happens when all are computed.
    var knownTokens: Int { promptTokenCount + generatedTokens }
    var isPrefilling: Bool { computedTokens < prefillTarget }
}
