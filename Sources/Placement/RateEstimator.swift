import ServeCore

/// Per-adapter request and token rates, smoothed by an EWMA over fixed windows. Pure: the caller
/// passes `now` (seconds on any monotonic clock) and records events as they happen.
public struct RateEstimator: Sendable {
    public struct Rate: Sendable, Hashable, Codable {
        public var requestsPerSecond: Double = 0
        public var tokensPerSecond: Double = 0
        public init(requestsPerSecond: Double = 0, tokensPerSecond: Double = 0) {
            self.requestsPerSecond = requestsPerSecond
            self.tokensPerSecond = tokensPerSecond
        }
    }

    /// Window length, seconds.
    public let windowSeconds: Double
    /// Weight of the newest window (0...1); higher reacts faster to drift.
    public let smoothing: Double
    public private(set) var rates: [AdapterID: Rate] = [:]
    private var windowStart: Double
    private var counts: [AdapterID: (requests: Int, tokens: Int)] = [:]
    private var primed = false

    public init(windowSeconds: Double = 10, smoothing: Double = 0.3, now: Double = 0) {
        self.windowSeconds = max(windowSeconds, 1e-3)
        self.smoothing = min(max(smoothing, 0), 1)
        self.windowStart = now
    }

    /// Counts one request of `tokens` (prompt + expected output) for `adapter` at `now`.
    public mutating func record(adapter: AdapterID, tokens: Int, now: Double) {
        advance(now: now)
        counts[adapter, default: (0, 0)].requests += 1
        counts[adapter, default: (0, 0)].tokens += tokens
    }

    /// Closes every window that ended by `now`, folding it into the EWMA (empty windows decay rates).
    public mutating func advance(now: Double) {
        while now >= windowStart + windowSeconds {
            let keys = Set(rates.keys).union(counts.keys)
            // The first window seeds the average directly so a cold start is not biased to zero.
            let w = primed ? smoothing : 1
            for k in keys {
                let c = counts[k] ?? (0, 0)
                var r = rates[k] ?? Rate()
                r.requestsPerSecond = (1 - w) * r.requestsPerSecond + w * Double(c.requests) / windowSeconds
                r.tokensPerSecond = (1 - w) * r.tokensPerSecond + w * Double(c.tokens) / windowSeconds
                if r.requestsPerSecond < 1e-6 { rates[k] = nil } else { rates[k] = r }
            }
            counts.removeAll(keepingCapacity: true)
            primed = true
            windowStart += windowSeconds
            // Skip long idle stretches in one go: everything has decayed below the floor by then.
            if rates.isEmpty, now >= windowStart + windowSeconds {
                windowStart += ((now - windowStart) / windowSeconds).rounded(.down) * windowSeconds
            }
        }
    }

    public func rate(of adapter: AdapterID) -> Rate { rates[adapter] ?? Rate() }
}
