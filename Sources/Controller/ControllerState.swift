import Placement
import ServeCore

/// Everything the controller knows, behind one actor: workers (health, scraped load, in-flight
/// requests), the adapter registry, the placement map the router follows, per-adapter rate
/// estimates, the action log and the counters behind `/metrics`. Time is passed in (`now`, seconds
/// since start) so tests drive it without a clock.
public actor ControllerState {
    public let config: ControllerConfig
    public internal(set) var workers: [String: WorkerRecord] = [:]
    public internal(set) var adapters: [String: AdapterRecord] = [:]
    /// Where the router sends each adapter (only live, loaded replicas).
    public internal(set) var placement = PlacementMap()
    /// Adapters a worker loaded on demand (remote access), usable by the router, not planned.
    var rates: RateEstimator
    var rebalancer: Rebalancer
    /// The policy's router (`PolicyMode.makeRouter`).
    var router: any RoutingPolicy
    public internal(set) var actions: [ActionRecord] = []
    var actionSequence = 0
    public internal(set) var metrics = ControllerMetrics()
    public internal(set) var baseModel: String?

    public init(config: ControllerConfig, now: Double = 0) {
        self.config = config
        rates = RateEstimator(windowSeconds: config.rateWindowSeconds, smoothing: config.rateSmoothing, now: now)
        rebalancer = Rebalancer(cooldownSeconds: config.rebalanceCooldownSeconds)
        router = config.policy.makeRouter(loadBound: config.routerLoadBound, slackSeconds: config.routerSlackSeconds,
                                          remoteAccess: config.remoteAccess)
        baseModel = config.baseModel
        var initial: [String: WorkerRecord] = [:]
        for url in config.workers { initial[url] = WorkerRecord(url: url, origin: .configured) }
        workers = initial
    }

    // MARK: workers

    /// Adds a worker (self-registration) or refreshes its heartbeat. Returns true when it is new.
    @discardableResult
    public func register(worker url: String, now: Double) -> Bool {
        if workers[url] != nil {
            workers[url]?.lastHeartbeat = now
            return false
        }
        var w = WorkerRecord(url: url, origin: .registered)
        w.lastHeartbeat = now
        workers[url] = w
        return true
    }

    public func removeWorker(_ url: String) {
        workers[url] = nil
        dropReplicas(on: url)
    }

    /// Forgets self-registered workers that are down and sent no heartbeat for `seconds`.
    public func expireRegistered(now: Double, after seconds: Double) -> [String] {
        let gone = workers.values.filter {
            $0.origin == .registered && !$0.isUp && now - max($0.lastHeartbeat ?? 0, $0.lastSeen ?? 0) > seconds
        }.map(\.url)
        for url in gone { removeWorker(url) }
        return gone.sorted()
    }

    public var workerURLs: [String] { workers.keys.sorted() }
    public var upWorkerURLs: [String] { workers.values.filter(\.isUp).map(\.url).sorted() }

    /// Folds one health result in. Returns the new up/down state when it changed.
    public func recordHealth(_ url: String, _ result: HealthResult, now: Double) -> Bool? {
        guard var w = workers[url] else { return nil }
        let wasUp = w.isUp
        switch result {
        case .healthy:
            w.consecutiveFailures = 0
            w.lastSeen = now
            w.ready = true
            w.isUp = true
        case .notReady:
            // Alive but loading or draining: not routable, but not failing either.
            w.lastSeen = now
            w.ready = false
            w.isUp = false
        case .refused:
            w.consecutiveFailures += 2
        case .timedOut:
            w.consecutiveFailures += 1
        }
        if result == .refused || result == .timedOut, w.consecutiveFailures >= config.downAfterFailures {
            w.isUp = false
            w.ready = false
        }
        if w.isUp != wasUp { w.lastChange = now }
        workers[url] = w
        guard w.isUp != wasUp else { return nil }
        metrics.workerTransitions += 1
        if !w.isUp { dropReplicas(on: url) }
        return w.isUp
    }

    /// A forward failed to connect: counts as a failed health check right away.
    public func recordForwardFailure(_ url: String, connectivity: Bool, now: Double) -> Bool? {
        workers[url]?.failures += 1
        return connectivity ? recordHealth(url, .refused, now: now) : nil
    }

    /// Applies a scrape: load, the worker's adapters, the base model name. On the first scrape
    /// after a worker (re)joins, the registered adapters it holds join the placement (this rebuilds
    /// the map after a controller restart); later, only adapters with no replica anywhere do.
    /// Copies made on demand (remote access) stay residency — a cache the router uses and the
    /// worker's LRU evicts — not replicas for the placement loop to "cool" away and the router to
    /// fetch again (the churn `bench cluster` showed); the simulator treats them the same way.
    /// Unknown adapters with a path and rank are adopted into the registry.
    public func recordScrape(_ url: String, _ scrape: WorkerScrape, now: Double) {
        guard workers[url] != nil else { return }
        workers[url]?.scrape = scrape
        workers[url]?.lastSeen = now
        if baseModel == nil, let b = scrape.baseModel { baseModel = b }
        guard workers[url]?.isUp == true else { return }
        let resident = Set(scrape.adapters.map(\.name))
        for a in scrape.adapters {
            if adapters[a.name] == nil, let path = a.path, let rank = a.rank {
                adapters[a.name] = AdapterRecord(name: a.name, path: path, rank: rank,
                                                 bytes: a.bytes ?? AdapterRecord.estimatedBytes(rank: rank), registeredAt: now)
            }
            if let b = a.bytes, b > 0 { adapters[a.name]?.bytes = b }
            let id = AdapterID(a.name)
            let adopt = workers[url]?.adoptedResidents == false || placement.workers(for: id).isEmpty
            if adapters[a.name] != nil, adopt, !placement.contains(id, on: WorkerID(url)) {
                placement.add(id, on: WorkerID(url))
            }
        }
        workers[url]?.adoptedResidents = true
        // A replica the worker no longer has (evicted, restarted) leaves the routing table.
        for a in placement.adaptersByWorker()[WorkerID(url)] ?? [] where !resident.contains(a.rawValue) && scrape.hasAdapterEndpoint {
            placement.remove(a, from: WorkerID(url))
        }
    }

    func dropReplicas(on url: String) {
        workers[url]?.adoptedResidents = false
        for a in placement.adaptersByWorker()[WorkerID(url)] ?? [] { placement.remove(a, from: WorkerID(url)) }
    }

    // MARK: adapters

    public enum RegistryError: Error, Sendable, Equatable, CustomStringConvertible {
        case exists(String)
        case unknown(String)
        case invalid(String)
        public var description: String {
            switch self {
            case let .exists(n): "adapter '\(n)' is already registered"
            case let .unknown(n): "adapter '\(n)' is not registered"
            case let .invalid(m): m
            }
        }
    }

    public func register(adapter: AdapterRecord) throws(RegistryError) {
        guard !adapter.name.isEmpty, adapter.name != baseModel else { throw .invalid("adapter name '\(adapter.name)' is not allowed") }
        guard adapters[adapter.name] == nil else { throw .exists(adapter.name) }
        guard adapter.rank > 0, adapter.rank <= 4096 else { throw .invalid("rank \(adapter.rank) is out of range") }
        adapters[adapter.name] = adapter
    }

    /// Forgets an adapter; returns the workers that held it (to unload there).
    public func unregister(adapter name: String) throws(RegistryError) -> [String] {
        guard adapters[name] != nil else { throw .unknown(name) }
        adapters[name] = nil
        let holders = placement.workers(for: AdapterID(name)).map(\.rawValue)
        for w in holders { placement.remove(AdapterID(name), from: WorkerID(w)) }
        let resident = workers.values.filter { $0.residentAdapters.contains(name) }.map(\.url)
        return Array(Set(holders + resident)).sorted()
    }

    public func adapter(_ name: String) -> AdapterRecord? { adapters[name] }

    // MARK: placement map (executor side)

    public func addReplica(_ adapter: String, on worker: String) {
        guard workers[worker]?.isUp == true else { return }
        placement.add(AdapterID(adapter), on: WorkerID(worker))
        // Keep the scraped view in step so the router counts it as resident before the next scrape.
        if workers[worker]?.scrape?.adapters.contains(where: { $0.name == adapter }) == false {
            workers[worker]?.scrape?.adapters.append(ResidentAdapter(name: adapter, residency: "active"))
        }
    }

    public func removeReplica(_ adapter: String, from worker: String) {
        placement.remove(AdapterID(adapter), from: WorkerID(worker))
    }

    public func forgetResident(_ adapter: String, on worker: String) {
        workers[worker]?.scrape?.adapters.removeAll { $0.name == adapter }
    }

    public func inFlight(adapter: String, on worker: String) -> Int {
        workers[worker]?.inFlightByAdapter[adapter] ?? 0
    }

    public func liveReplicas(of adapter: String) -> [String] {
        placement.workers(for: AdapterID(adapter)).map(\.rawValue).filter { workers[$0]?.isUp == true }
    }

    // MARK: action log

    func log(_ action: ControlAction, outcome: String, seconds: Double, now: Double) {
        actionSequence += 1
        var kind = "load", peer: String?
        switch action.kind {
        case .load: kind = "load"
        case let .replicate(p): kind = "replicate"; peer = p.rawValue
        case let .fetchFromPeer(p): kind = "fetch_from_peer"; peer = p.rawValue
        case .unload: kind = "unload"
        }
        actions.append(ActionRecord(sequence: actionSequence, at: now, kind: kind, adapter: action.adapter.rawValue,
                                    worker: action.worker.rawValue, peer: peer, reason: action.reason, outcome: outcome, seconds: seconds))
        if actions.count > config.actionLogLimit { actions.removeFirst(actions.count - config.actionLogLimit) }
        metrics.placementActions[kind + (outcome.hasPrefix("ok") ? "" : "_failed"), default: 0] += 1
    }

    func recordPlanned(solveSeconds: Double, trigger: String, actions count: Int) {
        metrics.plans += 1
        metrics.lastSolveSeconds = solveSeconds
        metrics.maxSolveSeconds = max(metrics.maxSolveSeconds, solveSeconds)
        metrics.lastTrigger = trigger
        metrics.lastPlanActions = count
    }

    func updateMetrics(_ body: (inout ControllerMetrics) -> Void) { body(&metrics) }
}

extension ControllerState {
    /// A worker loaded an adapter on demand (remote access): routable there from now on.
    public func addResident(_ adapter: String, on worker: String) {
        if workers[worker]?.scrape == nil { workers[worker]?.scrape = WorkerScrape() }
        if workers[worker]?.scrape?.adapters.contains(where: { $0.name == adapter }) == false {
            workers[worker]?.scrape?.adapters.append(ResidentAdapter(name: adapter, residency: "active"))
        }
    }
}
