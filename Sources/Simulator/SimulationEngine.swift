import BatchScheduler
import Placement
import ServeCore

/// The discrete-event loop: arrivals are routed by the real router, workers run the real
/// `BatchScheduler`, steps take the cost model's time, loads take their tier's time, and the
/// controller runs the real placement and rebalancer at control ticks.
final class SimulationEngine {
    let workload: Workload
    let fleet: FleetSpec
    let policy: SimPolicy
    /// Compute mode per worker (tiered fleets mix padded limits).
    let modes: [ComputeMode]
    let cost: CostModel
    var workers: [SimulatedWorker] = []
    var loads: [WorkerLoad] = []
    var placementPolicy: any PlacementPolicy
    var router: any RoutingPolicy
    /// What the router uses: replicas whose weights are in place.
    var routing = PlacementMap()
    /// What the controller intends (includes loads in flight).
    var target = PlacementMap()
    var onDemand = false
    var estimator: RateEstimator
    var rebalancer = Rebalancer()
    var queue = EventQueue()
    let adapterIndex: [AdapterID: Int]
    /// Unloads waiting for the loads they make room for: (adapter, worker, workers still loading).
    var pendingUnloads: [(adapter: Int, worker: Int)] = []
    /// Per adapter index, the last step number that counted it (distinct adapters per step).
    var adapterStepStamp: [Int]

    // Per-request state, indexed like `workload.requests`.
    var assigned: [Int32]
    var firstTokenAt: [Double]
    /// Workers with a step in progress (for `SharedHost.slowdown`).
    var busyWorkers = 0
    /// Seconds outside the workers added to each request's TTFT and latency (`SharedHost`).
    var frontEndSeconds: Double { fleet.host?.frontEndSeconds ?? 0 }
    /// Request `i`'s time to first token as its client sees it (front end included).
    func timeToFirstToken(_ i: Int) -> Double { firstTokenAt[i] - workload.requests[i].arrivalSeconds + frontEndSeconds }
    var finishedAt: [Double]
    var generated: [Int32]
    var failed: [Bool]
    var workPerToken: [Double]

    // Counters.
    var events = 0, steps = 0, placementActions = 0, replans = 0, remoteFetches = 0
    var loadCounts: [String: Int] = [:]
    var timeline: [ActionRecord] = []
    var lastArrival = 0.0
    var outstanding = 0
    var observer: ((SimEvent) -> Void)?

    init(workload: Workload, fleet: FleetSpec, policy: SimPolicy, seed: UInt64, recordsTrace: Bool = false) throws(SchedulerConfigError) {
        self.workload = workload
        self.fleet = fleet
        self.policy = policy
        self.cost = fleet.costModel
        let maxRank = workload.adapters.map(\.rank).max() ?? 1
        let base = fleet.computeMode ?? policy.computeMode(fleetMaxRank: maxRank)
        self.modes = (0..<fleet.count).map { w in
            fleet.workerModes.map { $0.isEmpty ? base : $0[w % $0.count] } ?? base
        }
        self.placementPolicy = policy.makePlacement(seed: seed)
        self.router = policy.makeRouter()
        self.estimator = RateEstimator(windowSeconds: max(10, fleet.controlIntervalSeconds), smoothing: 0.3)
        var idx: [AdapterID: Int] = [:]
        for (i, a) in workload.adapters.enumerated() { idx[a.id] = i }
        self.adapterIndex = idx
        adapterStepStamp = Array(repeating: -1, count: workload.adapters.count)
        let n = workload.requests.count
        assigned = Array(repeating: -1, count: n)
        firstTokenAt = Array(repeating: -1, count: n)
        finishedAt = Array(repeating: -1, count: n)
        generated = Array(repeating: 0, count: n)
        failed = Array(repeating: false, count: n)
        workPerToken = Array(repeating: 1, count: n)
        let width = String(max(fleet.count - 1, 0)).count
        for w in 0..<fleet.count {
            let s = String(w)
            let id = WorkerID("w" + String(repeating: "0", count: max(0, width - s.count)) + s)
            let sched = try BatchScheduler(config: fleet.scheduler, recordsTrace: recordsTrace)
            let mode = modes[w]
            workers.append(SimulatedWorker(index: w, id: id, mode: mode, scheduler: sched,
                                           memoryBudget: fleet.adapterMemoryBytes, maxResident: fleet.maxResidentAdapters))
            loads.append(WorkerLoad(id: id, computeMode: mode, capacityTokensPerSecond: fleet.capacityTokensPerSecond(mode: mode),
                                    maxActiveAdapters: fleet.maxResidentAdapters))
        }
    }

    // MARK: - Run

