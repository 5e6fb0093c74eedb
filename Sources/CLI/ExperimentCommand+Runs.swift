import Foundation
import Placement
import Simulator

/// Everything that defines the paper experiment (printed into the report).
struct PaperSettings {
    var quick: Bool
    var trace: [TraceRecord]?
    var tracePath: String?
    var seed: UInt64
    var costModel: CostModel
    var sloTarget: Double
    var workers: Int
    var adapters: Int
    /// Policies compared everywhere; ours first.
    var policies: [SimPolicy]
    /// Ablations, run at the reference rate only.
    var ablations: [SimPolicy]
    var rates: [Double]
    var referenceRate: Double
    var searchLow: Double
    var searchHigh: Double
    var searchIterations: Int
    var maxWorkers: Int
    /// Simulated seconds of the (rescaled) trace or synthetic arrivals per run.
    var durationSeconds: Double
    var drainLimitSeconds: Double
    var drift: WorkloadSpec
    var driftTimes: [Double]

    static let rankMix = WorkloadSpec.productionRankMix

    init(quick: Bool, trace: [TraceRecord]?, tracePath: String?, workers: Int?, seed: UInt64, costModel: CostModel, sloTarget: Double) {
        self.quick = quick
        self.trace = trace
        self.tracePath = tracePath
        self.seed = seed
        self.costModel = costModel
        self.sloTarget = sloTarget
        if quick {
            self.workers = workers ?? 4
            adapters = 60
            policies = [.ours, .slora, .vllm]
            ablations = [.oursNoRemote]
            rates = [15, 30]
            referenceRate = 30
            searchLow = 5
            searchHigh = 80
            searchIterations = 1
            maxWorkers = 8
            durationSeconds = 20
        } else {
            self.workers = workers ?? 16
            adapters = 500
            policies = [.ours, .slora, .dynamo, .llmd, .vllm, .vllmLeastLoaded]
            ablations = [.oursStatic, .oursNoRemote, .oursNoReplication, .oursRankOblivious, .roundRobin]
            rates = [60, 100, 140, 180]
            referenceRate = 140
            searchLow = 20
            searchHigh = 320
            searchIterations = 4
            maxWorkers = 32
            durationSeconds = 150
        }
        // SLO-neutral: a request meeting TTFT <= 2 s and TPOT <= 0.1 s with <= 2,000 output tokens
        // finishes within 202 s of its arrival, so cutting the drain at 240 s changes no attainment.
        drainLimitSeconds = 240
        let driftAt = quick ? 15.0 : 60.0
        driftTimes = [driftAt]
        drift = WorkloadSpec(name: "synthetic-drift", durationSeconds: quick ? 30 : 120,
                             arrivals: .init(kind: "gamma", ratePerSecond: quick ? 25 : 150, cv: 1.5),
                             lengths: .init(kind: "lognormal", promptMean: 1155, outputMean: 211, promptSigma: 1.0, outputSigma: 1.0,
                                            maxPrompt: 3072, maxOutput: 1000),
                             adapters: .init(count: quick ? 60 : 500, zipfExponent: 1.0, rankMix: Self.rankMix),
                             drift: .init(atSeconds: [driftAt]), slo: .init(ttftSeconds: 2, tpotSeconds: 0.1))
    }

    /// The main workload at `rate` requests/s: the trace rescaled, or an Azure-conversation-like synthetic one.
    func mainSpec(rate: Double) -> WorkloadSpec {
        if trace != nil {
            var s = SimulationOptions.traceSpec(name: "azure-conv-2023", rate: rate, adapters: adapters)
            s.durationSeconds = durationSeconds
            s.adapters.rankMix = Self.rankMix
            return s
        }
        return WorkloadSpec(name: "azure-like-synthetic", durationSeconds: durationSeconds,
                            arrivals: .init(kind: "gamma", ratePerSecond: rate, cv: 1.5),
                            lengths: .init(kind: "lognormal", promptMean: 1155, outputMean: 211, promptSigma: 1.0, outputSigma: 1.0,
                                           maxPrompt: 3072, maxOutput: 1000),
                            adapters: .init(count: adapters, zipfExponent: 1.0, rankMix: Self.rankMix),
                            slo: .init(ttftSeconds: 2, tpotSeconds: 0.1))
    }

