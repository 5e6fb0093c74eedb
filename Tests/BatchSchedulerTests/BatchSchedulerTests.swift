import BatchScheduler
import ServeCore
import Testing

/// Single-request behaviour, admission errors, budgets and the plan/update protocol.
@Suite struct BatchSchedulerTests {
    static let small = SchedulerConfig(maxBatchTokens: 64, maxRunningSequences: 8, kvBlockTokens: 4,
                                       kvBlockCount: 64, maxModelLength: 128, maxAdaptersPerStep: 2,
                                       maxPrefillChunkTokens: 16, maxWaiting: 4, agingSteps: 4)

    static func spec(_ id: UInt64, _ adapter: String? = nil, prompt: Int = 10, maxNew: Int = 4,
                     at: Double = 0) -> RequestSpec {
        RequestSpec(id: RequestID(id), adapter: adapter.map(AdapterID.init), promptTokenCount: prompt,
                    maxNewTokens: maxNew, arrivedAt: at, rank: adapter == nil ? 0 : 8)
    }

    @Test func oneRequestIsChunkedThenDecodedThenFinishedWithLength() throws {
        var s = try BatchScheduler(config: Self.small)
        try s.submit(Self.spec(1, "a", prompt: 40, maxNew: 3), now: 0)
        var kinds: [StepEntry.Kind] = []
        var samples: [Bool] = []
        var events: [SchedulerEvent] = []
        for t in 0 ..< 10 {
            let step = s.plan(now: Double(t))
            if step.isEmpty { break }
            #expect(step.adapters == [AdapterID("a")])
            kinds += step.entries.map(\.kind)
            samples += step.entries.map(\.samplesNextToken)
            events += s.update(step, results: [], now: Double(t))
        }
        #expect(kinds == [.prefill(start: 0, count: 16), .prefill(start: 16, count: 16), .prefill(start: 32, count: 8),
                          .decode(position: 40), .decode(position: 41)])
        #expect(samples == [false, false, true, true, true])
        #expect(events == [.firstToken(RequestID(1)), .finished(RequestID(1), .length, generatedTokens: 3)])
        let stats = s.stats
        #expect(stats.kvBlocksUsed == 0 && stats.running == 0 && stats.finished == 1)
        #expect(stats.prefillTokens == 40 && stats.generatedTokens == 3)
        #expect(stats.load(of: AdapterID("a")).generatedTokens == 3)
        #expect(stats.steps == 5)
    }

    @Test func stopFromTheExecutorFinishesEarly() throws {
        var s = try BatchScheduler(config: Self.small)
        try s.submit(Self.spec(1, prompt: 8, maxNew: 50), now: 0)
        _ = s.update(s.plan(now: 0), results: [], now: 0)
        let step = s.plan(now: 1)
        let events = s.update(step, results: [SequenceResult(id: RequestID(1), finished: .stop)], now: 1)
        #expect(events == [.finished(RequestID(1), .stop, generatedTokens: 2)])
        #expect(!s.contains(RequestID(1)))
    }

    @Test func errorResultFinishesWithoutCountingAToken() throws {
        var s = try BatchScheduler(config: Self.small)
        try s.submit(Self.spec(1, prompt: 8), now: 0)
        let events = s.update(s.plan(now: 0), results: [SequenceResult(id: RequestID(1), finished: .error)], now: 0)
        #expect(events == [.finished(RequestID(1), .error, generatedTokens: 0)])
        #expect(s.stats.kvBlocksUsed == 0)
    }

    @Test func decodesComeFirstAndPrefillFillsTheRemainingBudget() throws {
        var config = Self.small
        config.maxPrefillChunkTokens = 64
        var s = try BatchScheduler(config: config)
        for id in 1 ... 3 as ClosedRange<UInt64> { try s.submit(Self.spec(id, prompt: 8, maxNew: 10), now: 0) }
        _ = s.update(s.plan(now: 0), results: [], now: 0)
        try s.submit(Self.spec(4, prompt: 100, maxNew: 4), now: 1)
        let step = s.plan(now: 1)
        #expect(step.entries.prefix(3).allSatisfy { $0.isDecode })
        #expect(step.entries.last?.kind == .prefill(start: 0, count: 61))
        #expect(step.tokenCount == 64)
    }

    @Test func admissionErrors() throws {
        var s = try BatchScheduler(config: Self.small)
        #expect(throws: AdmissionError.tooLong(limit: 128, requested: 129)) {
            try s.submit(Self.spec(1, prompt: 100, maxNew: 29), now: 0)
        }
        #expect(throws: AdmissionError.self) { try s.submit(Self.spec(1, prompt: 0), now: 0) }
        #expect(throws: AdmissionError.self) { try s.submit(Self.spec(1, maxNew: 0), now: 0) }
        #expect(throws: AdmissionError.self) { try s.submit(Self.spec(1, at: .nan), now: 0) }
        #expect(throws: AdmissionError.self) {
            try s.submit(RequestSpec(id: RequestID(1), adapter: nil, promptTokenCount: 4, maxNewTokens: 4,
                                     arrivedAt: 0, rank: 8), now: 0)
        }
        #expect(throws: AdmissionError.self) {
            try s.submit(RequestSpec(id: RequestID(1), adapter: nil, promptTokenCount: .max, maxNewTokens: .max,
                                     arrivedAt: 0), now: 0)
        }
        try s.submit(Self.spec(1), now: 0)
        #expect(throws: AdmissionError.invalid(reason: "duplicate request id req-1")) { try s.submit(Self.spec(1), now: 0) }
        #expect(s.stats.submitted == 1 && s.stats.rejected == 0)
    }

    @Test func fullQueueRejectsWithRetryAfterUntilAdmissionFreesRoom() throws {
        var s = try BatchScheduler(config: Self.small)
        for id in 1 ... 4 as ClosedRange<UInt64> { try s.submit(Self.spec(id), now: 0) }
        do {
            try s.submit(Self.spec(5), now: 0)
            Issue.record("fifth request accepted by a queue of 4")
        } catch let .queueFull(retry) {
            #expect(retry >= Self.small.minRetryAfterSeconds && retry <= Self.small.maxRetryAfterSeconds)
        } catch {
            Issue.record("unexpected \(error)")
        }
        #expect(s.stats.rejected == 1)
        _ = s.update(s.plan(now: 1), results: [], now: 1)
        try s.submit(Self.spec(5), now: 1)
        #expect(s.stats.waiting == 1 && s.stats.running == 4)
    }

    @Test func planIsIdempotentUntilUpdateAndStaleUpdatesAreIgnored() throws {
        var s = try BatchScheduler(config: Self.small)
        try s.submit(Self.spec(1, prompt: 40), now: 0)
        let first = s.plan(now: 0)
        try s.submit(Self.spec(2), now: 0)
        #expect(s.plan(now: 1) == first)
        _ = s.update(first, results: [], now: 1)
        #expect(s.update(first, results: [], now: 1).isEmpty)
        let second = s.plan(now: 2)
        #expect(second.index == first.index + 1)
        #expect(second.entries.map(\.request) == [RequestID(1), RequestID(2)])
        #expect(s.update(Step(index: 99), results: [], now: 2).isEmpty)
        #expect(s.plan(now: 3) == second)
    }

    @Test func emptyPlanConsumesNoIndex() throws {
        var s = try BatchScheduler(config: Self.small)
        let empty = s.plan(now: 0)
        #expect(empty.isEmpty && empty.index == 0)
        try s.submit(Self.spec(1), now: 0)
        #expect(s.plan(now: 0).index == 0)
    }

    @Test func feedsAndBlockTablesDescribeTheBatch() throws {
        var s = try BatchScheduler(config: Self.small)
        try s.submit(Self.spec(1, "a", prompt: 20), now: 0)
        try s.submit(Self.spec(2, prompt: 5), now: 0)
        let step = s.plan(now: 0)
        #expect(step.feeds == [
            TokenFeed(request: RequestID(1), adapter: AdapterID("a"), positions: 0 ..< 16, samplesNextToken: false),
            TokenFeed(request: RequestID(2), adapter: nil, positions: 0 ..< 5, samplesNextToken: true),
        ])
        #expect(s.blockTable(for: RequestID(1)) == [0, 1, 2, 3])
        #expect(s.blockTable(for: RequestID(2)) == [4, 5])
        #expect(step.digest.description == "#0 req-1@0+16 req-2@0+5")
    }
}