    func run() {
        for (i, r) in workload.requests.enumerated() { queue.schedule(.arrival(request: i), at: r.arrivalSeconds) }
        for (k, t) in workload.driftTimes.enumerated() { queue.schedule(.drift(phase: k + 1), at: t) }
        lastArrival = workload.requests.last?.arrivalSeconds ?? 0
        initialPlacement()
        if policy.rebalances { queue.schedule(.controlTick, at: fleet.controlIntervalSeconds) }
        let deadline = lastArrival + fleet.drainLimitSeconds
        while let e = queue.pop() {
            if e.time > deadline { break }
            // A completion that re-timing made stale (shared host only) is not an event.
            if case let .stepComplete(w) = e.kind, e.time != workers[w].stepDueAt { continue }
            events += 1
            observer?(e)
            switch e.kind {
            case let .arrival(i): arrive(i, now: e.time)
            case let .stepComplete(w): completeStep(w, now: e.time)
            case let .kick(w):
                workers[w].kickPending = false
                kick(w, now: e.time)
            case let .adapterLoadComplete(w, a), let .peerFetchComplete(w, a): finishLoad(a, on: w, now: e.time)
            case .controlTick: controlTick(now: e.time)
            case .drift: break
            }
        }
        for i in workload.requests.indices where finishedAt[i] < 0 { failed[i] = true }
    }

    // MARK: - Requests

    func arrive(_ i: Int, now: Double) {
        let r = workload.requests[i]
        let adapter = workload.adapters[r.adapter]
        estimator.record(adapter: adapter.id, tokens: r.promptTokens + r.outputTokens, now: now)
        let req = RouteRequest(adapter: adapter.id, rank: adapter.rank, adapterBytes: adapter.bytes, tokens: r.promptTokens + r.outputTokens)
        guard let d = router.route(req, workers: loads, placement: routing, costModel: cost),
              let w = workers.firstIndex(where: { $0.id == d.worker }) else {
            failed[i] = true
            return
        }
        let worker = workers[w]
        let spec = RequestSpec(id: RequestID(UInt64(i)), adapter: adapter.id, promptTokenCount: r.promptTokens,
                               maxNewTokens: r.outputTokens, arrivedAt: now, rank: adapter.rank)
        do {
            try worker.scheduler.submit(spec, now: now)
        } catch {
            failed[i] = true
            return
        }
        if !worker.has(r.adapter) {
            let tier: CostModel.Tier = d.fetchFrom != nil ? .peer : (worker.hostCached.contains(r.adapter) ? .host : .disk)
            if d.fetchFrom != nil { remoteFetches += 1 }
            requestLoad(r.adapter, on: w, tier: tier, placed: false, now: now)
        }
        worker.draining.remove(r.adapter)
        worker.inflight[r.adapter, default: 0] += 1
        worker.lastUsed[r.adapter] = now
        assigned[i] = Int32(w)
        let mode = worker.mode
        let c = mode.effectiveRank(own: adapter.rank, batchMaxRank: adapter.rank)
        workPerToken[i] = cost.relativeTokenCost(effectiveRank: c, mode: mode)
        loads[w].queuedWork += Double(r.promptTokens + r.outputTokens) * workPerToken[i]
        loads[w].waitingRequests += 1
        outstanding += 1
        if worker.running == nil, !worker.kickPending {
            worker.kickPending = true
            queue.schedule(.kick(worker: w), at: now)
        }
    }

    /// Starts a step on an idle worker if its scheduler has anything runnable.
    func kick(_ w: Int, now: Double) {
        let worker = workers[w]
        guard worker.running == nil else { return }
        let ready = worker.ready
        let step = worker.scheduler.plan(now: now, isAdapterReady: { ready.contains($0) })
        guard !step.isEmpty else { return }
        var shape = StepShape()
        var sampled = 0
        // Distinct adapters by workload index (a request's adapter), stamped with this step's
        // number: no string comparisons per entry.
        for e in step.entries {
            var isNew = false
            if e.adapter != nil {
                let a = workload.requests[Int(e.request.rawValue)].adapter
                if adapterStepStamp[a] != steps { adapterStepStamp[a] = steps; isNew = true }
            }
            shape.add(tokens: e.tokenCount, rank: e.rank, newAdapter: isNew)
            if e.samplesNextToken { sampled += 1 }
        }
        worker.running = step
        steps += 1
        busyWorkers += 1
        worker.remainingSeconds = fleet.stepSeconds(shape, sampled: sampled, mode: worker.mode)
        worker.shareSince = now
        worker.shareSlowdown = fleet.host?.slowdown(busyWorkers: busyWorkers) ?? 1
        queue.schedule(.stepComplete(worker: w), at: worker.stepDueAt)
        reshare(now: now)
    }

