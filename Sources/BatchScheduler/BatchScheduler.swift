import ServeCore

/// Continuous batching as a pure policy (vLLM V1's scheduler shape): `plan` decides the next
/// step as data, the executor runs it (model or cost model), `update` applies what it observed.
///
/// No clocks, no I/O, no randomness, no dictionary iteration: the same calls give the same steps
/// in the engine and in the simulator. `now` only feeds statistics and the retry-after hint.
/// Policy and guarantees: docs/scheduler.md.
public struct BatchScheduler: Sendable {
    public let config: SchedulerConfig
    /// Live requests by handle; the per-step paths index this array and never hash.
    var table: [SequenceState?] = []
    /// KV block ids per handle, in position order.
    var blockTables: [[Int32]] = []
    /// `blockTables[h].count` per handle, kept in step (read per entry per step).
    var heldBlocks: [Int] = []
    var freeHandles: [Int] = []
    var handleOf: [RequestID: Int] = [:]
    /// Running requests (handles) in admission order: the order steps are planned in.
    var running: [Int] = []
    var adapters = AdapterTable()
    /// Running requests per adapter slot; `distinctRunningAdapters` counts slots > 0 in use.
    var runningPerSlot: [Int] = [0]
    var distinctRunningAdapters = 0
    /// Per adapter slot counters (slot 0 = base model).
    var loads: [AdapterLoad] = [AdapterLoad()]
    /// Preempted requests (handles) by priority, oldest arrival first: resumed before new ones.
    var resumeQueue: [Int] = []
    var fairQueue = FairQueue()
    var kv: KVBlockPool
    /// An adapter slot promised to an aged request whose adapter the limit kept out.
    var reservation: AdapterReservation?
    /// The step `plan` returned and `update` has not yet applied, with its entries' handles.
    var outstanding: Step?
    var outstandingHandles: [Int] = []
    var nextStepIndex: UInt64 = 0
    var counters = SchedulerStats()
    /// Seconds between admissions (EWMA), for the retry-after hint only.
    var admissionIntervalEWMA: Double?
    var lastAdmissionAt: Double?

    /// Fingerprint of every non-empty step planned so far (see `StepDigest.fold`).
    public internal(set) var traceHash: UInt64 = StepDigest.emptyTraceHash
    /// Digests of the planned steps when `recordsTrace` is on (the drift test compares them).
    public internal(set) var trace: [StepDigest] = []
    public var recordsTrace: Bool

    public init(config: SchedulerConfig, recordsTrace: Bool = false) throws(SchedulerConfigError) {
        try config.validate()
        self.config = config
        self.recordsTrace = recordsTrace
        kv = KVBlockPool(blockTokens: config.kvBlockTokens, totalBlocks: config.kvBlockCount)
    }

    /// Queues a request. Throws without changing state when it cannot ever run or the queue is full.
    public mutating func submit(_ r: RequestSpec, now: Double) throws(AdmissionError) {
        guard r.promptTokenCount >= 1 else { throw .invalid(reason: "promptTokenCount \(r.promptTokenCount) < 1") }
        guard r.maxNewTokens >= 1 else { throw .invalid(reason: "maxNewTokens \(r.maxNewTokens) < 1") }
        guard r.arrivedAt.isFinite else { throw .invalid(reason: "arrivedAt \(r.arrivedAt) is not finite") }
        guard r.rank >= 0, r.adapter != nil || r.rank == 0 else {
            throw .invalid(reason: "rank \(r.rank) for adapter \(r.adapter?.rawValue ?? "base")")
        }
        guard handleOf[r.id] == nil else { throw .invalid(reason: "duplicate request id \(r.id)") }
        let (total, overflow) = r.promptTokenCount.addingReportingOverflow(r.maxNewTokens)
        guard !overflow, total <= config.maxModelLength else {
            throw .tooLong(limit: config.maxModelLength, requested: overflow ? Int.max : total)
        }
        guard fairQueue.count < config.maxWaiting else {
            counters.rejected += 1
            throw .queueFull(retryAfterSeconds: retryAfterHint)
        }
        let slot = adapters.intern(r.adapter)
        if slot >= loads.count {
            loads.append(AdapterLoad())
            runningPerSlot.append(0)
        }
        let state = SequenceState(spec: r, slot: slot, submittedAtStep: nextStepIndex)
        let handle: Int
        if let reused = freeHandles.popLast() {
            handle = reused
            table[handle] = state
        } else {
            handle = table.count
            table.append(state)
            blockTables.append([])
            heldBlocks.append(0)
        }
        handleOf[r.id] = handle
        fairQueue.insert(.init(id: r.id, handle: handle, priority: state.priority), slot: slot)
        counters.submitted += 1
        loads[slot].waiting += 1
    }

