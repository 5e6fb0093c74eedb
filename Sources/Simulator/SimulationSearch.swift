/// Capacity questions answered by repeated simulation: the highest sustainable rate for a fleet,
/// and the smallest fleet for a rate. Both assume SLO attainment falls monotonically with load
/// (bisection); each probe is one full, deterministic simulation.
public enum SimulationSearch {
    public struct Probe: Sendable, Codable, Equatable {
        public var ratePerSecond: Double
        public var workers: Int
        public var sloAttainment: Double
        public var meets: Bool
    }

    public struct Outcome: Sendable, Codable, Equatable {
        /// The best value found (rate in requests/s, or a worker count); nil when even the easiest
        /// setting misses the target.
        public var value: Double?
        public var result: SimulationResult?
        public var probes: [Probe]
    }

    /// Highest arrival rate in `low...high` whose SLO attainment is ≥ `target` on `workers`.
    /// The spec's arrival rate is overridden (a trace is rescaled to it).
    public static func maxSustainableRate(_ spec: WorkloadSpec, policy: SimPolicy, workers: FleetSpec, seed: UInt64,
                                          target: Double = 0.9, low: Double, high: Double, iterations: Int = 8,
                                          trace: [TraceRecord]? = nil) throws(SimulationError) -> Outcome {
        var lo = low, hi = high
        var best: (Double, SimulationResult)?
        var probes: [Probe] = []
        func probe(_ rate: Double) throws(SimulationError) -> SimulationResult {
            var s = spec
            s.arrivals.ratePerSecond = rate
            let r = try Simulation.run(s, policy: policy, workers: workers, seed: seed, trace: trace)
            probes.append(Probe(ratePerSecond: rate, workers: workers.count, sloAttainment: r.sloAttainment,
                                meets: r.sloAttainment >= target))
            return r
        }
        let atLow = try probe(lo)
        guard atLow.sloAttainment >= target else { return Outcome(value: nil, result: atLow, probes: probes) }
        best = (lo, atLow)
        let atHigh = try probe(hi)
        if atHigh.sloAttainment >= target { return Outcome(value: hi, result: atHigh, probes: probes) }
        for _ in 0..<max(iterations, 1) {
            let mid = (lo + hi) / 2
            let r = try probe(mid)
            if r.sloAttainment >= target { lo = mid; best = (mid, r) } else { hi = mid }
        }
        return Outcome(value: best?.0, result: best?.1, probes: probes)
    }

    /// Fewest workers in `1...maxWorkers` whose SLO attainment is ≥ `target` for `spec` as given.
    public static func minWorkers(_ spec: WorkloadSpec, policy: SimPolicy, fleet: FleetSpec, seed: UInt64,
                                  target: Double = 0.9, maxWorkers: Int, trace: [TraceRecord]? = nil) throws(SimulationError) -> Outcome {
        var probes: [Probe] = []
        var results: [Int: SimulationResult] = [:]
        func meets(_ n: Int) throws(SimulationError) -> Bool {
            var f = fleet
            f.count = n
            let r = try Simulation.run(spec, policy: policy, workers: f, seed: seed, trace: trace)
            results[n] = r
            probes.append(Probe(ratePerSecond: spec.arrivals.ratePerSecond ?? 0, workers: n, sloAttainment: r.sloAttainment,
                                meets: r.sloAttainment >= target))
            return r.sloAttainment >= target
        }
        guard maxWorkers >= 1, try meets(maxWorkers) else { return Outcome(value: nil, result: results[maxWorkers], probes: probes) }
        var lo = 0, hi = maxWorkers  // lo fails (or is 0), hi meets
        while hi - lo > 1 {
            let mid = (lo + hi) / 2
            if try meets(mid) { hi = mid } else { lo = mid }
        }
        return Outcome(value: Double(hi), result: results[hi], probes: probes)
    }
}
