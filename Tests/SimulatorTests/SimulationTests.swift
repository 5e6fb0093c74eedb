import Placement
import ServeCore
@testable import Simulator
import Testing

@Suite struct SimulationTests {
    static func spec(rate: Double = 8, duration: Double = 120, adapters: Int = 60, zipf: Double = 1.0,
                     drift: [Double] = []) -> WorkloadSpec {
        WorkloadSpec(name: "test", durationSeconds: duration, arrivals: .init(kind: "poisson", ratePerSecond: rate),
                     lengths: .init(kind: "lognormal", promptMean: 400, outputMean: 80, maxPrompt: 1024, maxOutput: 256),
                     adapters: .init(count: adapters, zipfExponent: zipf), drift: .init(atSeconds: drift),
                     slo: .init(ttftSeconds: 1, tpotSeconds: 0.1))
    }

    /// A100 preset slowed 10× per token: saturates with few requests, so tests stay fast in debug builds.
    static let slowCost: CostModel = {
        var c = CostModel.a100Llama7B
        for k in [\CostModel.exact, \.padded, \.batchMax] {
            c[keyPath: k].betaSecondsPerToken *= 10
            c[keyPath: k].gammaSecondsPerTokenRank *= 10
        }
        return c
    }()

    static func fleet(_ n: Int, mode: ComputeMode? = nil) -> FleetSpec {
        FleetSpec(count: n, computeMode: mode, maxResidentAdapters: 24,
                  scheduler: .init(maxBatchTokens: 512, maxRunningSequences: 32, kvBlockTokens: 16, kvBlockCount: 2048,
                                   maxModelLength: 2048, maxAdaptersPerStep: 8, maxPrefillChunkTokens: 512, maxWaiting: 2048),
                  costModel: slowCost, controlIntervalSeconds: 5, drainLimitSeconds: 300)
    }

    @Test(arguments: [SimPolicy.ours, .vllm, .llmd, .dynamo, .slora])
    func sameSeedIdenticalResults(policy: SimPolicy) throws {
        let a = try Simulation.run(Self.spec(drift: [60]), policy: policy, workers: Self.fleet(4), seed: 11)
        let b = try Simulation.run(Self.spec(drift: [60]), policy: policy, workers: Self.fleet(4), seed: 11)
        #expect(a == b)
        #expect(a.steps > 0)
    }

    @Test func differentSeedsDiffer() throws {
        let a = try Simulation.run(Self.spec(), policy: .ours, workers: Self.fleet(4), seed: 1)
        let b = try Simulation.run(Self.spec(), policy: .ours, workers: Self.fleet(4), seed: 2)
        #expect(a.schedulerTraceHash != b.schedulerTraceHash)
    }

    @Test(arguments: SimPolicy.allCases)
    func everyRequestCompletesOrIsCountedFailed(policy: SimPolicy) throws {
        let r = try Simulation.run(Self.spec(rate: 10, drift: [60]), policy: policy, workers: Self.fleet(4), seed: 3)
        #expect(r.completed + r.failed == r.requests)
        #expect(r.requests > 1_000)
        #expect(r.completed > 0)
        #expect(r.perRank.reduce(0) { $0 + $1.requests } == r.requests)
    }

    @Test func overloadCountsFailuresNotLosses() throws {
        // Far beyond capacity with a short drain limit: many requests cannot finish.
        var fleet = Self.fleet(1)
        fleet.drainLimitSeconds = 5
        let r = try Simulation.run(Self.spec(rate: 60, duration: 30), policy: .ours, workers: fleet, seed: 3)
        #expect(r.failed > 0)
        #expect(r.completed + r.failed == r.requests)
    }

    @Test func eventOrderingInvariants() throws {
        let w = try Workload.generate(Self.spec(drift: [50]), seed: 4)
        var last: SimEvent?
        var violations = 0, count = 0
        _ = try Simulation.run(w, name: "t", policy: .ours, workers: Self.fleet(4), seed: 4) { e in
            count += 1
            if let l = last, !(l.time < e.time || (l.time == e.time && l.sequence < e.sequence)) { violations += 1 }
            last = e
        }
        #expect(count > 1_000)
        #expect(violations == 0)
    }

    @Test func paddedFleetIsSlowerThanExactForMixedRanks() throws {
        let spec = Self.spec(rate: 9)
        let exact = try Simulation.run(spec, policy: .roundRobin, workers: Self.fleet(4, mode: .exact), seed: 5)
        let padded = try Simulation.run(spec, policy: .roundRobin, workers: Self.fleet(4, mode: .padded(maxRank: 128)), seed: 5)
        #expect(padded.ttft.p50 > exact.ttft.p50)
        #expect(padded.e2e.mean > exact.e2e.mean)
    }

