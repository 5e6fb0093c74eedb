/// Coefficients of one engine iteration's latency (seconds):
/// `T_step = α + β·tokens + γ·Σ tokens·r_eff + δ·distinctAdapters`.
public struct CostCoefficients: Hashable, Sendable, Codable {
    /// Fixed per-step cost (kernel launches, sampling, scheduling), seconds.
    public var alphaSeconds: Double
    /// Base-model cost per token in the step, seconds.
    public var betaSecondsPerToken: Double
    /// LoRA cost per token per unit of effective rank, seconds.
    public var gammaSecondsPerTokenRank: Double
    /// Cost per distinct adapter in the step (weights read once per step), seconds.
    public var deltaSecondsPerAdapter: Double

    public init(alphaSeconds: Double, betaSecondsPerToken: Double, gammaSecondsPerTokenRank: Double,
                deltaSecondsPerAdapter: Double) {
        self.alphaSeconds = alphaSeconds
        self.betaSecondsPerToken = betaSecondsPerToken
        self.gammaSecondsPerTokenRank = gammaSecondsPerTokenRank
        self.deltaSecondsPerAdapter = deltaSecondsPerAdapter
    }
}

/// The shape of one planned step, reduced to what the cost model needs.
public struct StepShape: Hashable, Sendable {
    /// All tokens in the step (prefill chunks + decode tokens).
    public var tokens: Int
    /// Σ over LoRA tokens of the token's own adapter rank.
    public var ownRankTokens: Int
    /// Tokens that carry an adapter (rank > 0).
    public var loraTokens: Int
    /// Largest adapter rank in the step (0 when none).
    public var maxRank: Int
    public var distinctAdapters: Int

    public init(tokens: Int = 0, ownRankTokens: Int = 0, loraTokens: Int = 0, maxRank: Int = 0, distinctAdapters: Int = 0) {
        self.tokens = tokens
        self.ownRankTokens = ownRankTokens
        self.loraTokens = loraTokens
        self.maxRank = maxRank
        self.distinctAdapters = distinctAdapters
    }

    /// Adds `count` tokens of an adapter of `rank` (0 = base model); `newAdapter` when it is the
    /// first time this adapter appears in the step.
    public mutating func add(tokens count: Int, rank: Int, newAdapter: Bool) {
        tokens += count
        if rank > 0 {
            loraTokens += count
            ownRankTokens += count * rank
            maxRank = Swift.max(maxRank, rank)
            if newAdapter { distinctAdapters += 1 }
        }
    }
}

/// Latency model per compute mode, plus adapter load costs per storage tier.
///
/// Shared by the placement policy (predicted load) and the simulator (step latency), so both agree
/// by construction. Coefficients are fitted (`loraserve profile`) or taken from a preset whose
/// provenance is recorded in `source`.
public struct CostModel: Hashable, Sendable, Codable {
    public var exact: CostCoefficients
    public var padded: CostCoefficients
    public var batchMax: CostCoefficients
    /// Bandwidths for moving an adapter's weights into a worker, bytes/s, with a fixed setup latency.
    public var diskBytesPerSecond: Double
    public var hostBytesPerSecond: Double
    public var peerBytesPerSecond: Double
    public var loadSetupSeconds: Double
    /// Where the numbers came from (machine, model, date or the publication).
    public var source: String

    public init(exact: CostCoefficients, padded: CostCoefficients, batchMax: CostCoefficients,
                diskBytesPerSecond: Double, hostBytesPerSecond: Double, peerBytesPerSecond: Double,
                loadSetupSeconds: Double, source: String) {
        self.exact = exact
        self.padded = padded
        self.batchMax = batchMax
        self.diskBytesPerSecond = diskBytesPerSecond
        self.hostBytesPerSecond = hostBytesPerSecond
        self.peerBytesPerSecond = peerBytesPerSecond
        self.loadSetupSeconds = loadSetupSeconds
        self.source = source
    }

    public func coefficients(for mode: ComputeMode) -> CostCoefficients {
        switch mode {
        case .exact: exact
        case .padded: padded
        case .batchMax: batchMax
        }
    }

    /// Predicted latency of one step on an engine of `mode`, seconds.
    @inlinable
    public func stepSeconds(_ shape: StepShape, mode: ComputeMode) -> Double {
        let c = coefficients(for: mode)
        let rankTokens: Int
        switch mode {
        case .exact: rankTokens = shape.ownRankTokens
        case let .padded(maxRank): rankTokens = shape.loraTokens * maxRank
        case .batchMax: rankTokens = shape.loraTokens * shape.maxRank
        }
        return c.alphaSeconds + c.betaSecondsPerToken * Double(shape.tokens)
            + c.gammaSecondsPerTokenRank * Double(rankTokens)
            + c.deltaSecondsPerAdapter * Double(shape.distinctAdapters)
    }

    /// Cost of one token of rank `effectiveRank` relative to a base-model token (≥ 1); the unit in
    /// which placement and routing measure load ("base-token equivalents").
    @inlinable
    public func relativeTokenCost(effectiveRank: Int, mode: ComputeMode) -> Double {
        let c = coefficients(for: mode)
        guard c.betaSecondsPerToken > 0 else { return 1 }
        return 1 + c.gammaSecondsPerTokenRank * Double(effectiveRank) / c.betaSecondsPerToken
    }

    public enum Tier: String, Sendable, Codable, CaseIterable { case disk, host, peer }

    /// Time to bring `bytes` of adapter weights into a worker from `tier`, seconds.
    public func loadSeconds(bytes: Int, from tier: Tier) -> Double {
        let bandwidth = switch tier {
        case .disk: diskBytesPerSecond
        case .host: hostBytesPerSecond
        case .peer: peerBytesPerSecond
        }
        return loadSetupSeconds + Double(bytes) / Swift.max(bandwidth, 1)
    }
}
