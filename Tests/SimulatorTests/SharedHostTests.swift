import Foundation
import Placement
import Simulator
import Testing

/// Workers sharing one CPU host (`FleetSpec.host`): steps slow down while more worker threads
/// compute than there are cores, and the front-end latency adds to TTFT and latency only.
@Suite struct SharedHostTests {
    @Test func slowdownIsBusyThreadsOverCoresBeyondTheCores() {
        let host = SharedHost(cores: 2, threadsPerWorker: 1)
        #expect(host.slowdown(busyWorkers: 1) == 1)
        #expect(host.slowdown(busyWorkers: 2) == 1)
        #expect(host.slowdown(busyWorkers: 3) == 1.5)
        #expect(SharedHost(cores: 2, threadsPerWorker: 2).slowdown(busyWorkers: 2) == 2)
        #expect(SharedHost(cores: 0, threadsPerWorker: 1).slowdown(busyWorkers: 5) == 1, "no cores given: no model")
    }

    static func fleet(workers: Int, host: SharedHost?) -> FleetSpec {
        var f = FleetSpec(count: workers, computeMode: .exact, maxResidentAdapters: 4, scheduler: StepCostTests.scheduler,
                          costModel: StepCostTests.cost)
        f.host = host
        return f
    }

    @Test func frontEndAddsToTTFTAndNothingElse() throws {
        let w = StepCostTests.workload([(0, 20, 4), (5, 20, 4)])
        let plain = try Simulation.run(w, name: "t", policy: .roundRobin, workers: Self.fleet(workers: 1, host: nil), seed: 1)
        let fronted = try Simulation.run(w, name: "t", policy: .roundRobin,
                                         workers: Self.fleet(workers: 1, host: SharedHost(cores: 8, threadsPerWorker: 1, frontEndSeconds: 0.02)),
                                         seed: 1)
        #expect(abs(fronted.ttft.p50 - plain.ttft.p50 - 0.02) < 1e-9)
        #expect(fronted.makespanSeconds == plain.makespanSeconds, "the workers' steps are unchanged")
        #expect(fronted.workerTraceHashes == plain.workerTraceHashes)
    }

    @Test func workersComputingAtOnceOnTooFewCoresRunSlower() throws {
        // Two requests at once on two workers: each worker runs alone on 2 cores (no slowdown),
        // but on 1 core both steps run at half speed.
        let w = StepCostTests.workload([(0, 20, 4), (0, 20, 4)])
        let ample = try Simulation.run(w, name: "t", policy: .roundRobin,
                                       workers: Self.fleet(workers: 2, host: SharedHost(cores: 2, threadsPerWorker: 1)), seed: 1)
        let dedicated = try Simulation.run(w, name: "t", policy: .roundRobin, workers: Self.fleet(workers: 2, host: nil), seed: 1)
        let scarce = try Simulation.run(w, name: "t", policy: .roundRobin,
                                        workers: Self.fleet(workers: 2, host: SharedHost(cores: 1, threadsPerWorker: 1)), seed: 1)
        #expect(ample.makespanSeconds == dedicated.makespanSeconds)
        #expect(ample.completed == 2 && scarce.completed == 2)
        // Processor sharing: while both compute each runs at half speed (the first worker's first
        // step is re-timed when the second starts), then the one left runs at full speed. The two
        // requests differ in rank, so the makespan is the sum of both workers' work: more than
        // 1.5× and at most 2× the dedicated one (the larger of the two).
        #expect(scarce.makespanSeconds > dedicated.makespanSeconds * 1.5)
        #expect(scarce.makespanSeconds <= dedicated.makespanSeconds * 2 + 1e-9)
        #expect(scarce.ttft.p99 > dedicated.ttft.p99, "the second worker's first step shares the core")
    }

    /// A step that started alone is re-timed when another worker starts: with equal work on two
    /// workers sharing one core, a request arriving slightly later finishes exactly when the work
    /// of both is done (processor sharing), not when its own step alone would have.
    @Test func runningStepsAreRetimedWhenTheCountChanges() throws {
        let one = StepCostTests.workload([(0, 20, 1)])
        let single = try Simulation.run(one, name: "t", policy: .roundRobin,
                                        workers: Self.fleet(workers: 2, host: SharedHost(cores: 1, threadsPerWorker: 1)), seed: 1)
        // The same request twice on the same adapter (index 0 and 2 of the alternating workload),
        // the second a little later, routed to the other worker.
        var two = StepCostTests.workload([(0, 20, 1), (0, 20, 1), (0.001, 20, 1)])
        two.requests.remove(at: 1)
        let shared = try Simulation.run(two, name: "t", policy: .roundRobin,
                                        workers: Self.fleet(workers: 2, host: SharedHost(cores: 1, threadsPerWorker: 1)), seed: 1)
        #expect(shared.completed == 2)
        // Each request is one prefill step that samples its only token. Alone it takes S; shared,
        // the first step runs 1 ms alone, then both at half speed: the first ends at about 2S, the
        // second 1 ms later. Priced only at their start, the first would still end at S, so the
        // lower of the two TTFTs tells the models apart.
        let lower = min(shared.ttft.p50, shared.ttft.p99)
        #expect(lower > single.ttft.p50 * 1.9)
        #expect(shared.ttft.p99 < single.ttft.p50 * 2 + 1e-9)
    }

    @Test func fleetSpecWithAHostRoundTripsAndOldFilesDecode() throws {
        let f = Self.fleet(workers: 3, host: SharedHost(cores: 2, threadsPerWorker: 1, frontEndSeconds: 0.021))
        #expect(try JSONDecoder().decode(FleetSpec.self, from: JSONEncoder().encode(f)) == f)
        let old = Self.fleet(workers: 3, host: nil)
        let json = String(decoding: try JSONEncoder().encode(old), as: UTF8.self)
        #expect(!json.contains("\"host\""))
        #expect(try JSONDecoder().decode(FleetSpec.self, from: Data(json.utf8)).host == nil)
    }
}

extension SharedHostTests {
    @Test func backgroundLoadTakesCoresFromTheWorkers() throws {
        let host = SharedHost(cores: 2, threadsPerWorker: 1, backgroundCores: 0.5)
        #expect(host.slowdown(busyWorkers: 1) == 1)
        #expect(host.slowdown(busyWorkers: 2) == 1.25)
        #expect(host.slowdown(busyWorkers: 3) == 1.75)
        // JSON written by hand may give only the required keys.
        let minimal = try JSONDecoder().decode(SharedHost.self, from: Data(#"{"cores": 4, "threadsPerWorker": 2}"#.utf8))
        #expect(minimal == SharedHost(cores: 4, threadsPerWorker: 2))
    }
}
