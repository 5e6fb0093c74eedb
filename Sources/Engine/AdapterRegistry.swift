import Foundation
import LoRAAdapters
import ServeCore
import Synchronization

/// The engine's adapters and their residency, like a GPU engine's: a bounded *active set* of
/// prepared adapters a step may use, a larger LRU *host cache* of parsed weights, and the rest on
/// disk. Shared by HTTP handlers (load/unload/list) and the step loop, so guarded by a mutex; no
/// I/O ever happens while holding it.
final class AdapterRegistry: Sendable {
    struct Record {
        var info: AdapterInfo
        var host: LoRAAdapter?
        var prepared: PreparedAdapter?
        var loading = false
        var lastUsedTick: UInt64 = 0
        /// Distinguishes a re-registration under the same name (for the cached peer digest).
        var generation: UInt64 = 0
        /// SHA-256 of the peer wire payload, computed on the first export (weights are immutable).
        var wireDigest: String?
    }

    struct State {
        var records: [String: Record] = [:]
        var tick: UInt64 = 0
    }

    let state = Mutex(State())
    let config: EngineConfig

    init(config: EngineConfig) { self.config = config }

    /// Capacity rank of prepared weights: own rank (`exact`) or the configured maximum (vLLM slots).
    var capacityRank: Int { config.loraCompute == .exact ? 0 : config.maxLoRARank }

    @discardableResult
    func register(name: String, path: String, adapter: LoRAAdapter, loadSeconds: Double) throws(ServiceError) -> AdapterInfo {
        try state.withLock { (s: inout State) throws(ServiceError) -> AdapterInfo in
            guard s.records[name] == nil else { throw ServiceError.adapterExists(name) }
            s.tick += 1
            let info = AdapterInfo(name: name, path: path, rank: adapter.rank, bytes: adapter.byteCount,
                                   targets: adapter.targets.sorted().map(\.hfName), scale: adapter.scales.first ?? 0,
                                   residency: .host, loadCount: 1, lastLoadSeconds: loadSeconds)
            s.records[name] = Record(info: info, host: adapter, lastUsedTick: s.tick, generation: s.tick)
            Self.enforceHostLimit(&s, config: config)
            return info
        }
    }

    func remove(name: String) throws(ServiceError) {
        try state.withLock { (s: inout State) throws(ServiceError) in
            guard s.records.removeValue(forKey: name) != nil else { throw ServiceError.unknownAdapter(name) }
        }
    }

    func contains(_ name: String) -> Bool { state.withLock { $0.records[name] != nil } }

    func rank(of name: String) -> Int? { state.withLock { $0.records[name]?.info.rank } }

    /// The parsed weights when they are in memory (host or active tier), for a peer export, with
    /// the payload digest when an earlier export computed it.
    func exportSource(_ name: String) -> (weights: LoRAAdapter, digest: String?, generation: UInt64)? {
        state.withLock { s in
            guard let r = s.records[name], let host = r.host else { return nil }
            return (host, r.wireDigest, r.generation)
        }
    }

    /// Remembers the payload digest, unless the name was re-registered meanwhile.
    func storeWireDigest(_ name: String, generation: UInt64, _ digest: String) {
        state.withLock { s in
            if s.records[name]?.generation == generation { s.records[name]?.wireDigest = digest }
        }
    }

    /// Adapters fetched from a peer have no file to reload from: evicting their host copy drops them.
    static let peerPathPrefix = "peer:"

    func setPinned(_ name: String, _ pinned: Bool) throws(ServiceError) {
        try state.withLock { (s: inout State) throws(ServiceError) in
            guard s.records[name] != nil else { throw ServiceError.unknownAdapter(name) }
            s.records[name]?.info.pinned = pinned
        }
    }

    /// The prepared weights when the adapter is in the active set (the scheduler's readiness test).
    func prepared(_ name: String) -> PreparedAdapter? {
        state.withLock { s in
            guard var record = s.records[name], let prepared = record.prepared else { return nil }
            s.tick += 1
            record.lastUsedTick = s.tick
            s.records[name] = record
            return prepared
        }
    }

    func infos() -> [AdapterInfo] {
        state.withLock { $0.records.values.map(\.info).sorted { $0.name < $1.name } }
    }

    func count(request name: String, promptTokens: Int) {
        state.withLock { s in
            s.records[name]?.info.requests += 1
            s.records[name]?.info.promptTokens += promptTokens
        }
    }

