import Placement
import ServeCore

/// What the front door should do with one request.
public enum RouteOutcome: Sendable, Equatable {
    case worker(RoutedTo)
    case unknownModel(String)
    case noWorkers
}

extension ControllerState {
    /// Average tokens per request routed so far (prompt + expected output), for turning a worker's
    /// reported queue length into queued work.
    var meanRequestTokens: Double {
        metrics.routedRequests > 0 ? max(metrics.routedTokens / Double(metrics.routedRequests), 1) : Double(config.defaultOutputTokens)
    }

    /// The router's view of the fleet: queued work is this controller's in-flight work, or the
    /// worker's own queue (scraped, covering traffic from elsewhere) when that is larger.
    func routingView(excluding: Set<String>) -> [WorkerLoad] {
        workers.values.sorted { $0.url < $1.url }.map { w in
            let scraped = Double((w.scrape?.running ?? 0) + (w.scrape?.waiting ?? 0)) * meanRequestTokens
            // llm-d reads queue depth from metrics scraped every 50 ms; ours are seconds old, so the
            // affinity scorer also sees this controller's own in-flight count (fresher, same trend).
            let waiting = config.policy == .affinity ? max(w.scrape?.waiting ?? 0, w.inFlight) : (w.scrape?.waiting ?? 0)
            return WorkerLoad(id: w.id, isUp: w.isUp && !excluding.contains(w.url), computeMode: config.computeMode,
                              capacityTokensPerSecond: config.workerCapacityTokensPerSecond,
                              queuedWork: max(w.inFlightWork, scraped), waitingRequests: waiting,
                              maxActiveAdapters: slots(w),
                              residentAdapters: Set(w.residentAdapters.map { AdapterID($0) }),
                              pendingAdapters: Set(w.inFlightByAdapter.keys.map { AdapterID($0) }))
        }
    }

    /// Adapters a worker can keep loaded. vLLM's `max_lora` bounds what is resident; a LoRAServe
    /// worker (it has `/v1/adapters`) reports its per-step limit there but keeps a larger host
    /// cache, so the configured default applies when it is larger.
    func slots(_ w: WorkerRecord) -> Int {
        guard let s = w.scrape, let m = s.maxLoras else { return config.defaultMaxActiveAdapters }
        return s.hasAdapterEndpoint ? max(m, config.defaultMaxActiveAdapters) : m
    }

    /// Picks a worker for a request for `model` of about `tokens` tokens, skipping `excluding`
    /// (workers that already failed this request).
    public func route(model: String, tokens: Int, excluding: Set<String> = [], now: Double) -> RouteOutcome {
        let view = routingView(excluding: excluding)
        guard view.contains(where: \.isUp) else { return .noWorkers }
        if model == baseModel || (baseModel == nil && adapters[model] == nil && model.isEmpty) {
            guard let w = view.filter(\.isUp).min(by: { ($0.queuedSeconds, $0.id) < ($1.queuedSeconds, $1.id) }) else { return .noWorkers }
            noteRouted(worker: w.id.rawValue, adapter: nil, tokens: tokens, now: now)
            return .worker(RoutedTo(worker: w.id.rawValue, loadedOnDemand: false, reason: "base model: least loaded"))
        }
        guard let adapter = adapters[model] else {
            // A base model name we have not learned yet (no scrape so far): any worker will do.
            if baseModel == nil, let w = view.first(where: \.isUp) {
                noteRouted(worker: w.id.rawValue, adapter: nil, tokens: tokens, now: now)
                return .worker(RoutedTo(worker: w.id.rawValue, loadedOnDemand: false, reason: "base model unknown yet"))
            }
            return .unknownModel(model)
        }
        let request = RouteRequest(adapter: adapter.id, rank: adapter.rank, adapterBytes: adapter.bytes, tokens: tokens)
        guard let decision = router.route(request, workers: view, placement: placement, costModel: config.costModel) else {
            return .noWorkers
        }
        let url = decision.worker.rawValue
        let resident = workers[url]?.residentAdapters.contains(model) ?? false
        noteRouted(worker: url, adapter: model, tokens: tokens, now: now)
        if !decision.withinLoadBound { metrics.overBound += 1 }
        if decision.fetchFrom != nil || !resident { metrics.remoteAccess += 1 }
        return .worker(RoutedTo(worker: url, loadedOnDemand: !resident, fetchFrom: resident ? nil : decision.fetchFrom?.rawValue,
                                reason: decision.reason))
    }

