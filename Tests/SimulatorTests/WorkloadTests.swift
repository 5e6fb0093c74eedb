import Foundation
import Placement
import Simulator
import Testing

@Suite struct WorkloadTests {
    static let spec = WorkloadSpec(
        name: "t", durationSeconds: 200, arrivals: .init(kind: "gamma", ratePerSecond: 20, cv: 2),
        lengths: .init(kind: "lognormal", promptMean: 300, outputMean: 60), adapters: .init(count: 100, zipfExponent: 1),
        drift: .init(atSeconds: [100]))

    @Test func sameSeedSameWorkload() throws {
        let a = try Workload.generate(Self.spec, seed: 5), b = try Workload.generate(Self.spec, seed: 5)
        let c = try Workload.generate(Self.spec, seed: 6)
        #expect(a.requests == b.requests)
        #expect(a.requests != c.requests)
        #expect(abs(Double(a.requests.count) / 200 - 20) < 3)
        #expect(a.requests.allSatisfy { $0.promptTokens >= 1 && $0.outputTokens >= 1 && $0.promptTokens <= 1536 })
        #expect(zip(a.requests, a.requests.dropFirst()).allSatisfy { $0.arrivalSeconds <= $1.arrivalSeconds })
    }

    @Test func rankMixIsRespected() throws {
        let w = try Workload.generate(Self.spec, seed: 1)
        let counts = Dictionary(grouping: w.adapters, by: \.rank).mapValues(\.count)
        #expect(counts == [8: 35, 16: 25, 32: 20, 64: 12, 128: 8])
        #expect(w.adapters.allSatisfy { $0.bytes == $0.rank * 2_097_152 })
    }

    @Test func driftChangesTheHottestAdapter() throws {
        var spec = Self.spec
        spec.arrivals = .init(kind: "poisson", ratePerSecond: 100)
        let w = try Workload.generate(spec, seed: 3)
        func hottest(_ r: ArraySlice<Workload.Request>) -> Int {
            Dictionary(grouping: r, by: \.adapter).max { $0.value.count < $1.value.count }?.key ?? -1
        }
        let split = w.requests.firstIndex { $0.arrivalSeconds >= 100 } ?? 0
        #expect(w.driftTimes == [100])
        #expect(hottest(w.requests[..<split]) != hottest(w.requests[split...]))
    }

    @Test func traceArrivalsAndLengths() throws {
        let trace = (0..<50).map { TraceRecord(arrivalSeconds: Double($0) * 2, promptTokens: 100 + $0, outputTokens: 10) }
        var spec = Self.spec
        spec.arrivals = .init(kind: "trace")
        spec.lengths = .init(kind: "trace")
        let w = try Workload.generate(spec, trace: trace, seed: 1)
        #expect(w.requests.count == 50)
        #expect(w.requests[3].promptTokens == 103 && w.requests[3].arrivalSeconds == 6)
        spec.arrivals.ratePerSecond = 1  // compress 98 s of 50 requests to ~50 s
        let fast = try Workload.generate(spec, trace: trace, seed: 1)
        #expect(abs((fast.requests.last?.arrivalSeconds ?? 0) - 50) < 1e-9)
    }

    @Test func specIsJSONAndValidated() throws {
        let data = try JSONEncoder().encode(WorkloadSpec.example)
        let back = try JSONDecoder().decode(WorkloadSpec.self, from: data)
        #expect(back == WorkloadSpec.example)
        var bad = Self.spec
        bad.arrivals.kind = "trace"
        #expect(throws: WorkloadSpec.ValidationError.self) { try Workload.generate(bad, seed: 1) }
        bad = Self.spec
        bad.adapters.rankMix = []
        #expect(throws: WorkloadSpec.ValidationError.self) { try bad.validate(hasTrace: false) }
    }
}

@Suite struct CodableTests {
    @Test func resultFleetAndCostModelRoundTrip() throws {
        let r = try Simulation.run(SimulationTests.spec(rate: 4, duration: 20), policy: .ours, workers: SimulationTests.fleet(2), seed: 1)
        let enc = JSONEncoder()
        #expect(try JSONDecoder().decode(SimulationResult.self, from: enc.encode(r)) == r)
        let fleet = SimulationTests.fleet(3)
        #expect(try JSONDecoder().decode(FleetSpec.self, from: enc.encode(fleet)) == fleet)
        let json = String(decoding: try enc.encode(fleet.costModel), as: UTF8.self)
        #expect(json.contains("alphaSeconds"))
        #expect(try JSONDecoder().decode(CostModel.self, from: Data(json.utf8)) == fleet.costModel)
    }

    @Test func policyNamesAreStable() {
        #expect(SimPolicy.allCases.map(\.rawValue) == [
            "ours", "ours-static", "ours-no-remote", "ours-no-replication", "ours-rank-oblivious",
            "vllm", "vllm-least-loaded", "llm-d", "dynamo", "s-lora", "round-robin",
        ])
    }
}
