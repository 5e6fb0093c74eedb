import BatchScheduler
import ServeCore
import Testing

/// No adapter or request starves while hot adapters keep arriving.
@Suite struct FairnessTests {
    static let hot = AdapterID("hot")
    static let cold = AdapterID("cold")

    static func config(adapterLimit: Int, agingSteps: Int) -> SchedulerConfig {
        SchedulerConfig(maxBatchTokens: 64, maxRunningSequences: 8, kvBlockTokens: 4, kvBlockCount: 256,
                        maxModelLength: 128, maxAdaptersPerStep: adapterLimit, maxPrefillChunkTokens: 32,
                        maxWaiting: 100_000, fairnessQuantumTokens: 32, agingSteps: agingSteps)
    }

    /// Steps one request of this shape needs once admitted: prefill chunks, then decodes.
    static let prompt = 16, maxNew = 16
    static let serviceSteps = (prompt + 31) / 32 + maxNew

    /// `hotAdapters` each submit `perStep` requests every step (a flood the worker cannot keep
    /// up with); after `coldAfter` steps one cold request arrives. Returns the steps it waited
    /// until first scheduled, or nil if it was not scheduled within `horizon` steps.
    static func coldWait(config: SchedulerConfig, hotAdapters: [AdapterID], perStep: Int = 1,
                         coldAfter: Int = 40, horizon: Int = 600) throws -> Int? {
        var ex = try ToyExecutor(config: config, seed: 1)
        var id: UInt64 = 0
        let coldID = RequestID(1_000_000)
        for step in 0 ..< horizon {
            for adapter in hotAdapters {
                for _ in 0 ..< perStep {
                    id += 1
                    ex.submit(RequestSpec(id: RequestID(id), adapter: adapter, promptTokenCount: prompt,
                                          maxNewTokens: maxNew, arrivedAt: ex.now, rank: 64))
                }
            }
            if step == coldAfter {
                #expect(ex.submit(RequestSpec(id: coldID, adapter: cold, promptTokenCount: prompt,
                                              maxNewTokens: maxNew, arrivedAt: ex.now, rank: 8)) == nil)
            }
            ex.runStep()
            if let first = ex.firstScheduled[coldID], let submitted = ex.submittedAtStep[coldID] {
                return Int(first - submitted)
            }
        }
        return nil
    }

    @Test(arguments: [0, 8, 32])
    func coldAdapterIsServedWithinTheAgingBoundWhenTheHotOneHoldsTheOnlySlot(agingSteps: Int) throws {
        let wait = try #require(try Self.coldWait(config: Self.config(adapterLimit: 1, agingSteps: agingSteps),
                                                  hotAdapters: [Self.hot]))
        // Bound stated in docs/scheduler.md: aging, then at most one hot turn plus one drain of
        // the running set (each at most one request's service time).
        #expect(wait <= agingSteps + 2 * Self.serviceSteps + 2, "waited \(wait) steps")
    }

    @Test func withoutAgingTheColdAdapterStarvesUnderTheSameFlood() throws {
        // Control: the bound above comes from aging, not from luck in the workload.
        let wait = try Self.coldWait(config: Self.config(adapterLimit: 1, agingSteps: 1_000_000),
                                     hotAdapters: [Self.hot], horizon: 400)
        #expect(wait == nil)
    }

    @Test func deficitRoundRobinLetsAColdAdapterPassAHotBacklog() throws {
        // Adapter slots to spare: the cold request need not wait for the hot backlog (FIFO
        // would make it wait for hundreds of requests), only for the next free sequence slot.
        let wait = try #require(try Self.coldWait(config: Self.config(adapterLimit: 4, agingSteps: 1_000_000),
                                                  hotAdapters: [Self.hot], perStep: 2))
        #expect(wait <= Self.serviceSteps + 1, "waited \(wait) steps")
    }

    @Test(arguments: [1, 2, 3])
    func coldAdapterIsServedWhileSeveralHotAdaptersFlood(adapterLimit: Int) throws {
        let hots = (0 ..< 4).map { AdapterID("hot\($0)") }
        let aging = 16
        let wait = try #require(try Self.coldWait(config: Self.config(adapterLimit: adapterLimit, agingSteps: aging),
                                                  hotAdapters: hots))
        // One turn per other lane before the cursor reaches the cold lane, then one drain.
        #expect(wait <= aging + (hots.count + 1) * Self.serviceSteps + 2, "waited \(wait) steps")
    }

    @Test func requestsOfOneAdapterAreServedInArrivalOrder() throws {
        var config = Self.config(adapterLimit: 2, agingSteps: 8)
        config.maxRunningSequences = 1
        var ex = try ToyExecutor(config: config, seed: 2)
        // Submitted out of order: the lane orders by arrival time, then id.
        for (id, at) in [(3, 2.0), (1, 0.0), (2, 1.0), (4, 1.0)] as [(UInt64, Double)] {
            ex.submit(RequestSpec(id: RequestID(id), adapter: Self.hot, promptTokenCount: 64, maxNewTokens: 2,
                                  arrivedAt: at, rank: 8))
        }
        ex.drain(maxSteps: 100)
        let order = ex.firstScheduled.sorted { ($0.value, $0.key) < ($1.value, $1.key) }.map(\.key.rawValue)
        #expect(order == [1, 2, 4, 3])
    }

    @Test(arguments: [1, 4] as [UInt64])
    func everyOneOfManyZipfAdaptersIsServedWithinABound(seed: UInt64) throws {
        // 100 adapters with skewed popularity, 4 adapter slots, arrivals above capacity for a
        // while: every request of every adapter must start within the bound, not only finish.
        var config = Self.config(adapterLimit: 4, agingSteps: 16)
        config.maxWaiting = 400
        var ex = try ToyExecutor(config: config, seed: seed)
        var rng = SplitMix64(seed: seed)
        let adapters = (0 ..< 100).map { AdapterID("z\($0)") }
        var id: UInt64 = 0
        for _ in 0 ..< 400 {
            for _ in 0 ..< 2 {
                // Squaring a uniform draw skews towards low indices (the hot adapters).
                let u = rng.nextUnitDouble()
                id += 1
                ex.submit(RequestSpec(id: RequestID(id), adapter: adapters[Int(u * u * 100)],
                                      promptTokenCount: 1 + Int(rng.next() % 32), maxNewTokens: 1 + Int(rng.next() % 16),
                                      arrivedAt: ex.now, rank: 8))
            }
            ex.runStep()
        }
        ex.drain(maxSteps: 20_000)
        #expect(ex.live.isEmpty)
        let waits = ex.firstScheduled.compactMap { id, step in ex.submittedAtStep[id].map { Int(step - $0) } }
        let worst = try #require(waits.max())
        // FIFO within a lane means a request also waits for its own lane's backlog (at most
        // maxWaiting requests ahead of it), so the bound scales with the queue limit.
        #expect(worst <= config.maxWaiting * Self.serviceSteps / config.maxRunningSequences + 200, "worst wait \(worst)")
    }
}
