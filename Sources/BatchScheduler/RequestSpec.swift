import ServeCore

/// What the scheduler needs to know about a request: sizes, adapter, arrival. Token ids stay with
/// the executor; the scheduler only counts positions.
public struct RequestSpec: Sendable, Equatable, Codable {
    public var id: RequestID
    /// `nil` = the base model.
    public var adapter: AdapterID?
    public var promptTokenCount: Int
    /// Generation stops with `.length` after this many tokens.
    public var maxNewTokens: Int
    /// Seconds, on the executor's clock. With `id` it orders requests of equal priority.
    public var arrivedAt: Double
    /// The adapter's LoRA rank, carried into step entries for cost models; 0 = base model.
    public var rank: Int

    public init(id: RequestID, adapter: AdapterID?, promptTokenCount: Int, maxNewTokens: Int,
                arrivedAt: Double, rank: Int = 0) {
        self.id = id
        self.adapter = adapter
        self.promptTokenCount = promptTokenCount
        self.maxNewTokens = maxNewTokens
        self.arrivedAt = arrivedAt
        self.rank = rank
    }

    /// Total order used for priority: earlier arrival first, then the smaller id.
    /// Preemption picks the *largest* key among running sequences as its victim.
    var priorityKey: PriorityKey { PriorityKey(arrivedAt: arrivedAt, id: id) }
}

/// Arrival time then request id; `arrivedAt` is validated finite, so this is a total order.
struct PriorityKey: Comparable, Sendable {
    var arrivedAt: Double
    var id: RequestID
    static func < (a: Self, b: Self) -> Bool {
        a.arrivedAt != b.arrivedAt ? a.arrivedAt < b.arrivedAt : a.id < b.id
    }
}

/// Why `submit` refused a request. The HTTP layer maps these once: `queueFull` → 429 with
/// `Retry-After`, `tooLong` → 400, `invalid` → 400.
public enum AdmissionError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The waiting queue holds `SchedulerConfig.maxWaiting` requests already.
    case queueFull(retryAfterSeconds: Double)
    /// `promptTokenCount + maxNewTokens` exceeds the context limit.
    case tooLong(limit: Int, requested: Int)
    case invalid(reason: String)

    public var description: String {
        switch self {
        case let .queueFull(retry): "waiting queue is full; retry after \(retry) s"
        case let .tooLong(limit, requested):
            "prompt + max_tokens = \(requested) tokens exceeds the context limit of \(limit)"
        case let .invalid(reason): "invalid request: \(reason)"
        }
    }
}
