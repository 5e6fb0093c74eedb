import BatchScheduler
import ServeCore
import Testing

/// Invariants over many seeded random workloads (budgets, KV conservation, liveness).
@Suite struct BatchSchedulerPropertyTests {
    @Test(arguments: 0 ..< 64 as Range<UInt64>)
    func randomWorkloadKeepsInvariantsAndFinishesEverything(seed: UInt64) throws {
        // Per-step invariants (budget, adapters, KV coverage, conservation, positions) are checked
        // inside ToyExecutor.runStep; here: liveness and no leaks at the end.
        let run = try RandomWorkload.run(seed: seed)
        let ex = run.executor
        #expect(ex.live.isEmpty, "seed \(seed): \(ex.live.count) requests never finished")
        for id in run.accepted {
            #expect(ex.outcomes[id] != nil, "seed \(seed): \(id) has no outcome")
        }
        let s = ex.scheduler.stats
        #expect(s.kvBlocksUsed == 0)
        #expect(s.kvBlocksFree == s.kvBlocksTotal)
        #expect(s.running == 0 && s.waiting == 0)
        #expect(s.finished + s.cancelled == run.accepted.count)
        #expect(s.rejected == run.rejected)
    }

    @Test func randomWorkloadsExercisePreemptionAndRejection() throws {
        // Guards the property test itself: the random configs must actually reach the hard paths.
        var preemptions = 0
        var rejections = 0
        for seed in 0 ..< 16 as Range<UInt64> {
            let run = try RandomWorkload.run(seed: seed)
            preemptions += run.executor.preemptionsSeen
            rejections += run.rejected
        }
        #expect(preemptions > 0)
        #expect(rejections > 0)
    }

    @Test(arguments: [3, 17, 40] as [UInt64])
    func sameInputsGiveSameSteps(seed: UInt64) throws {
        let a = try RandomWorkload.run(seed: seed, recordsTrace: true)
        let b = try RandomWorkload.run(seed: seed, recordsTrace: true)
        #expect(!a.executor.scheduler.trace.isEmpty)
        #expect(a.executor.scheduler.trace == b.executor.scheduler.trace)
        #expect(a.executor.scheduler.traceHash == b.executor.scheduler.traceHash)
        #expect(a.executor.outcomes == b.executor.outcomes)
        let other = try RandomWorkload.run(seed: seed + 1000)
        #expect(other.executor.scheduler.traceHash != a.executor.scheduler.traceHash)
    }

    @Test(arguments: [0, 9, 33] as [UInt64])
    func decisionsDoNotDependOnTheClock(seed: UInt64) throws {
        // Engine (wall time) and simulator (simulated time) run at different speeds: the same
        // call sequence must give the same steps whatever `now` says.
        let fast = try RandomWorkload.run(seed: seed, secondsPerStep: 0.001)
        let slow = try RandomWorkload.run(seed: seed, secondsPerStep: 7.5)
        #expect(fast.executor.scheduler.traceHash == slow.executor.scheduler.traceHash)
        #expect(fast.executor.outcomes == slow.executor.outcomes)
    }

    @Test func traceHashFoldsTheRecordedDigests() throws {
        let run = try RandomWorkload.run(seed: 5, recordsTrace: true)
        var hash = StepDigest.emptyTraceHash
        for digest in run.executor.scheduler.trace { digest.fold(into: &hash) }
        #expect(hash == run.executor.scheduler.traceHash)
        #expect(run.executor.scheduler.trace.map(\.index) == Array(0 ..< UInt64(run.executor.scheduler.trace.count)))
    }
}
