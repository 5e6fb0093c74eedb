import Placement
import ServeCore

/// A materialised workload: adapters and requests sorted by arrival.
public struct Workload: Sendable {
    public struct Adapter: Sendable, Hashable {
        public var id: AdapterID
        public var rank: Int
        public var bytes: Int

        public init(id: AdapterID, rank: Int, bytes: Int) {
            self.id = id
            self.rank = rank
            self.bytes = bytes
        }
    }

    public struct Request: Sendable, Hashable {
        public var arrivalSeconds: Double
        public var adapter: Int
        public var promptTokens: Int
        public var outputTokens: Int

        /// `adapter` indexes `Workload.adapters`; request `i` of a workload gets `RequestID(i)`.
        public init(arrivalSeconds: Double, adapter: Int, promptTokens: Int, outputTokens: Int) {
            self.arrivalSeconds = arrivalSeconds
            self.adapter = adapter
            self.promptTokens = promptTokens
            self.outputTokens = outputTokens
        }
    }

    public var adapters: [Adapter]
    public var requests: [Request]
    /// Start times of popularity phases after the first (drift points).
    public var driftTimes: [Double]
    /// Expected share of traffic per adapter in the first phase (the controller's prior).
    public var initialShares: [Double]
    public var slo: WorkloadSpec.SLO

    /// A hand-built workload (tests, replays). `requests` must be sorted by arrival (equal times
    /// arrive in array order); `initialShares` defaults to each adapter's share of the requests.
    public init(adapters: [Adapter], requests: [Request], driftTimes: [Double] = [], initialShares: [Double]? = nil,
                slo: WorkloadSpec.SLO = WorkloadSpec.SLO()) {
        self.adapters = adapters
        self.requests = requests
        self.driftTimes = driftTimes
        var shares = [Double](repeating: 0, count: adapters.count)
        for r in requests where shares.indices.contains(r.adapter) { shares[r.adapter] += 1 / Double(max(requests.count, 1)) }
        self.initialShares = initialShares ?? shares
        self.slo = slo
    }

    /// Builds the workload from `spec`, with arrivals/lengths from `trace` when the spec says so.
    public static func generate(_ spec: WorkloadSpec, trace: [TraceRecord]? = nil, seed: UInt64) throws(WorkloadSpec.ValidationError) -> Workload {
        try spec.validate(hasTrace: !(trace?.isEmpty ?? true))
        var rankRNG = SplitMix64(seed: seed ^ 0x5EED_0001)
        var arrivalRNG = SplitMix64(seed: seed ^ 0x5EED_0002)
        var lengthRNG = SplitMix64(seed: seed ^ 0x5EED_0003)
        var adapterRNG = SplitMix64(seed: seed ^ 0x5EED_0004)
        var driftRNG = SplitMix64(seed: seed ^ 0x5EED_0005)

        // Adapters: exact rank shares (largest remainder), shuffled so rank and popularity are independent.
        let n = spec.adapters.count
        let totalShare = spec.adapters.rankMix.reduce(0) { $0 + $1.share }
        var ranks: [Int] = []
        for m in spec.adapters.rankMix { ranks += Array(repeating: m.rank, count: Int((Double(n) * m.share / totalShare).rounded(.down))) }
        var i = 0
        while ranks.count < n { ranks.append(spec.adapters.rankMix.sorted { $0.share > $1.share }[i % spec.adapters.rankMix.count].rank); i += 1 }
        ranks.shuffle(using: &rankRNG)
        let width = String(n - 1).count
        let adapters = (0..<n).map { k in
            let s = String(k)
            return Adapter(id: AdapterID("lora-" + String(repeating: "0", count: max(0, width - s.count)) + s),
                           rank: ranks[k], bytes: ranks[k] * spec.adapters.bytesPerRank)
        }

        // Arrival times and lengths.
        var times: [Double] = []
        var lengths: [(Int, Int)] = []
        if spec.arrivals.kind == "trace", let trace {
            let span = max(trace.last?.arrivalSeconds ?? 0, 1e-9)
            let scale = spec.arrivals.ratePerSecond.map { Double(trace.count) / span / $0 } ?? 1
            for r in trace {
                let t = r.arrivalSeconds * scale
                if t > spec.durationSeconds { break }
                times.append(t)
                lengths.append((r.promptTokens, r.outputTokens))
            }
        } else {
            let rate = spec.arrivals.ratePerSecond ?? 1
            let cv = spec.arrivals.kind == "gamma" ? (spec.arrivals.cv ?? 1) : 1
            var t = 0.0
            while true {
                if cv == 1 {
                    t += Sample.exponential(rate: rate, &arrivalRNG)
                } else {
                    let shape = 1 / (cv * cv)
                    t += Sample.gamma(shape: shape, scale: 1 / (rate * shape), &arrivalRNG)
                }
                if t > spec.durationSeconds { break }
                times.append(t)
            }
        }
        var requests: [Request] = []
        requests.reserveCapacity(times.count)

        // Popularity: Zipf over popularity ranks; each drift phase permutes which adapter holds which rank.
        var driftTimes = spec.drift.atSeconds.filter { $0 > 0 && $0 < spec.durationSeconds }
        if let every = spec.drift.everySeconds {
            var t = every
            while t < spec.durationSeconds { driftTimes.append(t); t += every }
        }
        driftTimes = Array(Set(driftTimes)).sorted()
        let zipf = ZipfSampler(count: n, exponent: spec.adapters.zipfExponent)
        var permutation = Array(0..<n)
        permutation.shuffle(using: &driftRNG)
        var initialShares = [Double](repeating: 0, count: n)
        for k in 0..<n { initialShares[permutation[k]] = zipf.probability(k) }
        var phase = 0
        for (k, t) in times.enumerated() {
            while phase < driftTimes.count, t >= driftTimes[phase] {
                permutation.shuffle(using: &driftRNG)
                phase += 1
            }
            let (p, o): (Int, Int)
            switch spec.lengths.kind {
            case "trace" where k < lengths.count: (p, o) = lengths[k]
            case "lognormal":
                p = Int(Sample.logNormal(mean: spec.lengths.promptMean, sigma: spec.lengths.promptSigma, &lengthRNG).rounded())
                o = Int(Sample.logNormal(mean: spec.lengths.outputMean, sigma: spec.lengths.outputSigma, &lengthRNG).rounded())
            default: (p, o) = (Int(spec.lengths.promptMean), Int(spec.lengths.outputMean))
            }
            requests.append(Request(arrivalSeconds: t, adapter: permutation[zipf.sample(&adapterRNG)],
                                    promptTokens: min(max(p, 1), spec.lengths.maxPrompt),
                                    outputTokens: min(max(o, 1), spec.lengths.maxOutput)))
        }
        return Workload(adapters: adapters, requests: requests, driftTimes: driftTimes, initialShares: initialShares, slo: spec.slo)
    }
}
