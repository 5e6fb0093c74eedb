import Placement
import ServeCore

/// The controller inside the simulation: initial placement, control ticks running the real
/// rebalancer and placement, and make-before-break execution of the resulting actions.
extension SimulationEngine {
    func snapshot(rates: [AdapterID: RateEstimator.Rate]) -> ClusterSnapshot {
        let adapters = workload.adapters.map { a in
            let r = rates[a.id] ?? RateEstimator.Rate()
            return AdapterDemand(id: a.id, rank: a.rank, bytes: a.bytes, requestsPerSecond: r.requestsPerSecond,
                                 tokensPerSecond: r.tokensPerSecond)
        }
        let ws = workers.map {
            WorkerState(id: $0.id, memoryBudgetBytes: $0.memoryBudget, maxActiveAdapters: $0.maxResident, computeMode: $0.mode,
                        capacityTokensPerSecond: loads[$0.index].capacityTokensPerSecond)
        }
        return ClusterSnapshot(adapters: adapters, workers: ws, placement: target)
    }

    /// First placement from the first phase's expected demand, loaded before time 0 (a warm fleet).
    func initialPlacement() {
        let firstPhaseEnd = workload.driftTimes.first ?? (lastArrival > 0 ? lastArrival : 1)
        let early = workload.requests.prefix { $0.arrivalSeconds < firstPhaseEnd }
        let tokens = early.reduce(0.0) { $0 + Double($1.promptTokens + $1.outputTokens) } / max(firstPhaseEnd, 1e-9)
        let reqs = Double(early.count) / max(firstPhaseEnd, 1e-9)
        var rates: [AdapterID: RateEstimator.Rate] = [:]
        for (k, a) in workload.adapters.enumerated() where workload.initialShares[k] > 0 {
            rates[a.id] = RateEstimator.Rate(requestsPerSecond: reqs * workload.initialShares[k],
                                             tokensPerSecond: tokens * workload.initialShares[k])
        }
        let snap = snapshot(rates: rates)
        let plan = placementPolicy.plan(snap, costModel: cost)
        rebalancer.didPlan(snap, now: 0)
        onDemand = plan.allowsOnDemandLoading
        target = plan.target
        routing = plan.target
        for (aid, ws) in plan.target.replicas {
            guard let a = adapterIndex[aid] else { continue }
            for wid in ws { if let w = workers.firstIndex(where: { $0.id == wid }) { warm(a, on: w) } }
        }
        if onDemand {
            // On-demand fleets start with the most popular adapters cached everywhere (their steady state).
            let byPopularity = workload.adapters.indices.sorted {
                workload.initialShares[$0] != workload.initialShares[$1] ? workload.initialShares[$0] > workload.initialShares[$1] : $0 < $1
            }
            for w in workers.indices {
                for a in byPopularity where workers[w].mode.accepts(rank: workload.adapters[a].rank) {
                    guard workers[w].makeRoom(bytes: workload.adapters[a].bytes, adapters: workload.adapters) == [] else { break }
                    warm(a, on: w)
                }
            }
        }
    }

    func warm(_ a: Int, on w: Int) {
        let worker = workers[w]
        guard !worker.has(a) else { return }
        worker.memoryUsed += workload.adapters[a].bytes
        worker.loads[a] = .loading
        worker.markReady(a, adapters: workload.adapters)
        worker.placed.insert(a)
        loads[w].residentAdapters.insert(workload.adapters[a].id)
    }

    func controlTick(now: Double) {
        estimator.advance(now: now)
        let snap = snapshot(rates: estimator.rates)
        if let trigger = rebalancer.shouldReplan(snap, costModel: cost, now: now), trigger != .initial {
            let plan = placementPolicy.plan(snap, costModel: cost)
            rebalancer.didPlan(snap, now: now)
            if !plan.actions.isEmpty { replans += 1 }
            execute(plan, trigger: trigger, now: now)
        }
        if outstanding > 0 || now < lastArrival {
            queue.schedule(.controlTick, at: now + fleet.controlIntervalSeconds)
        }
    }

    func execute(_ plan: PlacementPlan, trigger: Rebalancer.Trigger, now: Double) {
        target = plan.target
        for w in workers { w.placed = [] }
        for (aid, ws) in plan.target.replicas {
            guard let a = adapterIndex[aid] else { continue }
            for wid in ws { if let w = workers.firstIndex(where: { $0.id == wid }) { workers[w].placed.insert(a) } }
        }
        for action in plan.actions {
            placementActions += 1
            if timeline.count < 500 { timeline.append(ActionRecord(timeSeconds: now, action: "\(action) [\(trigger)]")) }
            guard let a = adapterIndex[action.adapter], let w = workers.firstIndex(where: { $0.id == action.worker }) else { continue }
            switch action.kind {
            case .load:
                requestLoad(a, on: w, tier: workers[w].hostCached.contains(a) ? .host : .disk, placed: true, now: now)
            case .replicate, .fetchFromPeer:
                requestLoad(a, on: w, tier: .peer, placed: true, now: now)
            case .unload:
                pendingUnloads.append((a, w))
            }
            if action.kind != .unload, workers[w].readyIndex.contains(a) {
                workers[w].placementLoads.remove(a)
                routing.add(action.adapter, on: action.worker)
            }
        }
        runPendingUnloads(now: now)
    }

    /// Runs unloads whose adapter has no placement load still in flight anywhere: routing stops
    /// sending to the old worker, which drains its queued requests, then frees the memory.
    func runPendingUnloads(now: Double) {
        var keep: [(adapter: Int, worker: Int)] = []
        for u in pendingUnloads {
            if workers.contains(where: { $0.placementLoads.contains(u.adapter) }) {
                keep.append(u)
                continue
            }
            let id = workload.adapters[u.adapter].id
            // Never leave an adapter without a routable replica.
            if routing.workers(for: id) == [workers[u.worker].id] { continue }
            routing.remove(id, from: workers[u.worker].id)
            if (workers[u.worker].inflight[u.adapter] ?? 0) == 0 {
                unloadNow(u.adapter, on: u.worker)
            } else {
                workers[u.worker].draining.insert(u.adapter)
            }
        }
        pendingUnloads = keep
    }
}
