import BatchScheduler
import ServeCore
import Testing

/// Recompute preemption when KV runs out: victim choice, exact recompute, no lost tokens.
@Suite struct PreemptionTests {
    /// 8 blocks of 4 tokens: two requests that each grow to 27 tokens cannot both fit.
    static let tight = SchedulerConfig(maxBatchTokens: 64, maxRunningSequences: 4, kvBlockTokens: 4,
                                       kvBlockCount: 8, maxModelLength: 32, maxAdaptersPerStep: 2,
                                       maxPrefillChunkTokens: 64, maxWaiting: 8, agingSteps: 4)

    static func spec(_ id: UInt64, at: Double, prompt: Int = 12, maxNew: Int = 16) -> RequestSpec {
        RequestSpec(id: RequestID(id), adapter: nil, promptTokenCount: prompt, maxNewTokens: maxNew, arrivedAt: at)
    }

    @Test func youngestIsPreemptedAndRecomputesPromptPlusGeneratedTokens() throws {
        var ex = try ToyExecutor(config: Self.tight, seed: 1)
        ex.submit(Self.spec(1, at: 0))
        ex.submit(Self.spec(2, at: 1))
        var preempted: [RequestID] = []
        var resumedWith: StepEntry?
        var generatedAtPreemption: Int?
        for _ in 0 ..< 200 where !ex.live.isEmpty {
            let before = ex.scheduler.generatedTokens(of: RequestID(2))
            let (step, events) = ex.runStep()
            preempted += step.preempted
            if step.preempted.contains(RequestID(2)) {
                generatedAtPreemption = before
                #expect(events.contains(.preempted(RequestID(2))))
            }
            if generatedAtPreemption != nil, resumedWith == nil,
               let entry = step.entries.first(where: { $0.request == RequestID(2) }) {
                resumedWith = entry
            }
        }
        #expect(ex.live.isEmpty)
        #expect(!preempted.isEmpty && preempted.allSatisfy { $0 == RequestID(2) }, "preempted \(preempted)")
        let generated = try #require(generatedAtPreemption)
        #expect(generated > 0)
        // The resume is a prefill from 0 over prompt + generated tokens, ending in a sample.
        let entry = try #require(resumedWith)
        #expect(entry.kind == .prefill(start: 0, count: 12 + generated))
        #expect(entry.samplesNextToken)
        #expect(ex.outcomes == [RequestID(1): .length, RequestID(2): .length])
        #expect(ex.scheduler.stats.preemptions == preempted.count)
        #expect(ex.scheduler.stats.kvBlocksUsed == 0)
    }

    @Test func aVictimAlreadyPlannedInThisStepIsTakenOutAndItsBudgetReturned() throws {
        var config = Self.tight
        config.kvBlockCount = 7
        config.maxModelLength = 28
        var s = try BatchScheduler(config: config)
        // Request 2 arrives later but is admitted first, so its decode is planned first in each
        // step; request 1 is 5 tokens ahead and so crosses into a new block when the pool is
        // exhausted while 2 does not (step 9: 2 at 12 tokens, 1 growing to 17).
        try s.submit(Self.spec(2, at: 5, prompt: 4, maxNew: 16), now: 0)
        _ = s.update(s.plan(now: 0), results: [], now: 0)
        try s.submit(Self.spec(1, at: 0, prompt: 10, maxNew: 16), now: 0)
        var sawIt = false
        for t in 1 ..< 40 {
            let step = s.plan(now: Double(t))
            if step.preempted == [RequestID(2)] {
                #expect(step.entries.map(\.request) == [RequestID(1)])
                #expect(step.tokenCount == 1)
                sawIt = true
                break
            }
            _ = s.update(step, results: [], now: Double(t))
        }
        #expect(sawIt)
        #expect(s.stats.kvBlocksUsed + s.stats.kvBlocksFree == s.stats.kvBlocksTotal)
        #expect(s.blockTable(for: RequestID(2)).isEmpty)
    }

    @Test func aStepThatPreemptsAdmitsNobody() throws {
        var ex = try ToyExecutor(config: Self.tight, seed: 3)
        ex.submit(Self.spec(1, at: 0))
        ex.submit(Self.spec(2, at: 1))
        ex.submit(Self.spec(3, at: 2, prompt: 1, maxNew: 1))
        for _ in 0 ..< 200 where !ex.live.isEmpty {
            let (step, _) = ex.runStep()
            if !step.preempted.isEmpty {
                #expect(step.entries.allSatisfy { $0.position > 0 }, "admitted a request in a preempting step")
            }
        }
        #expect(ex.live.isEmpty)
        #expect(ex.preemptionsSeen > 0)
    }
}
