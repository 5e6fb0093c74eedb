import ServeCore

/// Adapter `waiting` gets the slot `draining` frees (see docs/scheduler.md, "Fairness").
struct AdapterReservation: Sendable, Equatable {
    var waiting: Int
    var draining: Int
}

/// State transitions shared by plan, update and cancel.
extension BatchScheduler {
    /// Drops a request for good: frees its blocks and slot, counts it.
    mutating func retire(_ h: Int, reason: FinishReason) {
        guard let s = table[h] else { return }
        table[h] = nil
        handleOf[s.id] = nil
        freeHandles.append(h)
        if s.phase == .running {
            removeFromRunning(h, slot: s.slot)
            loads[s.slot].running -= 1
        } else {
            loads[s.slot].waiting -= 1
        }
        kv.release(blockTables[h])
        blockTables[h] = []
        heldBlocks[h] = 0
        if reason == .cancelled {
            counters.cancelled += 1
        } else {
            counters.finished += 1
            loads[s.slot].finished += 1
        }
    }

    mutating func addToRunning(_ h: Int, slot: Int) {
        running.append(h)
        runningPerSlot[slot] += 1
        if slot > 0, runningPerSlot[slot] == 1 { distinctRunningAdapters += 1 }
        if slot == reservation?.waiting { reservation = nil }
    }

    mutating func removeFromRunning(_ h: Int, slot: Int) {
        if let at = running.firstIndex(of: h) { running.remove(at: at) }
        runningPerSlot[slot] -= 1
        if slot > 0, runningPerSlot[slot] == 0 { distinctRunningAdapters -= 1 }
    }

    /// Whether admitting a request for adapter `slot` would exceed the distinct-adapter limit,
    /// or take the slot being drained for a reservation.
    func adapterLimitBlocks(_ slot: Int) -> Bool {
        guard slot > 0 else { return false }
        let limit = config.maxAdaptersPerStep
        if let r = reservation {
            if slot == r.draining { return true }
            if runningPerSlot[slot] > 0 { return false }
            return distinctRunningAdapters + (slot == r.waiting ? 0 : 1) >= limit
        }
        return runningPerSlot[slot] == 0 && distinctRunningAdapters >= limit
    }

    /// Promises the next adapter slot to `slot`: the running adapter with the fewest running
    /// requests (then the smallest name) admits nothing more until it drains. One at a time.
    mutating func reserveSlot(for slot: Int) {
        guard reservation == nil, slot > 0 else { return }
        var best: (count: Int, name: AdapterID, slot: Int)?
        for s in 1 ..< runningPerSlot.count where runningPerSlot[s] > 0 {
            guard let name = adapters.name(s) else { continue }
            if best.map({ (runningPerSlot[s], name) < ($0.count, $0.name) }) ?? true {
                best = (runningPerSlot[s], name, s)
            }
        }
        if let best { reservation = AdapterReservation(waiting: slot, draining: best.slot) }
    }

    func isAged(_ h: Int) -> Bool {
        guard let submitted = table[h]?.submittedAtStep else { return false }
        return nextStepIndex - submitted >= UInt64(config.agingSteps)
    }

    /// Whether the adapter of `slot` is resident (the base model always is).
    func ready(_ slot: Int, _ isAdapterReady: SlotReady) -> Bool {
        isAdapterReady(slot)
    }
}
