/// A reproducible workload, stored as JSON (see docs/simulator.md for an annotated example).
public struct WorkloadSpec: Sendable, Codable, Equatable {
    public struct Arrivals: Sendable, Codable, Equatable {
        /// "poisson", "gamma" or "trace".
        public var kind: String
        /// Mean requests/s (poisson, gamma). For "trace": if set, the trace's timeline is scaled
        /// to this mean rate.
        public var ratePerSecond: Double?
        /// Coefficient of variation of inter-arrival times (gamma; 1 = Poisson, > 1 = bursty).
        public var cv: Double?
        public init(kind: String, ratePerSecond: Double? = nil, cv: Double? = nil) {
            self.kind = kind
            self.ratePerSecond = ratePerSecond
            self.cv = cv
        }
    }

    public struct Lengths: Sendable, Codable, Equatable {
        /// "fixed", "lognormal" or "trace" (token counts come with the trace's records).
        public var kind: String
        public var promptMean: Double
        public var outputMean: Double
        /// Sigma of the underlying normal (lognormal).
        public var promptSigma: Double
        public var outputSigma: Double
        public var maxPrompt: Int
        public var maxOutput: Int
        public init(kind: String, promptMean: Double = 512, outputMean: Double = 128, promptSigma: Double = 0.8,
                    outputSigma: Double = 0.8, maxPrompt: Int = 1536, maxOutput: Int = 512) {
            self.kind = kind
            self.promptMean = promptMean
            self.outputMean = outputMean
            self.promptSigma = promptSigma
            self.outputSigma = outputSigma
            self.maxPrompt = maxPrompt
            self.maxOutput = maxOutput
        }
    }

    public struct RankShare: Sendable, Codable, Equatable {
        public var rank: Int
        public var share: Double
        public init(rank: Int, share: Double) { self.rank = rank; self.share = share }
    }

    public struct Adapters: Sendable, Codable, Equatable {
        public var count: Int
        /// Zipf exponent of popularity (0 = uniform; ~1 typical of production).
        public var zipfExponent: Double
        /// Ranks by share of adapters; assigned independently of popularity.
        public var rankMix: [RankShare]
        /// Adapter size per unit of rank, bytes (default: Llama-7B q,k,v,o in fp16 = 2 MiB per rank).
        public var bytesPerRank: Int
        public init(count: Int, zipfExponent: Double = 1, rankMix: [RankShare] = WorkloadSpec.productionRankMix,
                    bytesPerRank: Int = 2_097_152) {
            self.count = count
            self.zipfExponent = zipfExponent
            self.rankMix = rankMix
            self.bytesPerRank = bytesPerRank
        }
    }

    public struct Drift: Sendable, Codable, Equatable {
        /// Permute adapter popularity at each of these times (seconds).
        public var atSeconds: [Double]
        /// And/or every this many seconds.
        public var everySeconds: Double?
        public init(atSeconds: [Double] = [], everySeconds: Double? = nil) {
            self.atSeconds = atSeconds
            self.everySeconds = everySeconds
        }
    }

    public struct SLO: Sendable, Codable, Equatable {
        public var ttftSeconds: Double
        public var tpotSeconds: Double
        public init(ttftSeconds: Double = 2, tpotSeconds: Double = 0.1) {
            self.ttftSeconds = ttftSeconds
            self.tpotSeconds = tpotSeconds
        }
    }

    public var name: String
    /// Arrivals after this time are dropped (a trace may be cut short this way).
    public var durationSeconds: Double
    public var arrivals: Arrivals
    public var lengths: Lengths
    public var adapters: Adapters
    public var drift: Drift
    public var slo: SLO

    public init(name: String, durationSeconds: Double, arrivals: Arrivals, lengths: Lengths, adapters: Adapters,
                drift: Drift = Drift(), slo: SLO = SLO()) {
        self.name = name
        self.durationSeconds = durationSeconds
        self.arrivals = arrivals
        self.lengths = lengths
        self.adapters = adapters
        self.drift = drift
        self.slo = slo
    }

    /// Many small adapters, a few large ones (shares of adapters, not of traffic).
    public static let productionRankMix: [RankShare] = [
        .init(rank: 8, share: 0.35), .init(rank: 16, share: 0.25), .init(rank: 32, share: 0.2),
        .init(rank: 64, share: 0.12), .init(rank: 128, share: 0.08),
    ]

    /// The documented example printed by `loraserve simulate --example-workload`.
    public static let example = WorkloadSpec(
        name: "zipf-drift-example", durationSeconds: 600,
        arrivals: .init(kind: "gamma", ratePerSecond: 20, cv: 2),
        lengths: .init(kind: "lognormal", promptMean: 1024, outputMean: 200),
        adapters: .init(count: 200, zipfExponent: 1.0),
        drift: .init(atSeconds: [300]), slo: .init(ttftSeconds: 2, tpotSeconds: 0.1))

    public enum ValidationError: Error, Sendable, Equatable, CustomStringConvertible {
        case invalid(field: String, reason: String)
        public var description: String {
            switch self { case let .invalid(f, r): "workload \(f): \(r)" }
        }
    }

    public func validate(hasTrace: Bool) throws(ValidationError) {
        guard durationSeconds > 0 else { throw .invalid(field: "durationSeconds", reason: "must be > 0") }
        switch arrivals.kind {
        case "poisson", "gamma":
            guard let r = arrivals.ratePerSecond, r > 0 else { throw .invalid(field: "arrivals.ratePerSecond", reason: "must be > 0") }
            if arrivals.kind == "gamma", let cv = arrivals.cv, cv <= 0 { throw .invalid(field: "arrivals.cv", reason: "must be > 0") }
        case "trace":
            guard hasTrace else { throw .invalid(field: "arrivals.kind", reason: "\"trace\" needs a trace file") }
        default: throw .invalid(field: "arrivals.kind", reason: "unknown \"\(arrivals.kind)\" (poisson, gamma, trace)")
        }
        switch lengths.kind {
        case "fixed", "lognormal": break
        case "trace": guard hasTrace else { throw .invalid(field: "lengths.kind", reason: "\"trace\" needs a trace file") }
        default: throw .invalid(field: "lengths.kind", reason: "unknown \"\(lengths.kind)\" (fixed, lognormal, trace)")
        }
        guard lengths.maxPrompt >= 1, lengths.maxOutput >= 1 else { throw .invalid(field: "lengths.max*", reason: "must be >= 1") }
        guard adapters.count >= 1 else { throw .invalid(field: "adapters.count", reason: "must be >= 1") }
        guard !adapters.rankMix.isEmpty, adapters.rankMix.allSatisfy({ $0.rank >= 1 && $0.share >= 0 }),
              adapters.rankMix.contains(where: { $0.share > 0 }) else {
            throw .invalid(field: "adapters.rankMix", reason: "needs ranks >= 1 with non-negative shares, one positive")
        }
        if let e = drift.everySeconds, e <= 0 { throw .invalid(field: "drift.everySeconds", reason: "must be > 0") }
        guard slo.ttftSeconds > 0, slo.tpotSeconds > 0 else { throw .invalid(field: "slo", reason: "targets must be > 0") }
    }
}