    @Test func oursBeatsRoundRobinOnASkewedWorkload() throws {
        // Many adapters, few resident slots: round-robin spreads every adapter everywhere and
        // keeps reloading; placement keeps each adapter where its traffic goes.
        let spec = Self.spec(rate: 15, adapters: 400, zipf: 1.2)
        var fleet = Self.fleet(4)
        fleet.maxResidentAdapters = 12
        let ours = try Simulation.run(spec, policy: .ours, workers: fleet, seed: 6)
        let rr = try Simulation.run(spec, policy: .roundRobin, workers: fleet, seed: 6)
        print("ours ttft p50/p99 \(ours.ttft.p50)/\(ours.ttft.p99) slo \(ours.sloAttainment) | rr \(rr.ttft.p50)/\(rr.ttft.p99) slo \(rr.sloAttainment)")
        #expect(ours.sloAttainment >= rr.sloAttainment)
        #expect(ours.ttft.p99 <= rr.ttft.p99)
    }

    @Test func rebalancesAfterDrift() throws {
        let r = try Simulation.run(Self.spec(rate: 16, duration: 240, adapters: 100, zipf: 1.4, drift: [120]),
                                   policy: .ours, workers: Self.fleet(4), seed: 8)
        print("drift: replans \(r.replans) actions \(r.placementActions) \(r.timeline.prefix(3))")
        #expect(r.replans >= 1)
        #expect(r.placementActions > 0)
        #expect(r.timeline.contains { $0.timeSeconds > 120 })
        let s = try Simulation.run(Self.spec(rate: 16, duration: 240, adapters: 100, zipf: 1.4, drift: [120]),
                                   policy: .oursStatic, workers: Self.fleet(4), seed: 8)
        #expect(s.replans == 0)
    }
}

@Suite struct RemoteAccessSimulationTests {
    @Test func saturatedReplicasAreServedViaPeerFetch() throws {
        // One very hot adapter (Zipf 2) at high load: its replicas saturate in bursts.
        var spec = SimulationTests.spec(rate: 18, duration: 90, adapters: 40, zipf: 2.0)
        spec.arrivals = .init(kind: "gamma", ratePerSecond: 18, cv: 3)
        let ours = try Simulation.run(spec, policy: .ours, workers: SimulationTests.fleet(4), seed: 12)
        let off = try Simulation.run(spec, policy: .oursNoRemote, workers: SimulationTests.fleet(4), seed: 12)
        print("remote: fetches \(ours.remoteFetches) loads \(ours.adapterLoads) ttft p99 \(ours.ttft.p99) vs no-remote \(off.ttft.p99)")
        #expect(ours.remoteFetches > 0)
        #expect((ours.adapterLoads["peer"] ?? 0) > 0)
        #expect(off.remoteFetches == 0)
        #expect(ours.completed + ours.failed == ours.requests)
    }

    @Test func speedReport() throws {
        // Prints events/s (debug builds are far slower than release; see docs/simulator.md).
        let clock = ContinuousClock()
        var r: SimulationResult?
        let t = try clock.measure {
            r = try Simulation.run(SimulationTests.spec(rate: 10, duration: 120), policy: .ours, workers: SimulationTests.fleet(4), seed: 1)
        }
        let result = try #require(r)
        let secs = Double(t.components.seconds) + Double(t.components.attoseconds) * 1e-18
        print("simulator speed: \(result.events) events, \(result.requests) requests in \(secs) s = \(Int(Double(result.events) / max(secs, 1e-9))) events/s")
        #expect(result.events > result.requests)
    }
}

@Suite struct SimulationSearchTests {
    @Test func maxRateAndMinWorkersAreConsistent() throws {
        let spec = SimulationTests.spec(rate: 8, duration: 60, adapters: 30)
        let fleet = SimulationTests.fleet(2)
        let rate = try SimulationSearch.maxSustainableRate(spec, policy: .ours, workers: fleet, seed: 1, target: 0.9,
                                                           low: 1, high: 40, iterations: 4)
        let found = try #require(rate.value)
        #expect(found > 1 && found < 40)
        #expect(rate.probes.filter(\.meets).allSatisfy { $0.ratePerSecond <= found })
        var busy = spec
        busy.arrivals.ratePerSecond = found * 2
        let workers = try SimulationSearch.minWorkers(busy, policy: .ours, fleet: fleet, seed: 1, target: 0.9, maxWorkers: 8)
        let n = try #require(workers.value)
        #expect(n >= 3)
        #expect((workers.result?.sloAttainment ?? 0) >= 0.9)
    }
}

@Suite struct TieredFleetTests {
    @Test(arguments: [SimPolicy.ours, .vllm, .llmd])
    func rankTieredPaddedFleetServesEveryRank(policy: SimPolicy) throws {
        var fleet = SimulationTests.fleet(4)
        fleet.workerModes = [.padded(maxRank: 16), .padded(maxRank: 16), .padded(maxRank: 32), .padded(maxRank: 128)]
        let r = try Simulation.run(SimulationTests.spec(rate: 6, duration: 60), policy: policy, workers: fleet, seed: 2)
        #expect(r.failed == 0)
        #expect(r.computeMode == "padded(128),padded(16),padded(32)")
        #expect(r.perRank.allSatisfy { $0.requests == 0 || $0.ttft.count == $0.requests })
    }
}
