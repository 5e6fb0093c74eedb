import BatchScheduler
import ServeCore
import Testing

/// Drives a `BatchScheduler` without a model, the way the engine and the simulator do, and
/// checks the scheduler's invariants after every step.
///
/// It also keeps its own record of each request's fed positions and generated tokens, so that
/// an entry at a wrong position (a broken recompute after preemption, a skipped chunk) fails.
struct ToyExecutor {
    struct Track {
        var spec: RequestSpec
        /// Next position the executor expects to feed (its "KV frontier").
        var fed = 0
        var generated = 0
        var firstScheduledStep: UInt64?
        var sawFirstToken = false
    }

    var scheduler: BatchScheduler
    var rng: SplitMix64
    /// Chance that a sampled token is end-of-generation.
    var stopProbability: Double
    /// Chance that a sequence errors in a step.
    var errorProbability: Double
    var now = 0.0
    var secondsPerStep = 0.01
    var live: [RequestID: Track] = [:]
    var outcomes: [RequestID: FinishReason] = [:]
    var firstScheduled: [RequestID: UInt64] = [:]
    var submittedAtStep: [RequestID: UInt64] = [:]
    var stepsRun: UInt64 = 0
    var preemptionsSeen = 0

    init(config: SchedulerConfig, seed: UInt64, stopProbability: Double = 0, errorProbability: Double = 0,
         recordsTrace: Bool = false) throws {
        scheduler = try BatchScheduler(config: config, recordsTrace: recordsTrace)
        rng = SplitMix64(seed: seed)
        self.stopProbability = stopProbability
        self.errorProbability = errorProbability
    }

    var config: SchedulerConfig { scheduler.config }

    @discardableResult
    mutating func submit(_ spec: RequestSpec) -> AdmissionError? {
        do {
            try scheduler.submit(spec, now: now)
        } catch {
            return error
        }
        live[spec.id] = Track(spec: spec)
        submittedAtStep[spec.id] = stepsRun
        return nil
    }

    mutating func cancel(_ id: RequestID) {
        let known = live[id] != nil
        #expect(scheduler.cancel(id) == known)
        if known {
            live[id] = nil
            outcomes[id] = .cancelled
        }
    }

    /// Plans, checks, executes (fabricating results) and updates one step.
    @discardableResult
    mutating func runStep(isAdapterReady: (AdapterID) -> Bool = { _ in true }) -> (Step, [SchedulerEvent]) {
        let step = scheduler.plan(now: now, isAdapterReady: isAdapterReady)
        checkPlan(step, isAdapterReady: isAdapterReady)
        guard !step.isEmpty else { return (step, []) }
        for id in step.preempted {
            live[id]?.fed = 0
            preemptionsSeen += 1
        }
        var results: [SequenceResult] = []
        for entry in step.entries {
            guard var t = live[entry.request] else { continue }
            #expect(entry.position == t.fed, "\(entry.request) fed at \(entry.position), expected \(t.fed)")
            t.fed = entry.positions.upperBound
            if firstScheduled[entry.request] == nil { firstScheduled[entry.request] = stepsRun }
            if errorProbability > 0, rng.nextUnitDouble() < errorProbability {
                results.append(SequenceResult(id: entry.request, finished: .error))
            } else if entry.samplesNextToken {
                #expect(t.fed == t.spec.promptTokenCount + t.generated, "sampled before all known tokens were fed")
                t.generated += 1
                if stopProbability > 0, rng.nextUnitDouble() < stopProbability {
                    results.append(SequenceResult(id: entry.request, finished: .stop))
                }
            }
            live[entry.request] = t
        }
        now += secondsPerStep
        let events = scheduler.update(step, results: results, now: now)
        stepsRun += 1
        apply(events)
        checkAccounting()
        return (step, events)
    }

    /// Runs until nothing is left or `maxSteps` pass; returns the steps run.
    @discardableResult
    mutating func drain(maxSteps: Int, isAdapterReady: (AdapterID) -> Bool = { _ in true }) -> Int {
        var n = 0
        while !live.isEmpty, n < maxSteps {
            let (step, _) = runStep(isAdapterReady: isAdapterReady)
            if step.isEmpty { break }
            n += 1
        }
        return n
    }

    private mutating func apply(_ events: [SchedulerEvent]) {
        for event in events {
            switch event {
            case let .firstToken(id):
                #expect(live[id]?.sawFirstToken == false, "first token reported twice for \(id)")
                live[id]?.sawFirstToken = true
            case let .finished(id, reason, generated):
                guard let t = live[id] else {
                    Issue.record("finished event for unknown \(id)")
                    continue
                }
                #expect(generated == t.generated)
                #expect(generated <= t.spec.maxNewTokens)
                if reason == .length { #expect(generated == t.spec.maxNewTokens) }
                outcomes[id] = reason
                live[id] = nil
            case let .preempted(id):
                #expect(live[id] != nil)
            }
        }
    }

    private func checkPlan(_ step: Step, isAdapterReady: (AdapterID) -> Bool) {
        #expect(step.tokenCount <= config.maxBatchTokens, "token budget exceeded: \(step.tokenCount)")
        #expect(step.adapters.count <= config.maxAdaptersPerStep, "too many adapters: \(step.adapters)")
        #expect(Set(step.entries.map(\.request)).count == step.entries.count, "request twice in a step")
        #expect(step.entries.count <= config.maxRunningSequences)
        for entry in step.entries {
            #expect(entry.tokenCount >= 1)
            if case let .prefill(_, count) = entry.kind { #expect(count <= config.maxPrefillChunkTokens) }
            if let a = entry.adapter { #expect(isAdapterReady(a), "scheduled \(entry.request) on a non-ready adapter") }
            let table = scheduler.blockTable(for: entry.request)
            #expect(table.count * config.kvBlockTokens >= entry.positions.upperBound, "KV does not cover the entry")
            #expect(!step.preempted.contains(entry.request))
        }
    }

    /// used + free == total, block tables disjoint and summing to `used`, per-adapter loads agree.
    func checkAccounting() {
        let s = scheduler.stats
        #expect(s.kvBlocksUsed + s.kvBlocksFree == s.kvBlocksTotal)
        var seen = Set<Int32>()
        var held = 0
        for id in live.keys {
            let table = scheduler.blockTable(for: id)
            held += table.count
            for b in table { #expect(seen.insert(b).inserted, "block \(b) held twice") }
        }
        #expect(held == s.kvBlocksUsed, "blocks leaked: held \(held), used \(s.kvBlocksUsed)")
        #expect(s.running <= config.maxRunningSequences)
        #expect(scheduler.activeAdapters.count <= config.maxAdaptersPerStep)
        #expect(s.running + s.waiting == live.count)
        let loads = [s.base] + Array(s.perAdapter.values)
        #expect(loads.reduce(0) { $0 + $1.running } == s.running)
        #expect(loads.reduce(0) { $0 + $1.waiting } == s.waiting)
    }
}
