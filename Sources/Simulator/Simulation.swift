import BatchScheduler
import Placement
import ServeCore

/// Why a simulation could not start.
public enum SimulationError: Error, Sendable, CustomStringConvertible {
    case workload(WorkloadSpec.ValidationError)
    case scheduler(SchedulerConfigError)
    case fleet(String)

    public var description: String {
        switch self {
        case let .workload(e): "\(e)"
        case let .scheduler(e): "\(e)"
        case let .fleet(r): "fleet: \(r)"
        }
    }
}

/// Entry points of the simulator. Deterministic: the same inputs and seed give identical results.
public enum Simulation {
    /// Generates the workload from `spec` (and `trace` when it says so) and simulates it.
    public static func run(_ spec: WorkloadSpec, policy: SimPolicy, workers: FleetSpec, seed: UInt64,
                           trace: [TraceRecord]? = nil) throws(SimulationError) -> SimulationResult {
        let workload: Workload
        do { workload = try Workload.generate(spec, trace: trace, seed: seed) } catch { throw .workload(error) }
        return try run(workload, name: spec.name, policy: policy, workers: workers, seed: seed)
    }

    /// The fleet settings every entry point needs before it builds an engine.
    static func check(_ workers: FleetSpec) throws(SimulationError) {
        guard workers.count >= 1 else { throw .fleet("count must be >= 1") }
        guard workers.controlIntervalSeconds > 0, workers.drainLimitSeconds >= 0 else { throw .fleet("control interval must be > 0") }
        if let host = workers.host {
            guard host.cores > 0, host.cores.isFinite, host.threadsPerWorker >= 1 else {
                throw .fleet("host: cores must be > 0 and threadsPerWorker >= 1")
            }
            guard host.frontEndSeconds >= 0, host.frontEndSeconds.isFinite, host.backgroundCores >= 0, host.backgroundCores.isFinite else {
                throw .fleet("host: frontEndSeconds and backgroundCores must be finite and >= 0")
            }
        }
    }

    /// Simulates an already generated workload. `observer` sees every event as it is processed
    /// (a step completion made stale by re-timing on a shared host is skipped, not shown).
    public static func run(_ workload: Workload, name: String, policy: SimPolicy, workers: FleetSpec, seed: UInt64,
                           observer: ((SimEvent) -> Void)? = nil) throws(SimulationError) -> SimulationResult {
        try check(workers)
        let engine: SimulationEngine
        do { engine = try SimulationEngine(workload: workload, fleet: workers, policy: policy, seed: seed) } catch { throw .scheduler(error) }
        engine.observer = observer
        engine.run()
        return engine.result(name: name, seed: seed)
    }
}

extension Simulation {
    /// Simulates `workload` with every worker's scheduler recording its decisions: the result plus
    /// each worker's planned steps (`StepDigest`s, in order), for engine-vs-simulator drift checks.
    public static func runRecordingTraces(_ workload: Workload, name: String, policy: SimPolicy, workers: FleetSpec,
                                          seed: UInt64) throws(SimulationError) -> (result: SimulationResult, traces: [[StepDigest]]) {
        try check(workers)
        let engine: SimulationEngine
        do {
            engine = try SimulationEngine(workload: workload, fleet: workers, policy: policy, seed: seed, recordsTrace: true)
        } catch { throw .scheduler(error) }
        engine.run()
        return (engine.result(name: name, seed: seed), engine.workers.map(\.scheduler.trace))
    }
}

extension SimulationEngine {
    func result(name: String, seed: UInt64) -> SimulationResult {
        let reqs = workload.requests
        var ttft: [Double] = [], tpot: [Double] = [], e2e: [Double] = []
        var byRank: [Int: (n: Int, ttft: [Double], tpot: [Double], ok: Int)] = [:]
        var completed = 0, failedCount = 0, outputTokens = 0, ok = 0
        var makespan = 0.0
        for (i, r) in reqs.enumerated() {
            let rank = workload.adapters[r.adapter].rank
            byRank[rank, default: (0, [], [], 0)].n += 1
            guard !failed[i], finishedAt[i] >= 0, firstTokenAt[i] >= 0 else { failedCount += 1; continue }
            completed += 1
            outputTokens += Int(generated[i])
            makespan = max(makespan, finishedAt[i])
            let t = timeToFirstToken(i)
            let p = generated[i] > 1 ? (finishedAt[i] - firstTokenAt[i]) / Double(generated[i] - 1) : 0
            ttft.append(t)
            if generated[i] > 1 { tpot.append(p) }
            e2e.append(finishedAt[i] - r.arrivalSeconds + frontEndSeconds)
            byRank[rank]?.ttft.append(t)
            if generated[i] > 1 { byRank[rank]?.tpot.append(p) }
            if t <= workload.slo.ttftSeconds && p <= workload.slo.tpotSeconds {
                ok += 1
                byRank[rank]?.ok += 1
            }
        }
        var traceHash: UInt64 = 0xcbf2_9ce4_8422_2325
        for w in workers { traceHash = (traceHash ^ w.scheduler.traceHash) &* 0x100_0000_01b3 }
        let preemptions = workers.reduce(0) { $0 + $1.scheduler.stats.preemptions }
        let span = max(makespan, 1e-9)
        return SimulationResult(
            policy: policy.rawValue, workload: name, workers: workers.count, computeMode: Array(Set(modes.map(\.description))).sorted().joined(separator: ","), seed: seed,
            requests: reqs.count, completed: completed, failed: failedCount, makespanSeconds: makespan,
            throughputRps: Double(completed) / span, outputTokensPerSecond: Double(outputTokens) / span,
            ttft: Percentiles(ttft), tpot: Percentiles(tpot), e2e: Percentiles(e2e),
            sloAttainment: reqs.isEmpty ? 1 : Double(ok) / Double(reqs.count),
            sloTTFTSeconds: workload.slo.ttftSeconds, sloTPOTSeconds: workload.slo.tpotSeconds,
            perRank: byRank.keys.sorted().map { k in
                let v = byRank[k] ?? (0, [], [], 0)
                return RankClassMetrics(rank: k, requests: v.n, ttft: Percentiles(v.ttft), tpot: Percentiles(v.tpot),
                                        sloAttainment: v.n == 0 ? 1 : Double(v.ok) / Double(v.n))
            },
            placementActions: placementActions, replans: replans, remoteFetches: remoteFetches, adapterLoads: loadCounts,
            preemptions: preemptions, steps: steps, events: events, schedulerTraceHash: traceHash,
            workerTraceHashes: workers.map(\.scheduler.traceHash), timeline: timeline,
            wallSeconds: nil)
    }
}
