import BatchScheduler
import ServeCore
import Testing

/// Cancellation frees everything at once; non-resident adapters never block others.
@Suite struct CancellationAndReadinessTests {
    static let config = SchedulerConfig(maxBatchTokens: 64, maxRunningSequences: 8, kvBlockTokens: 4,
                                        kvBlockCount: 64, maxModelLength: 128, maxAdaptersPerStep: 2,
                                        maxPrefillChunkTokens: 32, maxWaiting: 16, agingSteps: 0)

    static func spec(_ id: UInt64, _ adapter: String?, prompt: Int = 20, maxNew: Int = 8) -> RequestSpec {
        RequestSpec(id: RequestID(id), adapter: adapter.map(AdapterID.init), promptTokenCount: prompt,
                    maxNewTokens: maxNew, arrivedAt: Double(id), rank: adapter == nil ? 0 : 16)
    }

    @Test func cancellingARunningRequestFreesItsBlocksAndSlotAtOnce() throws {
        var s = try BatchScheduler(config: Self.config)
        try s.submit(Self.spec(1, "a"), now: 0)
        _ = s.update(s.plan(now: 0), results: [], now: 0)
        #expect(s.stats.kvBlocksUsed == 5 && s.stats.running == 1)
        let cancelled = s.cancel(RequestID(1))
        #expect(cancelled)
        #expect(s.stats.kvBlocksUsed == 0 && s.stats.running == 0 && s.stats.cancelled == 1)
        #expect(s.stats.load(of: AdapterID("a")).running == 0)
        let again = s.cancel(RequestID(1)), unknown = s.cancel(RequestID(42))
        #expect(!again && !unknown)
        let next = s.plan(now: 1)
        #expect(next.isEmpty)
    }

    @Test func cancellingBetweenPlanAndUpdateIsIgnoredByUpdate() throws {
        var s = try BatchScheduler(config: Self.config)
        try s.submit(Self.spec(1, nil), now: 0)
        try s.submit(Self.spec(2, nil), now: 0)
        let step = s.plan(now: 0)
        let cancelled = s.cancel(RequestID(1))
        #expect(cancelled)
        let events = s.update(step, results: [SequenceResult(id: RequestID(1), finished: .stop)], now: 0)
        #expect(events == [.firstToken(RequestID(2))])
        #expect(s.stats.kvBlocksUsed == 5 && s.stats.finished == 0)
    }

    @Test func cancellingWaitingAndResumingRequestsEmptiesTheQueues() throws {
        var ex = try ToyExecutor(config: PreemptionTests.tight, seed: 9)
        ex.submit(PreemptionTests.spec(1, at: 0))
        ex.submit(PreemptionTests.spec(2, at: 1))
        ex.submit(PreemptionTests.spec(3, at: 2, prompt: 30, maxNew: 2))
        for _ in 0 ..< 100 where ex.scheduler.stats.resuming == 0 { ex.runStep() }
        #expect(ex.scheduler.stats.resuming == 1)
        ex.cancel(RequestID(2))
        ex.cancel(RequestID(3))
        #expect(ex.scheduler.stats.waiting == 0)
        ex.checkAccounting()
        ex.drain(maxSteps: 100)
        #expect(ex.live.isEmpty && ex.scheduler.stats.kvBlocksUsed == 0)
        #expect(ex.outcomes[RequestID(1)] == .length)
    }

    @Test func requestsOfANonResidentAdapterWaitWithoutBlockingOthers() throws {
        var ex = try ToyExecutor(config: Self.config, seed: 4)
        ex.submit(Self.spec(1, "loading"))
        ex.submit(Self.spec(2, "b"))
        ex.submit(Self.spec(3, nil))
        let notLoaded: (AdapterID) -> Bool = { $0 != AdapterID("loading") }
        let (step, _) = ex.runStep(isAdapterReady: notLoaded)
        #expect(Set(step.entries.map(\.request)) == [RequestID(2), RequestID(3)])
        #expect(ex.scheduler.wantedAdapters == [AdapterID("loading")])
        ex.drain(maxSteps: 50, isAdapterReady: notLoaded)
        // Aged (agingSteps 0) and still not resident: it must not hold admission for others.
        ex.submit(Self.spec(4, "c"))
        let (next, _) = ex.runStep(isAdapterReady: notLoaded)
        #expect(next.entries.map(\.request) == [RequestID(4)])
        ex.drain(maxSteps: 50, isAdapterReady: notLoaded)
        #expect(Set(ex.live.keys) == [RequestID(1)])
        ex.drain(maxSteps: 50)
        #expect(ex.outcomes[RequestID(1)] == .length)
    }

    @Test func aRunningRequestWhoseAdapterIsEvictedPausesAndResumesInPlace() throws {
        var ex = try ToyExecutor(config: Self.config, seed: 5)
        ex.submit(Self.spec(1, "a", prompt: 8))
        ex.submit(Self.spec(2, nil, prompt: 8))
        ex.runStep()
        let blocks = ex.scheduler.blockTable(for: RequestID(1))
        let (paused, _) = ex.runStep { $0 != AdapterID("a") }
        #expect(paused.entries.map(\.request) == [RequestID(2)])
        #expect(ex.scheduler.blockTable(for: RequestID(1)) == blocks)
        // ToyExecutor checks the resumed decode continues at the same position.
        ex.drain(maxSteps: 50)
        #expect(ex.outcomes[RequestID(1)] == .length && ex.outcomes[RequestID(2)] == .length)
    }
}
