import ServeCore

extension BatchScheduler {
    /// Applies what the executor observed for the step `plan` returned last.
    ///
    /// Every entry that `samplesNextToken` yields one token unless its result says `.error` or
    /// `.cancelled`; a request reaching `maxNewTokens` finishes with `.length`. Any other result
    /// reason finishes the request as reported. Entries for requests cancelled since the plan are
    /// ignored. A step that is not the outstanding one (stale or empty) changes nothing.
    public mutating func update(_ step: Step, results: [SequenceResult], now: Double) -> [SchedulerEvent] {
        guard let planned = outstanding, planned.index == step.index else { return [] }
        outstanding = nil
        let handles = outstandingHandles
        outstandingHandles = []
        var reported: [RequestID: FinishReason] = [:]
        for r in results {
            if let reason = r.finished { reported[r.id] = reason }
        }
        var events: [SchedulerEvent] = planned.preempted.map { .preempted($0) }
        // The planned copy is authoritative: a caller's edited `step` cannot corrupt accounting.
        for (entry, h) in zip(planned.entries, handles) {
            let id = entry.request
            // A cancelled request's handle may already belong to a newer request.
            guard h < table.count, let s = table[h], s.id == id, s.phase == .running else { continue }
            if !entry.isDecode { counters.prefillTokens += entry.tokenCount }
            var reason = reported.isEmpty ? nil : reported[id]
            var generated = s.generatedTokens
            if entry.samplesNextToken, reason != .error, reason != .cancelled {
                generated += 1
                table[h]?.generatedTokens = generated
                counters.generatedTokens += 1
                loads[s.slot].generatedTokens += 1
                if generated == 1 { events.append(.firstToken(id)) }
                if reason == nil, generated >= s.maxNewTokens { reason = .length }
            }
            if let reason {
                retire(h, reason: reason)
                events.append(.finished(id, reason, generatedTokens: generated))
            }
        }
        return events
    }
}
