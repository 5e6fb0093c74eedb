import ServeCore

/// Which of a chunk's tokens need next-token logits.
public enum LogitRequest: Sendable, Equatable {
    /// None (a prefill chunk that is not the prompt's last).
    case none
    /// Only the last token (the usual prefill end or decode step).
    case last
    /// Every token (scoring a prompt, logprobs of a whole sequence).
    case all

    func rowCount(tokens: Int) -> Int {
        switch self {
        case .none: 0
        case .last: tokens > 0 ? 1 : 0
        case .all: tokens
        }
    }
}

/// One sequence's part of a batched forward step: new tokens appended to its KV cache.
///
/// The tokens take positions `cache.count ..< cache.count + tokens.count`.
public struct SequenceChunk {
    public var cache: KVCache
    public var tokens: [TokenID]
    public var logits: LogitRequest

    public init(cache: KVCache, tokens: [TokenID], logits: LogitRequest = .last) {
        self.cache = cache
        self.tokens = tokens
        self.logits = logits
    }
}