    func count(generated name: String, tokens: Int) {
        state.withLock { $0.records[name]?.info.generatedTokens += tokens }
    }

    /// What to do to make `name` active: nothing, wait (a load is in flight), or start a load
    /// from host memory or disk. Marks it loading so only one loader runs.
    enum ActivationPlan { case ready, wait, activate(host: LoRAAdapter?, path: String), unknown }

    /// `inUse`: adapters running requests hold; with every active slot pinned or in use there is
    /// nothing to evict, so no load starts (it would only be prepared and dropped, every loop turn).
    func planActivation(_ name: String, inUse: Set<String>) -> ActivationPlan {
        state.withLock { s in
            guard var record = s.records[name] else { return .unknown }
            if record.prepared != nil { return .ready }
            if record.loading { return .wait }
            let active = s.records.filter { $0.value.prepared != nil }
            if active.count >= config.maxActiveAdapters,
               !active.contains(where: { !$0.value.info.pinned && !inUse.contains($0.key) }) { return .wait }
            record.loading = true
            record.info.residency = .loading
            s.records[name] = record
            return .activate(host: record.host, path: record.info.path)
        }
    }

    /// Installs a freshly prepared adapter, evicting least-recently-used active adapters that are
    /// neither pinned nor `inUse` until the count and byte budgets hold. Returns false (and leaves
    /// the adapter in host memory) when nothing can be evicted yet.
    @discardableResult
    func activate(_ name: String, host: LoRAAdapter, prepared: PreparedAdapter, loadSeconds: Double?, fromDisk: Bool,
                  inUse: Set<String>) -> Bool {
        state.withLock { s in
            guard var record = s.records[name] else { return false }
            record.loading = false
            record.host = host
            if fromDisk { record.info.loadCount += 1 }
            if let loadSeconds { record.info.lastLoadSeconds = loadSeconds }
            s.records[name] = record
            var active = s.records.filter { $0.value.prepared != nil }
            var bytes = active.values.reduce(0) { $0 + ($1.prepared?.byteCount ?? 0) }
            while active.count + 1 > config.maxActiveAdapters || bytes + prepared.byteCount > config.maxActiveAdapterBytes {
                let victims = active.filter { !$0.value.info.pinned && !inUse.contains($0.key) }
                guard let victim = victims.min(by: { $0.value.lastUsedTick < $1.value.lastUsedTick }) else {
                    s.records[name]?.info.residency = .host
                    return false
                }
                bytes -= victim.value.prepared?.byteCount ?? 0
                s.records[victim.key]?.prepared = nil
                s.records[victim.key]?.info.residency = .host
                s.records[victim.key]?.info.evictionCount += 1
                active.removeValue(forKey: victim.key)
            }
            s.tick += 1
            s.records[name]?.prepared = prepared
            s.records[name]?.info.residency = .active
            s.records[name]?.lastUsedTick = s.tick
            Self.enforceHostLimit(&s, config: config)
            return true
        }
    }

    func activationFailed(_ name: String) {
        state.withLock { s in
            guard var record = s.records[name] else { return }
            record.loading = false
            record.info.residency = record.host == nil ? .disk : .host
            s.records[name] = record
        }
    }

    /// Drops parsed weights of least-recently-used, inactive adapters beyond the host budgets.
    private static func enforceHostLimit(_ s: inout State, config: EngineConfig) {
        var hosted = s.records.filter { $0.value.host != nil }
        var bytes = hosted.values.reduce(0) { $0 + $1.info.bytes }
        while hosted.count > config.maxHostAdapters || bytes > config.maxHostAdapterBytes {
            let victims = hosted.filter { $0.value.prepared == nil && !$0.value.loading && !$0.value.info.pinned }
            guard let victim = victims.min(by: { $0.value.lastUsedTick < $1.value.lastUsedTick }) else { return }
            bytes -= victim.value.info.bytes
            hosted.removeValue(forKey: victim.key)
            if victim.value.info.path.hasPrefix(peerPathPrefix) {
                // No disk copy to fall back to: forget it (the controller re-fetches or reloads it).
                s.records.removeValue(forKey: victim.key)
                continue
            }
            s.records[victim.key]?.host = nil
            s.records[victim.key]?.info.residency = .disk
            s.records[victim.key]?.info.evictionCount += 1
        }
    }
}