    /// Removes a request wherever it is; its KV blocks and slot are free at once. Returns false
    /// for an unknown (or already finished) id. A step already planned may still name it;
    /// `update` ignores such entries.
    @discardableResult
    public mutating func cancel(_ id: RequestID) -> Bool {
        guard let h = handleOf[id], let s = table[h] else { return false }
        switch s.phase {
        case .waiting: _ = fairQueue.remove(id, slot: s.slot)
        case .resuming: resumeQueue.removeAll { $0 == h }
        case .running: break
        }
        retire(h, reason: .cancelled)
        return true
    }

    /// Block ids holding a running request's KV, in position order (block i holds positions
    /// `i * kvBlockTokens ..< (i + 1) * kvBlockTokens`); empty when it holds none.
    public func blockTable(for id: RequestID) -> [Int32] {
        guard let h = handleOf[id] else { return [] }
        return blockTables[h]
    }

    /// Whether the scheduler still tracks `id` (waiting, resuming or running).
    public func contains(_ id: RequestID) -> Bool { handleOf[id] != nil }

    /// Tokens generated so far for a tracked request.
    public func generatedTokens(of id: RequestID) -> Int? { state(id)?.generatedTokens }

    /// Adapters of running requests, sorted. The executor must keep them resident: a running
    /// request whose adapter is not ready pauses (keeping its KV) and holds its adapter slot.
    public var activeAdapters: [AdapterID] {
        (1 ..< runningPerSlot.count).compactMap { runningPerSlot[$0] > 0 ? adapters.name($0) : nil }.sorted()
    }

    /// Adapters that queued requests need, most urgent first (resume queue, reserved slot, then
    /// the round robin from the lane whose turn it is): what an engine should load next.
    public var wantedAdapters: [AdapterID] {
        var slots = resumeQueue.compactMap { table[$0]?.slot }
        if let r = reservation { slots.append(r.waiting) }
        let ring = fairQueue.ring
        for k in 0 ..< ring.count { slots.append(ring[(fairQueue.cursor + k) % ring.count]) }
        var seen = Set<Int>()
        return slots.compactMap { seen.insert($0).inserted ? adapters.name($0) : nil }
    }

    public var stats: SchedulerStats {
        var s = counters
        s.running = running.count
        s.resuming = resumeQueue.count
        s.waiting = fairQueue.count + resumeQueue.count
        s.kvBlocksTotal = kv.totalBlocks
        s.kvBlocksFree = kv.freeCount
        s.kvBlocksUsed = kv.usedCount
        s.steps = nextStepIndex
        s.base = loads[0]
        for slot in 1 ..< loads.count {
            if let name = adapters.name(slot) { s.perAdapter[name] = loads[slot] }
        }
        return s
    }

    func state(_ id: RequestID) -> SequenceState? {
        guard let h = handleOf[id] else { return nil }
        return table[h]
    }

    var retryAfterHint: Double {
        let estimate = admissionIntervalEWMA ?? config.minRetryAfterSeconds
        return min(config.maxRetryAfterSeconds, max(config.minRetryAfterSeconds, estimate))
    }
}
