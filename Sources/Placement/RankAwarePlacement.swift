import ServeCore

/// LoRAServe's placement: balances predicted load under each worker's capacity using the cost
/// model of its compute mode, groups similar ranks where the mode rewards it, replicates hot
/// adapters, respects memory and slot limits, and bounds churn (hysteresis, moves must pay for
/// themselves, never removes an adapter's last replica). See docs/placement.md.
public struct RankAwarePlacement: PlacementPolicy {
    public var config: PlacementConfig
    public var name: String { "rank-aware" }

    public init(config: PlacementConfig = PlacementConfig()) { self.config = config }

    public mutating func plan(_ snapshot: ClusterSnapshot, costModel: CostModel) -> PlacementPlan {
        let adapters = snapshot.adapters.sorted { $0.id < $1.id }
        let up = snapshot.workers.filter(\.isUp).sorted { $0.id < $1.id }
        var ws = PlacementWorkspace(adapters: adapters, workers: up, costModel: costModel)
        let workerIndex = Dictionary(uniqueKeysWithValues: up.enumerated().map { ($1.id, $0) })
        let known = Set(adapters.map(\.id))
        // Adapters the snapshot does not describe are passed through untouched (never dropped).
        let passThrough = PlacementMap(snapshot.placement.replicas.filter { !known.contains($0.key) })
        var reasons: [AdapterID: String] = [:]
        var budget = config.maxDiscretionaryActions
        guard !up.isEmpty else {
            return PlacementPlan(target: snapshot.placement, actions: [])
        }
        let meanCapacity = up.reduce(0) { $0 + $1.capacityTokensPerSecond } / Double(up.count)

        // 1. Desired replica counts, with hysteresis between the replicate and dereplicate bands.
        var current: [[Int]] = adapters.map { a in snapshot.placement.workers(for: a.id).compactMap { workerIndex[$0] } }
        var desired = [Int](repeating: 0, count: adapters.count)
        for (i, a) in adapters.enumerated() {
            let cur = current[i].count
            guard a.hasDemand else { desired[i] = min(cur, 1); continue }
            let load = a.tokensPerSecond * costModel.relativeTokenCost(effectiveRank: a.rank, mode: .exact)
            let kUp = Int((load / (config.replicateAboveFraction * meanCapacity)).rounded(.up))
            let kDown = config.dereplicateBelowFraction > 0
                ? Int((load / (config.dereplicateBelowFraction * meanCapacity)).rounded(.up)) : Int.max
            var k = cur < kUp ? kUp : (cur > kDown ? kDown : cur)
            k = min(max(k, 1), up.count)
            desired[i] = k
            if k > cur, cur > 0 { reasons[a.id] = "hot: replicas \(cur)→\(k)" }
            if k < cur { reasons[a.id] = "cooled: replicas \(cur)→\(k)" }
        }
        for i in adapters.indices { ws.shareDivisor[i] = max(desired[i], 1) }

        // 2. Keep current replicas that are still valid; drop extras from the busiest holders.
        for i in adapters.indices {
            for w in current[i] where ws.bins[w].worker.computeMode.accepts(rank: adapters[i].rank) { ws.add(i, to: w) }
            if ws.holders[i].isEmpty, !current[i].isEmpty { reasons[adapters[i].id] = "rank above worker limit" }
        }
        for i in adapters.indices where ws.holders[i].count > desired[i] && ws.holders[i].count > 1 {
            while ws.holders[i].count > max(desired[i], 1), budget > 0 {
                guard let w = ws.holders[i].max(by: { ws.utilisation($0) < ws.utilisation($1) }) else { break }
                ws.remove(i, from: w)
                budget -= 1
            }
        }
        current = ws.holders

        // 3. Add missing replicas, biggest load first (first-fit-decreasing style).
        let order = adapters.indices.sorted {
            let l0 = ws.shareRate($0) * Double(adapters[$0].rank + 1), l1 = ws.shareRate($1) * Double(adapters[$1].rank + 1)
            return l0 != l1 ? l0 > l1 : adapters[$0].id < adapters[$1].id
        }
        for i in order where ws.holders[i].count < desired[i] {
            let mandatory = ws.holders[i].isEmpty
            while ws.holders[i].count < desired[i] {
                if !mandatory, budget <= 0 { break }
                guard let w = bestWorker(for: i, in: ws) else { break }
                ws.add(i, to: w)
                if !mandatory { budget -= 1 }
            }
            if mandatory, reasons[adapters[i].id] == nil { reasons[adapters[i].id] = "place: no replica" }
        }

        // 4. Relieve overloaded workers by moving adapters that pay for their move.
        relieve(&ws, budget: &budget, reasons: &reasons)
        // 5. Rank homogenisation where the mode charges co-located ranks (batch-max).
        homogenise(&ws, budget: &budget, reasons: &reasons)

        let target = ws.placementMap(passThrough: passThrough)
        let actions = PlacementPlan.diff(from: snapshot.placement, to: target, reasons: reasons)
        return PlacementPlan(target: target, actions: actions)
    }

