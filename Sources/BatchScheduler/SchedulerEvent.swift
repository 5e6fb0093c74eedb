import ServeCore

/// Why a sequence stopped.
public enum FinishReason: String, Sendable, Codable, Equatable, Hashable {
    /// End-of-generation token or a stop string (the executor decides).
    case stop
    /// `maxNewTokens` reached (the scheduler decides) or the executor's own length limit.
    case length
    case cancelled
    case error
}

/// What the executor observed for one sequence of a step.
///
/// An entry that `samplesNextToken` produced exactly one token unless `finished` says otherwise;
/// entries without a result are taken as "token produced, not finished", so a cost-model
/// executor can pass `[]`.
public struct SequenceResult: Sendable, Equatable {
    public var id: RequestID
    public var finished: FinishReason?
    public init(id: RequestID, finished: FinishReason? = nil) {
        self.id = id
        self.finished = finished
    }
}

/// What `update` reports back for metrics and streaming.
public enum SchedulerEvent: Sendable, Equatable {
    /// The first generated token of a request (not repeated after a recompute).
    case firstToken(RequestID)
    /// The request left the scheduler; its KV blocks and slot are free.
    case finished(RequestID, FinishReason, generatedTokens: Int)
    /// The request lost its KV (recompute preemption) in this step's plan and waits to resume.
    case preempted(RequestID)
}
