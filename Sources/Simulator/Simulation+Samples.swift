import Placement

/// One request's outcome, for CDFs and timelines (reports).
public struct RequestSample: Sendable, Equatable {
    public var arrivalSeconds: Double
    /// nil when the request failed (rejected, unroutable or unfinished).
    public var ttftSeconds: Double?
    public var rank: Int
}

extension Simulation {
    /// `run` plus every request's outcome (same simulation, same result).
    public static func runDetailed(_ spec: WorkloadSpec, policy: SimPolicy, workers: FleetSpec, seed: UInt64,
                                   trace: [TraceRecord]? = nil) throws(SimulationError) -> (result: SimulationResult, samples: [RequestSample]) {
        let workload: Workload
        do { workload = try Workload.generate(spec, trace: trace, seed: seed) } catch { throw .workload(error) }
        try check(workers)
        let engine: SimulationEngine
        do { engine = try SimulationEngine(workload: workload, fleet: workers, policy: policy, seed: seed) } catch { throw .scheduler(error) }
        engine.run()
        let result = engine.result(name: spec.name, seed: seed)
        let samples = workload.requests.indices.map { i in
            let r = workload.requests[i]
            let ok = !engine.failed[i] && engine.finishedAt[i] >= 0 && engine.firstTokenAt[i] >= 0
            return RequestSample(arrivalSeconds: r.arrivalSeconds, ttftSeconds: ok ? engine.timeToFirstToken(i) : nil,
                                 rank: workload.adapters[r.adapter].rank)
        }
        return (result, samples)
    }
}
