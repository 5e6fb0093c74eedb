import ServeCore

/// One sequence's share of a step: which token positions to feed, under which adapter.
public struct StepEntry: Sendable, Equatable {
    public enum Kind: Sendable, Equatable, Hashable {
        /// Prompt tokens (or, after a preemption, prompt + already generated tokens) at
        /// positions `start ..< start + count`.
        case prefill(start: Int, count: Int)
        /// The last generated token, fed at `position`.
        case decode(position: Int)
    }

    public var request: RequestID
    public var adapter: AdapterID?
    /// The adapter's rank from the request (0 = base), for cost models.
    public var rank: Int
    public var kind: Kind
    /// True when the last fed position's logits are sampled: the step yields a new token.
    /// False for a prefill chunk that is not the last one.
    public var samplesNextToken: Bool

    public init(request: RequestID, adapter: AdapterID?, rank: Int, kind: Kind, samplesNextToken: Bool) {
        self.request = request
        self.adapter = adapter
        self.rank = rank
        self.kind = kind
        self.samplesNextToken = samplesNextToken
    }

    /// The first position fed (the KV slot written first).
    public var position: Int {
        switch kind {
        case let .prefill(start, _): start
        case let .decode(position): position
        }
    }

    /// Tokens computed for this entry.
    public var tokenCount: Int {
        switch kind {
        case let .prefill(_, count): count
        case .decode: 1
        }
    }

    /// Positions to feed, in the sequence's own token list (prompt, then generated tokens).
    public var positions: Range<Int> { position ..< position + tokenCount }

    public var isDecode: Bool {
        if case .decode = kind { return true }
        return false
    }
}

/// The scheduler's decision for one model step: plain data the engine executes and the
/// simulator prices.
public struct Step: Sendable, Equatable {
    /// Counts non-empty steps from 0; `update` only accepts the step `plan` last returned.
    public var index: UInt64
    /// Decodes first (admission order), then prefill chunks (running, resumed, then new).
    public var entries: [StepEntry]
    /// Requests whose KV was discarded while planning this step (recompute preemption): the
    /// executor drops their cache; they will be prefilled again from position 0.
    public var preempted: [RequestID]

    public init(index: UInt64, entries: [StepEntry] = [], preempted: [RequestID] = []) {
        self.index = index
        self.entries = entries
        self.preempted = preempted
    }

    /// Tokens computed in this step; never above `SchedulerConfig.maxBatchTokens`.
    public var tokenCount: Int { entries.reduce(0) { $0 + $1.tokenCount } }

    /// Distinct adapters used, sorted; never more than `SchedulerConfig.maxAdaptersPerStep`.
    public var adapters: [AdapterID] {
        Array(Set(entries.compactMap(\.adapter))).sorted()
    }

    /// Nothing to run and nothing to drop: the executor may skip `update`.
    public var isEmpty: Bool { entries.isEmpty && preempted.isEmpty }

    /// Per request, the token positions to feed and whether to sample: what an engine needs to
    /// assemble the flattened batch.
    public var feeds: [TokenFeed] {
        entries.map { TokenFeed(request: $0.request, adapter: $0.adapter, positions: $0.positions,
                                samplesNextToken: $0.samplesNextToken) }
    }

    /// The compact form the drift test compares between engine and simulator.
    public var digest: StepDigest { StepDigest(self) }
}

/// One request's slice of the flattened batch.
public struct TokenFeed: Sendable, Equatable {
    public var request: RequestID
    public var adapter: AdapterID?
    public var positions: Range<Int>
    public var samplesNextToken: Bool

    public init(request: RequestID, adapter: AdapterID?, positions: Range<Int>, samplesNextToken: Bool) {
        self.request = request
        self.adapter = adapter
        self.positions = positions
        self.samplesNextToken = samplesNextToken
    }
}