    func fleet(count: Int? = nil) -> FleetSpec {
        FleetSpec(count: count ?? workers, scheduler: SimulationOptions.scheduler, costModel: costModel, drainLimitSeconds: drainLimitSeconds)
    }

    /// Upper bound of simulation runs (progress bar).
    var plannedRuns: Int {
        let searchRate = 2 + searchIterations
        let searchWorkers = 1 + Int(ceil(log2(Double(max(maxWorkers, 1)))))
        return policies.count * (rates.count + searchRate + searchWorkers + 1) + ablations.count
    }
}

/// Results of one policy at one rate, with TTFT samples when kept.
struct PolicyRun {
    var result: SimulationResult
    var ttfts: [Double]
    var samples: [RequestSample]
}

struct PaperResults {
    var sweep: [SimPolicy: [SimulationResult]] = [:]
    var reference: [SimPolicy: PolicyRun] = [:]
    var maxRate: [SimPolicy: SimulationSearch.Outcome] = [:]
    var minWorkers: [SimPolicy: SimulationSearch.Outcome] = [:]
    var drift: [SimPolicy: PolicyRun] = [:]
    var ablations: [SimPolicy: SimulationResult] = [:]
    var simulatorWallSeconds = 0.0
    var events = 0
}

/// Runs every simulation of the paper experiment in a fixed order (deterministic for a seed).
struct PaperExperiment {
    let settings: PaperSettings
    let progress: (Int, String) -> Void

    func run() throws(SimulationError) -> PaperResults {
        var r = PaperResults()
        let s = settings
        let clock = ContinuousClock()
        func timed<T>(_ body: () throws(SimulationError) -> T) throws(SimulationError) -> T {
            let t0 = clock.now
            let v = try body()
            r.simulatorWallSeconds += (clock.now - t0).seconds
            return v
        }
        for p in s.policies {
            var row: [SimulationResult] = []
            for rate in s.rates {
                let spec = s.mainSpec(rate: rate)
                if rate == s.referenceRate {
                    let (res, samples) = try timed { () throws(SimulationError) in
                        try Simulation.runDetailed(spec, policy: p, workers: s.fleet(), seed: s.seed, trace: s.trace)
                    }
                    r.reference[p] = PolicyRun(result: res, ttfts: samples.compactMap(\.ttftSeconds), samples: [])
                    row.append(res)
                } else {
                    row.append(try timed { () throws(SimulationError) in
                        try Simulation.run(spec, policy: p, workers: s.fleet(), seed: s.seed, trace: s.trace)
                    })
                }
                r.events += row.last?.events ?? 0
                progress(1, "\(p.rawValue) @ \(Int(rate)) req/s")
            }
            r.sweep[p] = row
        }
        for p in s.ablations {
            let res = try timed { () throws(SimulationError) in
                try Simulation.run(s.mainSpec(rate: s.referenceRate), policy: p, workers: s.fleet(), seed: s.seed, trace: s.trace)
            }
            r.ablations[p] = res
            r.events += res.events
            progress(1, "ablation \(p.rawValue)")
        }
        for p in s.policies {
            let out = try timed { () throws(SimulationError) in
                try SimulationSearch.maxSustainableRate(s.mainSpec(rate: s.referenceRate), policy: p, workers: s.fleet(), seed: s.seed,
                                                        target: s.sloTarget, low: s.searchLow, high: s.searchHigh,
                                                        iterations: s.searchIterations, trace: s.trace)
            }
            r.maxRate[p] = out
            progress(out.probes.count, "max rate \(p.rawValue)")
        }
        for p in s.policies {
            let out = try timed { () throws(SimulationError) in
                try SimulationSearch.minWorkers(s.mainSpec(rate: s.referenceRate), policy: p, fleet: s.fleet(), seed: s.seed,
                                                target: s.sloTarget, maxWorkers: s.maxWorkers, trace: s.trace)
            }
            r.minWorkers[p] = out
            progress(out.probes.count, "min workers \(p.rawValue)")
        }
        for p in s.policies {
            let (res, samples) = try timed { () throws(SimulationError) in
                try Simulation.runDetailed(s.drift, policy: p, workers: s.fleet(), seed: s.seed)
            }
            r.drift[p] = PolicyRun(result: res, ttfts: [], samples: samples)
            r.events += res.events
            progress(1, "drift \(p.rawValue)")
        }
        return r
    }
}