    /// The feasible worker with the lowest score: utilisation after adding (mode-aware, so a
    /// batch-max worker hosting small ranks is expensive for a large one) plus a rank-affinity term;
    /// workers that stay under the target utilisation always beat those that do not.
    func bestWorker(for a: Int, in ws: PlacementWorkspace) -> Int? {
        var best: Int?
        var bestKey = (2, Double.infinity)
        for w in ws.bins.indices where ws.fits(a, on: w) {
            let u = ws.utilisation(w, adding: a)
            let score = u + config.rankAffinityWeight * ws.rankDistance(a, w)
            let key = (u <= config.targetUtilisation ? 0 : 1, score)
            if key < bestKey { bestKey = key; best = w }
        }
        return best
    }

    private func paysOff(gainUtilisation: Double, capacity: Double, bytes: Int, costModel: CostModel) -> Bool {
        // Gain in worker-seconds per second over the horizon vs. the time the copy occupies the link.
        gainUtilisation * config.paybackHorizonSeconds >= config.movePaybackFactor * costModel.loadSeconds(bytes: bytes, from: .peer)
    }

    func relieve(_ ws: inout PlacementWorkspace, budget: inout Int, reasons: inout [AdapterID: String]) {
        var guardCount = 0
        while budget > 0, guardCount < 4 * ws.bins.count {
            guardCount += 1
            guard let src = ws.bins.indices.max(by: { ws.utilisation($0) < ws.utilisation($1) }),
                  ws.utilisation(src) > config.targetUtilisation else { return }
            let srcUtil = ws.utilisation(src)
            var bestMove: (a: Int, dst: Int, peak: Double)?
            for a in ws.bins[src].members {
                let after = ws.utilisation(src, removing: a)
                for dst in ws.bins.indices where dst != src && ws.fits(a, on: dst) {
                    let peak = max(after, ws.utilisation(dst, adding: a))
                    if peak < (bestMove?.peak ?? srcUtil - config.minUtilisationGain) { bestMove = (a, dst, peak) }
                }
            }
            guard let m = bestMove,
                  paysOff(gainUtilisation: srcUtil - m.peak, capacity: ws.bins[src].worker.capacityTokensPerSecond,
                          bytes: ws.adapters[m.a].bytes, costModel: ws.costModel) else { return }
            ws.remove(m.a, from: src)
            ws.add(m.a, to: m.dst)
            budget -= 1
            reasons[ws.adapters[m.a].id] = "relieve \(ws.bins[src].worker.id) (util \(pct(srcUtil)) → \(pct(m.peak)))"
        }
    }

    func homogenise(_ ws: inout PlacementWorkspace, budget: inout Int, reasons: inout [AdapterID: String]) {
        for src in ws.bins.indices where ws.bins[src].worker.computeMode == .batchMax {
            guard budget > 0 else { return }
            let top = ws.bins[src].maxRank
            let outliers = ws.bins[src].members.filter { ws.adapters[$0].rank == top }
            guard !outliers.isEmpty, outliers.count < ws.bins[src].members.count else { continue }
            for a in outliers {
                let before = ws.utilisation(src)
                let after = ws.utilisation(src, removing: a)
                var best: (dst: Int, cost: Double)?
                for dst in ws.bins.indices where dst != src && ws.fits(a, on: dst) {
                    let uDst = ws.utilisation(dst, adding: a)
                    guard uDst <= config.targetUtilisation else { continue }
                    let added = uDst - ws.utilisation(dst)
                    if added < (best?.cost ?? .infinity) { best = (dst, added) }
                }
                guard let b = best, budget > 0 else { continue }
                let gain = (before - after) - b.cost
                guard gain > config.minUtilisationGain,
                      paysOff(gainUtilisation: gain, capacity: ws.bins[src].worker.capacityTokensPerSecond,
                              bytes: ws.adapters[a].bytes, costModel: ws.costModel) else { continue }
                ws.remove(a, from: src)
                ws.add(a, to: b.dst)
                budget -= 1
                reasons[ws.adapters[a].id] = "rank grouping: r\(ws.adapters[a].rank) off \(ws.bins[src].worker.id)"
            }
        }
    }
}

func pct(_ x: Double) -> String { "\(Int((x * 100).rounded()))%" }