    func noteRouted(worker: String, adapter: String?, tokens: Int, now: Double) {
        metrics.routedRequests += 1
        metrics.routedTokens += Double(tokens)
        metrics.routedByWorker[worker, default: 0] += 1
        workers[worker]?.routed += 1
        if let a = adapter {
            metrics.requestsByAdapter[a, default: 0] += 1
            rates.record(adapter: AdapterID(a), tokens: tokens, now: now)
        }
    }

    /// A request starts on `worker`: counts toward its queued work until `end`.
    public func begin(worker: String, adapter: String?, work: Double) {
        workers[worker]?.inFlight += 1
        workers[worker]?.inFlightWork += work
        if let a = adapter { workers[worker]?.inFlightByAdapter[a, default: 0] += 1 }
    }

    public func end(worker: String, adapter: String?, work: Double) {
        guard var w = workers[worker] else { return }
        w.inFlight -= 1
        w.inFlightWork = max(0, w.inFlightWork - work)
        workers[worker] = w
        if let a = adapter {
            let left = (workers[worker]?.inFlightByAdapter[a] ?? 1) - 1
            workers[worker]?.inFlightByAdapter[a] = left > 0 ? left : nil
        }
    }

    /// Predicted work of a request in base-token units (exact-rank cost of its adapter).
    public func work(model: String, tokens: Int) -> Double {
        let rank = adapters[model]?.rank ?? 0
        return Double(tokens) * config.costModel.relativeTokenCost(effectiveRank: rank, mode: config.computeMode)
    }

    /// The placement policy's input: every registered adapter (with EWMA rates; registered
    /// adapters are treated as pinned so each keeps a replica), every known worker, the routing map.
    public func snapshot(now: Double) -> ClusterSnapshot {
        rates.advance(now: now)
        let demands = adapters.values.sorted { $0.name < $1.name }.map { a in
            let r = rates.rate(of: a.id)
            return AdapterDemand(id: a.id, rank: a.rank, bytes: a.bytes, requestsPerSecond: r.requestsPerSecond,
                                 tokensPerSecond: r.tokensPerSecond, pinned: true)
        }
        let states = workers.values.sorted { $0.url < $1.url }.map { w in
            WorkerState(id: w.id, memoryBudgetBytes: config.workerMemoryBudgetBytes,
                        maxActiveAdapters: slots(w),
                        computeMode: config.computeMode, capacityTokensPerSecond: config.workerCapacityTokensPerSecond, isUp: w.isUp)
        }
        return ClusterSnapshot(adapters: demands, workers: states, placement: placement)
    }

    public func rate(of adapter: String) -> RateEstimator.Rate { rates.rate(of: AdapterID(adapter)) }

    /// Whether to plan now; records the plan's snapshot when it says yes.
    func shouldPlan(_ snapshot: ClusterSnapshot, now: Double, force: Bool) -> String? {
        // Baselines (vLLM-style round-robin, llm-d-style affinity) never move adapters: workers
        // load them on demand when the router sends them a request.
        guard config.policy.placesAdapters else { return nil }
        let trigger = rebalancer.shouldReplan(snapshot, costModel: config.costModel, now: now)
        let unplaced = snapshot.adapters.first { snapshot.placement.workers(for: $0.id).isEmpty }
        guard let reason = trigger?.description ?? (force ? "requested" : nil)
                ?? unplaced.map({ "unplaced \($0.id)" }) else { return nil }
        rebalancer.didPlan(snapshot, now: now)
        return reason
    }
}
