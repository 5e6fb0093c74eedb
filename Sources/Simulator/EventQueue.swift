/// What happens at an instant of simulated time.
public enum SimEventKind: Sendable, Hashable {
    /// Request `index` (into the workload) arrives at the controller.
    case arrival(request: Int)
    /// Worker `worker` finished the step it was running.
    case stepComplete(worker: Int)
    /// Worker `worker` plans its next step if idle. Scheduled by arrivals at their own time, so
    /// every request arriving at one instant is queued before the worker plans (as the engine's
    /// step loop drains its whole inbox before planning).
    case kick(worker: Int)
    /// Adapter `adapter` finished loading from disk or host memory on `worker`.
    case adapterLoadComplete(worker: Int, adapter: Int)
    /// Adapter `adapter` finished its copy from a peer worker's memory onto `worker`.
    case peerFetchComplete(worker: Int, adapter: Int)
    /// The controller's periodic rebalancing tick.
    case controlTick
    /// The workload's popularity was permuted (drift phase `phase` starts).
    case drift(phase: Int)
}

/// One scheduled event. Ordered by time, then by the sequence number given at scheduling, so
/// simultaneous events run in the order they were scheduled (never by hash or heap accident).
public struct SimEvent: Sendable, Hashable {
    public var time: Double
    public var sequence: UInt64
    public var kind: SimEventKind

    @inline(__always) static func precedes(_ a: SimEvent, _ b: SimEvent) -> Bool {
        a.time != b.time ? a.time < b.time : a.sequence < b.sequence
    }
}

/// A binary min-heap of events keyed by (time, sequence).
public struct EventQueue: Sendable {
    private var heap: [SimEvent] = []
    private var nextSequence: UInt64 = 0

    public init() {}

    public var count: Int { heap.count }
    public var isEmpty: Bool { heap.isEmpty }
    public var peekTime: Double? { heap.first?.time }

    /// Schedules `kind` at `time`; returns the sequence number it got.
    @discardableResult
    public mutating func schedule(_ kind: SimEventKind, at time: Double) -> UInt64 {
        let e = SimEvent(time: time, sequence: nextSequence, kind: kind)
        nextSequence += 1
        heap.append(e)
        var i = heap.count - 1
        while i > 0 {
            let parent = (i - 1) >> 1
            guard SimEvent.precedes(heap[i], heap[parent]) else { break }
            heap.swapAt(i, parent)
            i = parent
        }
        return e.sequence
    }

    /// Removes and returns the earliest event (ties: lowest sequence number).
    public mutating func pop() -> SimEvent? {
        guard let top = heap.first else { return nil }
        let last = heap.removeLast()
        if !heap.isEmpty {
            heap[0] = last
            var i = 0
            let n = heap.count
            while true {
                let l = 2 * i + 1, r = l + 1
                var m = i
                if l < n, SimEvent.precedes(heap[l], heap[m]) { m = l }
                if r < n, SimEvent.precedes(heap[r], heap[m]) { m = r }
                if m == i { break }
                heap.swapAt(i, m)
                i = m
            }
        }
        return top
    }
}
