import ServeCore

/// The step under construction.
struct StepBuilder {
    var entries: [StepEntry] = []
    /// `entries[i]` belongs to handle `handles[i]`.
    var handles: [Int] = []
    var preempted: [RequestID] = []
    /// Tokens still available in this step.
    var budget: Int
    var admitted = 0

    init(budget: Int, capacity: Int) {
        self.budget = budget
        entries.reserveCapacity(capacity)
        handles.reserveCapacity(capacity)
    }
}

/// Whether an adapter slot's adapter is resident (memoised per plan; slot 0 is the base model).
typealias SlotReady = (Int) -> Bool

/// How one admission attempt ended.
enum AdmitOutcome {
    case admitted
    /// The adapter is not resident: skip, never block others.
    case notReady
    /// A new distinct adapter would exceed `maxAdaptersPerStep` (or take a reserved slot).
    case adapterLimit
    /// No sequence slot, no token budget, or the first chunk's KV blocks do not fit.
    case noRoom
}

extension BatchScheduler {
    /// Decides the next step. Order: running decodes, running prefill chunks, preempted requests
    /// resuming, a reserved adapter slot's request, then new requests by deficit round robin
    /// over adapters (docs/scheduler.md).
    ///
    /// Until `update` applies it, calling `plan` again returns the same step unchanged.
    /// `isAdapterReady` says which adapters are resident; requests of other adapters are skipped
    /// without blocking anyone. An empty step consumes no index and need not be executed.
    public mutating func plan(now: Double, isAdapterReady: (AdapterID) -> Bool = { _ in true }) -> Step {
        if let outstanding { return outstanding }
        // Ask the executor at most once per adapter slot per plan (its answer cannot change
        // within a plan): a hundred running requests of a few adapters then cost a few lookups,
        // not a hundred string hashes. The memo lives on the stack; decisions are unchanged.
        let names = adapters.names
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: names.count) { memo in
            memo.initialize(repeating: 0)
            return withoutActuallyEscaping(isAdapterReady) { ask in
                planStep(now: now) { slot in
                    guard slot < names.count, let name = names[slot] else { return true }
                    if memo[slot] == 0 { memo[slot] = ask(name) ? 1 : 2 }
                    return memo[slot] == 1
                }
            }
        }
    }

    private mutating func planStep(now: Double, _ isAdapterReady: SlotReady) -> Step {
        dropUselessReservation(isAdapterReady)
        var b = StepBuilder(budget: config.maxBatchTokens, capacity: running.count + 16)
        planRunning(&b, isAdapterReady)
        // As vLLM V1: a step that had to preempt admits nothing (KV is exhausted anyway, and a
        // victim must not come straight back in the step that evicted it).
        if b.preempted.isEmpty, admitResuming(&b, isAdapterReady) {
            admitFairly(&b, isAdapterReady)
        }
        noteAdmissions(b.admitted, now: now)
        let step = Step(index: nextStepIndex, entries: b.entries, preempted: b.preempted)
        guard !step.isEmpty else { return step }
        outstanding = step
        outstandingHandles = b.handles
        nextStepIndex += 1
        if recordsTrace {
            let digest = step.digest
            digest.fold(into: &traceHash)
            trace.append(digest)
        } else {
            step.foldDigest(into: &traceHash)
        }
        return step
    }

    /// Running requests in admission order: all decodes first, then prefill chunks.
    private mutating func planRunning(_ b: inout StepBuilder, _ isAdapterReady: SlotReady) {
        let order = running
        var prefilling: [Int] = []
        for h in order {
            guard let s = table[h], s.phase == .running, ready(s.slot, isAdapterReady) else { continue }
            if s.isPrefilling {
                prefilling.append(h)
                continue
            }
            guard b.budget > 0 else { break }
            if let granted = reserveKV(h, wanted: 1, &b) { schedule(h, tokens: granted, &b) }
        }
        for h in prefilling {
            // An earlier request's growth may have preempted this one.
            guard let s = table[h], s.phase == .running else { continue }
            guard b.budget > 0 else { return }
            let wanted = min(s.prefillTarget - s.computedTokens, config.maxPrefillChunkTokens, b.budget)
            if let granted = reserveKV(h, wanted: wanted, &b) { schedule(h, tokens: granted, &b) }
        }
    }

    /// Finds KV room for up to `wanted` more tokens of a running request, shrinking a prefill
    /// chunk to the room there is and preempting lowest-priority requests when there is none.
    /// Returns nil when the request itself was the victim.
    private mutating func reserveKV(_ h: Int, wanted: Int, _ b: inout StepBuilder) -> Int? {
        while let s = table[h], s.phase == .running {
            // `heldBlocks` mirrors `blockTables[h].count` in a flat array (no pointer chase per entry).
            let held = heldBlocks[h]
            let room = (held + kv.freeCount) * config.kvBlockTokens - s.computedTokens
            if room >= 1 {
                let granted = min(wanted, room)
                let needed = s.computedTokens + granted
                // Most steps fit in the blocks already held (no division, no allocation).
                guard needed > held * config.kvBlockTokens else { return granted }
                let missing = kv.blocks(forTokens: needed) - held
                // One more block is the common case (a decode crossing a block boundary): no array.
                if missing == 1, let block = kv.allocateOne() {
                    blockTables[h].append(block)
                    heldBlocks[h] += 1
                } else if missing > 0, let fresh = kv.allocate(missing) {
                    blockTables[h].append(contentsOf: fresh)
                    heldBlocks[h] += fresh.count
                }
                return granted
            }
            guard let victim = lowestPriorityRunning() else { return nil }
            preempt(victim, &b)
            if victim == h { return nil }
        }
        return nil
    }

    /// Latest arrival (then largest id) among running requests: the preemption victim.
    private func lowestPriorityRunning() -> Int? {
        var best: (handle: Int, key: PriorityKey)?
        for h in running {
            guard let key = table[h]?.priority else { continue }
            if best.map({ $0.key < key }) ?? true { best = (h, key) }
        }
        return best?.handle
    }

    /// Recompute preemption: drop the KV, keep the generated count, queue to resume.
    private mutating func preempt(_ h: Int, _ b: inout StepBuilder) {
        guard var s = table[h], s.phase == .running else { return }
        removeFromRunning(h, slot: s.slot)
        kv.release(blockTables[h])
        blockTables[h] = []
        heldBlocks[h] = 0
        s.computedTokens = 0
        s.prefillTarget = s.knownTokens
        s.phase = .resuming
        s.preemptions += 1
        table[h] = s
        var at = resumeQueue.count
        while at > 0, let prev = table[resumeQueue[at - 1]], s.priority < prev.priority { at -= 1 }
        resumeQueue.insert(h, at: at)
        counters.preemptions += 1
        loads[s.slot].running -= 1
        loads[s.slot].waiting += 1
        if let at = b.handles.firstIndex(of: h) {
            b.budget += b.entries[at].tokenCount
            b.entries.remove(at: at)
            b.handles.remove(at: at)
        }
        b.preempted.append(s.id)
    }

    /// Adds an entry for `tokens` positions from the request's computed frontier.
    private mutating func schedule(_ h: Int, tokens: Int, _ b: inout StepBuilder) {
        guard let s = table[h] else { return }
        let start = s.computedTokens
        let kind: StepEntry.Kind = s.isPrefilling ? .prefill(start: start, count: tokens) : .decode(position: start)
        table[h]?.computedTokens = start + tokens
        b.entries.append(StepEntry(request: s.id, adapter: adapters.name(s.slot), rank: s.rank, kind: kind,
                                   samplesNextToken: start + tokens == s.knownTokens))
        b.handles.append(h)
        b.budget -= tokens
    }

    /// Moves a waiting or resuming request into the running set with its first chunk.
    private mutating func tryAdmit(_ h: Int, _ b: inout StepBuilder,
                                   _ isAdapterReady: SlotReady) -> AdmitOutcome {
        guard let s = table[h] else { return .notReady }
        guard running.count < config.maxRunningSequences, b.budget > 0 else { return .noRoom }
        if adapterLimitBlocks(s.slot) { return .adapterLimit }
        if !ready(s.slot, isAdapterReady) { return .notReady }
        let chunk = min(s.prefillTarget - s.computedTokens, config.maxPrefillChunkTokens, b.budget)
        guard let blocks = kv.allocate(kv.blocks(forTokens: s.computedTokens + chunk) - heldBlocks[h]) else {
            return .noRoom
        }
        blockTables[h] += blocks
        heldBlocks[h] += blocks.count
        table[h]?.phase = .running
        addToRunning(h, slot: s.slot)
        loads[s.slot].waiting -= 1
        loads[s.slot].running += 1
        schedule(h, tokens: chunk, &b)
        b.admitted += 1
        return .admitted
    }

    /// Preempted requests first, oldest arrival first. Returns false when one of them lacks
    /// room, so no newer request may pass it; one kept out by the adapter limit reserves a slot.
    private mutating func admitResuming(_ b: inout StepBuilder, _ isAdapterReady: SlotReady) -> Bool {
        var i = 0
        while i < resumeQueue.count {
            let h = resumeQueue[i]
            switch tryAdmit(h, &b, isAdapterReady) {
            case .admitted: resumeQueue.remove(at: i)
            case .notReady: i += 1
            case .adapterLimit:
                if let slot = table[h]?.slot, ready(slot, isAdapterReady) { reserveSlot(for: slot) }
                i += 1
            case .noRoom: return false
            }
        }
        return true
    }

    /// Drops a reservation nobody can use: its adapter has no queued request or is not resident.
    private mutating func dropUselessReservation(_ isAdapterReady: SlotReady) {
        guard let r = reservation else { return }
        let queued = fairQueue.waiting(in: r.waiting) > 0 || resumeQueue.contains { table[$0]?.slot == r.waiting }
        if !queued || !ready(r.waiting, isAdapterReady) { reservation = nil }
    }

    /// Deficit round robin over adapter lanes; a lane kept out by the adapter limit is skipped.
    /// Starvation guard: when no reservation is active, the next lane (round the ring, from
    /// where the last reservation was found) whose aged head is kept out by the limit reserves
    /// the next adapter slot and takes it out of turn once free. No room keeps the DRR turn and
    /// ends admission for this step.
    private mutating func admitFairly(_ b: inout StepBuilder, _ isAdapterReady: SlotReady) {
        guard !fairQueue.isEmpty else { return }
        // Reserve even when this step has no room: the draining adapter then starts draining now.
        if reservation == nil, distinctRunningAdapters >= config.maxAdaptersPerStep {
            let found = fairQueue.findReservation { slot, head in
                adapterLimitBlocks(slot) && isAged(head.handle) && ready(slot, isAdapterReady)
            }
            if let found {
                fairQueue.reservationFound(at: found.index)
                reserveSlot(for: found.slot)
            }
        }
        guard running.count < config.maxRunningSequences, b.budget > 0 else { return }
        if let r = reservation, !adapterLimitBlocks(r.waiting), let head = fairQueue.head(of: r.waiting) {
            switch tryAdmit(head.handle, &b, isAdapterReady) {
            case .admitted: fairQueue.popHead(of: r.waiting)
            case .noRoom: return
            case .notReady, .adapterLimit: break
            }
        }
        while !fairQueue.isEmpty, running.count < config.maxRunningSequences, b.budget > 0 {
            // Skip lanes the adapter limit keeps out or whose adapter is not resident (cheap
            // array checks before the executor's callback); stop when none is left.
            guard let passed = fairQueue.lanesBeforeEligible({ !adapterLimitBlocks($0) && ready($0, isAdapterReady) })
            else { return }
            fairQueue.skip(passed)
            guard let (_, head) = fairQueue.current else { return }
            let deficit = fairQueue.chargeCurrent(quantum: config.fairnessQuantumTokens)
            let cost = table[head.handle]?.promptTokenCount ?? 0
            guard deficit >= cost else {
                fairQueue.advance()
                continue
            }
            switch tryAdmit(head.handle, &b, isAdapterReady) {
            case .admitted: fairQueue.popCurrent(cost: cost)
            case .noRoom: return
            case .notReady, .adapterLimit: return  // checked above; never spin on it
            }
        }
    }

    /// Keeps the retry-after hint near the observed time between admissions.
    private mutating func noteAdmissions(_ count: Int, now: Double) {
        guard count > 0, now.isFinite else { return }
        if let last = lastAdmissionAt, now >= last {
            let interval = (now - last) / Double(count)
            admissionIntervalEWMA = admissionIntervalEWMA.map { 0.8 * $0 + 0.2 * interval } ?? interval
        }
        lastAdmissionAt = now
    }
}