    /// Processor sharing on a shared host: when the number of busy workers changes, every running
    /// step whose slowdown changes is re-timed from the work it has left (its earlier completion
    /// event goes stale: `stepDueAt` moved).
    func reshare(now: Double) {
        guard let host = fleet.host else { return }
        let slowdown = host.slowdown(busyWorkers: busyWorkers)
        for (w, worker) in workers.enumerated() where worker.running != nil && worker.shareSlowdown != slowdown {
            worker.remainingSeconds = max(0, worker.remainingSeconds - (now - worker.shareSince) / worker.shareSlowdown)
            worker.shareSince = now
            worker.shareSlowdown = slowdown
            queue.schedule(.stepComplete(worker: w), at: worker.stepDueAt)
        }
    }

    func completeStep(_ w: Int, now: Double) {
        let worker = workers[w]
        guard let step = worker.running else { return }
        worker.running = nil
        busyWorkers -= 1
        reshare(now: now)
        var done = 0.0
        for e in step.entries { done += Double(e.tokenCount) * workPerToken[Int(e.request.rawValue)] }
        loads[w].queuedWork = max(0, loads[w].queuedWork - done)
        for ev in worker.scheduler.update(step, results: [], now: now) {
            switch ev {
            case let .firstToken(id):
                let i = Int(id.rawValue)
                if firstTokenAt[i] < 0 { firstTokenAt[i] = now }
                loads[w].waitingRequests = max(0, loads[w].waitingRequests - 1)
            case let .finished(id, reason, gen):
                finish(Int(id.rawValue), on: w, ok: reason == .length || reason == .stop, generated: gen, now: now)
            case .preempted:
                break
            }
        }
        kick(w, now: now)
    }

    func finish(_ i: Int, on w: Int, ok: Bool, generated gen: Int, now: Double) {
        let worker = workers[w]
        let a = workload.requests[i].adapter
        finishedAt[i] = now
        generated[i] = Int32(gen)
        if !ok { failed[i] = true }
        outstanding -= 1
        let left = (worker.inflight[a] ?? 1) - 1
        worker.inflight[a] = left > 0 ? left : nil
        if left <= 0, worker.draining.contains(a) { unloadNow(a, on: w) }
        startWaitingLoads(w, now: now)
    }

    // MARK: - Adapter residency

    func requestLoad(_ a: Int, on w: Int, tier: CostModel.Tier, placed: Bool, now: Double) {
        let worker = workers[w]
        if placed { worker.placementLoads.insert(a) }
        guard !worker.has(a) else { return }
        worker.loads[a] = .waitingForRoom
        worker.waitingLoads.append((a, tier, placed))
        loads[w].pendingAdapters.insert(workload.adapters[a].id)
        startWaitingLoads(w, now: now)
    }

    func startWaitingLoads(_ w: Int, now: Double) {
        let worker = workers[w]
        while let first = worker.waitingLoads.first {
            let bytes = workload.adapters[first.adapter].bytes
            guard let victims = worker.makeRoom(bytes: bytes, adapters: workload.adapters) else { return }
            for v in victims { unloadNow(v, on: w) }
            worker.waitingLoads.removeFirst()
            worker.loads[first.adapter] = .loading
            worker.memoryUsed += bytes
            loadCounts[first.tier.rawValue, default: 0] += 1
            let done = now + cost.loadSeconds(bytes: bytes, from: first.tier)
            queue.schedule(first.tier == .peer ? .peerFetchComplete(worker: w, adapter: first.adapter)
                                               : .adapterLoadComplete(worker: w, adapter: first.adapter), at: done)
        }
    }

    func finishLoad(_ a: Int, on w: Int, now: Double) {
        let worker = workers[w]
        guard worker.loads[a] == .loading else { return }
        worker.markReady(a, adapters: workload.adapters)
        worker.lastUsed[a] = now
        loads[w].residentAdapters.insert(workload.adapters[a].id)
        loads[w].pendingAdapters.remove(workload.adapters[a].id)
        if worker.placementLoads.remove(a) != nil {
            // Make-before-break: routing switches to the new replica now, then queued unloads run.
            routing.add(workload.adapters[a].id, on: worker.id)
            runPendingUnloads(now: now)
        }
        kick(w, now: now)
    }

    func unloadNow(_ a: Int, on w: Int) {
        let worker = workers[w]
        worker.evict(a, adapters: workload.adapters)
        loads[w].residentAdapters.remove(workload.adapters[a].id)
        routing.remove(workload.adapters[a].id, from: worker.id)
    }
}
