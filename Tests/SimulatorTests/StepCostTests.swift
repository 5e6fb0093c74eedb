import BatchScheduler
import Foundation
import Placement
import ServeCore
import Simulator
import Testing

/// CPU-calibration step costs (ε per sampled sequence, large-step regimes), simultaneous
/// arrivals batched before planning, and the trace-recording entry point the drift test uses.
@Suite struct StepCostTests {
    static let scheduler = SchedulerConfig(maxBatchTokens: 64, maxRunningSequences: 8, kvBlockTokens: 8, kvBlockCount: 64,
                                           maxModelLength: 128, maxAdaptersPerStep: 4, maxPrefillChunkTokens: 32, maxWaiting: 64)

    static let cost: CostModel = {
        let c = CostCoefficients(alphaSeconds: 0.01, betaSecondsPerToken: 0.001, gammaSecondsPerTokenRank: 0.0001, deltaSecondsPerAdapter: 0)
        return CostModel(exact: c, padded: c, batchMax: c, diskBytesPerSecond: 1e9, hostBytesPerSecond: 1e9, peerBytesPerSecond: 1e9,
                         loadSetupSeconds: 0, source: "test")
    }()

    static func workload(_ requests: [(Double, Int, Int)]) -> Workload {
        let adapters = [Workload.Adapter(id: AdapterID("a0"), rank: 8, bytes: 1 << 20), Workload.Adapter(id: AdapterID("a1"), rank: 16, bytes: 1 << 20)]
        return Workload(adapters: adapters, requests: requests.enumerated().map {
            Workload.Request(arrivalSeconds: $0.element.0, adapter: $0.offset % 2, promptTokens: $0.element.1, outputTokens: $0.element.2)
        })
    }

    static func fleet(epsilon: Double? = nil, regimes: [StepCostRegime]? = nil) -> FleetSpec {
        FleetSpec(count: 1, computeMode: .exact, maxResidentAdapters: 4, scheduler: scheduler, costModel: cost,
                  sampledSequenceSeconds: epsilon, stepRegimes: regimes)
    }

    @Test func simultaneousArrivalsAreAllQueuedBeforeTheFirstPlan() throws {
        let (_, traces) = try Simulation.runRecordingTraces(Self.workload([(0, 10, 3), (0, 12, 3), (0, 9, 3)]), name: "t",
                                                            policy: .roundRobin, workers: Self.fleet(), seed: 1)
        let first = try #require(traces.first?.first)
        #expect(Set(first.spans.map(\.request)) == [0, 1, 2])
    }

    @Test func eachSampledSequenceCostsEpsilon() throws {
        // One request: every step samples exactly one sequence (last prefill chunk, then each decode).
        let w = Self.workload([(0, 40, 5)])
        let base = try Simulation.run(w, name: "t", policy: .roundRobin, workers: Self.fleet(), seed: 1)
        let slow = try Simulation.run(w, name: "t", policy: .roundRobin, workers: Self.fleet(epsilon: 0.5), seed: 1)
        // 40-token prompt in chunks of 32 + 8: the first chunk samples nothing; 5 outputs = 5 samples.
        #expect(abs((slow.makespanSeconds - base.makespanSeconds) - 2.5) < 1e-9)
    }

    @Test func largeStepRegimeAppliesFromItsMinTokens() {
        var big = Self.cost
        big.exact.betaSecondsPerToken = 0.004
        let fleet = Self.fleet(epsilon: 0.002, regimes: [StepCostRegime(minTokens: 48, costModel: big, sampledSequenceSeconds: 0)])
        let small = StepShape(tokens: 47), large = StepShape(tokens: 48)
        #expect(abs(fleet.stepSeconds(small, sampled: 2, mode: .exact) - (0.01 + 0.047 + 0.004)) < 1e-12)
        #expect(abs(fleet.stepSeconds(large, sampled: 2, mode: .exact) - (0.01 + 0.192)) < 1e-12)
    }

    @Test func fleetSpecWithoutCalibrationKeysStillDecodes() throws {
        let plain = FleetSpec(count: 2)
        let json = try JSONEncoder().encode(plain)
        #expect(!String(decoding: json, as: UTF8.self).contains("stepRegimes"))
        #expect(try JSONDecoder().decode(FleetSpec.self, from: json) == plain)
        let calibrated = Self.fleet(epsilon: 0.001, regimes: [StepCostRegime(minTokens: 48, costModel: Self.cost)])
        #expect(try JSONDecoder().decode(FleetSpec.self, from: JSONEncoder().encode(calibrated)) == calibrated)
    }

    @Test func recordedTracesFoldToTheWorkerTraceHashes() throws {
        let w = Self.workload([(0, 30, 4), (0, 50, 6), (0.5, 20, 3), (1, 64, 2)])
        let (result, traces) = try Simulation.runRecordingTraces(w, name: "t", policy: .roundRobin, workers: Self.fleet(), seed: 1)
        let plain = try Simulation.run(w, name: "t", policy: .roundRobin, workers: Self.fleet(), seed: 1)
        #expect(result.completed == 4)
        var hash = StepDigest.emptyTraceHash
        for d in traces[0] { d.fold(into: &hash) }
        #expect(result.workerTraceHashes == [hash])
        #expect(plain.workerTraceHashes == [hash])
    }
}
