import BatchScheduler
import Placement
import ServeCore

/// One simulated worker: the real `BatchScheduler` plus adapter residency (memory, slots, LRU,
/// loads in flight, drains). Step timing is the engine's job (cost model of `mode`).
final class SimulatedWorker {
    enum LoadState { case loading, waitingForRoom }

    let index: Int
    let id: WorkerID
    let mode: ComputeMode
    var scheduler: BatchScheduler
    /// The step being executed, if any.
    var running: Step?
    /// The running step's calibrated seconds still to do, since when, and at what slowdown it has
    /// been progressing (1 unless a shared host re-timed it).
    var remainingSeconds = 0.0
    var shareSince = 0.0
    var shareSlowdown = 1.0
    /// When the running step completes (a queued `.stepComplete` at another time is stale: the
    /// step was re-timed on a shared host). The same expression the event was scheduled with, so
    /// the comparison is exact.
    var stepDueAt: Double { shareSince + remainingSeconds * shareSlowdown }
    /// A `.kick` event for this worker is queued and not yet processed.
    var kickPending = false
    /// Ready adapters (the scheduler's `isAdapterReady`), by id and by index.
    var ready: Set<AdapterID> = []
    var readyIndex: Set<Int> = []
    var loads: [Int: LoadState] = [:]
    /// Queued loads waiting for memory or a slot, in request order: (adapter, tier, placement-driven).
    var waitingLoads: [(adapter: Int, tier: CostModel.Tier, placed: Bool)] = []
    /// Loads started by placement actions (routing switches to this worker when they finish).
    var placementLoads: Set<Int> = []
    var lastUsed: [Int: Double] = [:]
    /// Requests on this worker per adapter (routed, not finished).
    var inflight: [Int: Int] = [:]
    /// Adapters to unload once their in-flight requests drain (make-before-break).
    var draining: Set<Int> = []
    /// Adapters this worker should keep (its share of the target placement): evicted last.
    var placed: Set<Int> = []
    /// Adapters ever resident here: a reload comes from host memory rather than disk.
    var hostCached: Set<Int> = []
    var memoryUsed = 0
    let memoryBudget: Int
    let maxResident: Int

    init(index: Int, id: WorkerID, mode: ComputeMode, scheduler: BatchScheduler, memoryBudget: Int, maxResident: Int) {
        self.index = index
        self.id = id
        self.mode = mode
        self.scheduler = scheduler
        self.memoryBudget = memoryBudget
        self.maxResident = maxResident
    }

    var occupiedSlots: Int { readyIndex.count + loads.values.reduce(0) { $0 + ($1 == .loading ? 1 : 0) } }

    func has(_ a: Int) -> Bool { readyIndex.contains(a) || loads[a] != nil }

    /// Frees room for `bytes` by evicting idle adapters, LRU first, unplaced before placed.
    /// Returns false (evicting nothing) when not enough idle adapters exist.
    func makeRoom(bytes: Int, adapters: [Workload.Adapter]) -> [Int]? {
        var slots = occupiedSlots, mem = memoryUsed
        if slots < maxResident, mem + bytes <= memoryBudget { return [] }
        let idle = readyIndex.filter { (inflight[$0] ?? 0) == 0 }
            .sorted { a, b in
                let pa = placed.contains(a), pb = placed.contains(b)
                if pa != pb { return !pa }
                let ta = lastUsed[a] ?? 0, tb = lastUsed[b] ?? 0
                return ta != tb ? ta < tb : a < b
            }
        var victims: [Int] = []
        for v in idle {
            guard slots >= maxResident || mem + bytes > memoryBudget else { break }
            victims.append(v)
            slots -= 1
            mem -= adapters[v].bytes
        }
        guard slots < maxResident, mem + bytes <= memoryBudget else { return nil }
        return victims
    }

    func evict(_ a: Int, adapters: [Workload.Adapter]) {
        guard readyIndex.remove(a) != nil else { return }
        ready.remove(adapters[a].id)
        memoryUsed -= adapters[a].bytes
        draining.remove(a)
    }

    func markReady(_ a: Int, adapters: [Workload.Adapter]) {
        loads[a] = nil
        guard readyIndex.insert(a).inserted else { return }
        ready.insert(adapters[a].id)
        hostCached.insert(a)
    }
}
