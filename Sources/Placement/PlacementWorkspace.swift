import ServeCore

/// Mutable working state of a placement computation: per-worker bins with incremental load,
/// memory and slot accounting, indexed by position for speed (1,000 × 64 in well under 100 ms).
struct PlacementWorkspace {
    struct Bin {
        var worker: WorkerState
        var members: [Int] = []
        /// Σ share·tokens/s of hosted adapters.
        var tokenRate: Double = 0
        /// Σ share·tokens/s·rank.
        var rankTokenRate: Double = 0
        var maxRank = 0
        var log2RankSum: Double = 0
        var memoryBytes = 0
    }

    let adapters: [AdapterDemand]
    let costModel: CostModel
    var bins: [Bin]
    /// Replica count each adapter's load is divided by (fixed for the whole computation).
    var shareDivisor: [Int]
    /// Worker indices holding each adapter.
    var holders: [[Int]]

    init(adapters: [AdapterDemand], workers: [WorkerState], costModel: CostModel) {
        self.adapters = adapters
        self.costModel = costModel
        self.bins = workers.map { Bin(worker: $0) }
        self.shareDivisor = Array(repeating: 1, count: adapters.count)
        self.holders = Array(repeating: [], count: adapters.count)
    }

    func shareRate(_ a: Int) -> Double { adapters[a].tokensPerSecond / Double(max(shareDivisor[a], 1)) }

    /// γ/β of the worker's mode: extra cost per unit of effective rank, in base tokens.
    @inline(__always) func rankFactor(_ mode: ComputeMode) -> Double {
        let c = costModel.coefficients(for: mode)
        return c.betaSecondsPerToken > 0 ? c.gammaSecondsPerTokenRank / c.betaSecondsPerToken : 0
    }

    /// Load in base-token equivalents/s under the bin's compute mode, given its aggregates.
    @inline(__always) func load(mode: ComputeMode, tokenRate: Double, rankTokenRate: Double, maxRank: Int) -> Double {
        let g = rankFactor(mode)
        switch mode {
        case .exact: return tokenRate + g * rankTokenRate
        case let .padded(m): return tokenRate * (1 + g * Double(m))
        case .batchMax: return tokenRate * (1 + g * Double(maxRank))
        }
    }

    func utilisation(_ w: Int) -> Double {
        let b = bins[w]
        return load(mode: b.worker.computeMode, tokenRate: b.tokenRate, rankTokenRate: b.rankTokenRate, maxRank: b.maxRank)
            / max(b.worker.capacityTokensPerSecond, 1e-9)
    }

    /// Utilisation of `w` if adapter `a` were added.
    func utilisation(_ w: Int, adding a: Int) -> Double {
        let b = bins[w], s = shareRate(a), r = adapters[a].rank
        return load(mode: b.worker.computeMode, tokenRate: b.tokenRate + s, rankTokenRate: b.rankTokenRate + s * Double(r),
                    maxRank: max(b.maxRank, r)) / max(b.worker.capacityTokensPerSecond, 1e-9)
    }

    /// Utilisation of `w` if adapter `a` (hosted there) were removed.
    func utilisation(_ w: Int, removing a: Int) -> Double {
        let b = bins[w], s = shareRate(a)
        let maxRank = b.members.reduce(0) { $1 == a ? $0 : max($0, adapters[$1].rank) }
        return load(mode: b.worker.computeMode, tokenRate: b.tokenRate - s, rankTokenRate: b.rankTokenRate - s * Double(adapters[a].rank),
                    maxRank: maxRank) / max(b.worker.capacityTokensPerSecond, 1e-9)
    }

    /// Memory, slot and rank-limit feasibility (capacity is scored, not a hard filter here).
    func fits(_ a: Int, on w: Int) -> Bool {
        let b = bins[w], ad = adapters[a]
        return b.worker.computeMode.accepts(rank: ad.rank)
            && b.members.count < b.worker.maxActiveAdapters
            && b.memoryBytes + ad.bytes <= b.worker.memoryBudgetBytes
            && !holders[a].contains(w)
    }

    /// Penalty for rank dissimilarity: distance from the bin's mean log2 rank.
    func rankDistance(_ a: Int, _ w: Int) -> Double {
        let b = bins[w]
        guard !b.members.isEmpty else { return 0 }
        let mean = b.log2RankSum / Double(b.members.count)
        return abs(approxLog2(Double(max(adapters[a].rank, 1))) - mean)
    }

    mutating func add(_ a: Int, to w: Int) {
        let s = shareRate(a), r = adapters[a].rank
        bins[w].members.append(a)
        bins[w].tokenRate += s
        bins[w].rankTokenRate += s * Double(r)
        bins[w].maxRank = max(bins[w].maxRank, r)
        bins[w].log2RankSum += approxLog2(Double(max(r, 1)))
        bins[w].memoryBytes += adapters[a].bytes
        holders[a].append(w)
    }

    mutating func remove(_ a: Int, from w: Int) {
        let s = shareRate(a), r = adapters[a].rank
        bins[w].members.removeAll { $0 == a }
        bins[w].tokenRate = max(0, bins[w].tokenRate - s)
        bins[w].rankTokenRate = max(0, bins[w].rankTokenRate - s * Double(r))
        bins[w].maxRank = bins[w].members.reduce(0) { max($0, adapters[$1].rank) }
        bins[w].log2RankSum -= approxLog2(Double(max(r, 1)))
        bins[w].memoryBytes -= adapters[a].bytes
        holders[a].removeAll { $0 == w }
    }

    /// Changes the replica divisor of `a`, re-accounting its share on every current holder.
    mutating func setShareDivisor(_ a: Int, _ k: Int) {
        let hs = holders[a]
        for w in hs { remove(a, from: w) }
        shareDivisor[a] = max(k, 1)
        for w in hs { add(a, to: w) }
    }

    func placementMap(passThrough: PlacementMap) -> PlacementMap {
        var map = passThrough
        for (a, hs) in holders.enumerated() {
            for w in hs { map.add(adapters[a].id, on: bins[w].worker.id) }
        }
        return map
    }
}

@inline(__always) func approxLog2(_ x: Double) -> Double {
    // Only ranks (≥ 1) reach here; a bit-scan plus a linear fraction is accurate enough for a penalty.
    guard x >= 1 else { return 0 }
    var v = x, e = 0.0
    while v >= 2 { v /= 2; e += 1 }
    return e + (v - 1)
}
