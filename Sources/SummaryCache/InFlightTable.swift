/// Single-flight bookkeeping as a pure table: which keys have a summarisation in progress and
/// who waits for it. The async runtime wraps it (an actor holding the table and one continuation
/// per ticket), so N concurrent identical misses pay one LLM call:
///
///     switch table.begin(key) {
///     case .leader: summarise, store, then resume the continuations of table.complete(key)
///     case .follower(let t): park a continuation under t; when woken, look up the cache again
///     }
///
/// `complete` is also what a failing or cancelled leader calls: the woken followers look up
/// again, miss, and the first to call `begin` becomes the next leader.
public struct InFlightTable<Key: Hashable & Sendable>: Sendable {
    /// A waiting follower's handle.
    public struct Ticket: Hashable, Sendable, Comparable, CustomStringConvertible {
        public let rawValue: UInt64
        public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
        public var description: String { "ticket-\(rawValue)" }
    }

    public enum Role: Sendable, Equatable {
        /// Do the work, then call `complete(key)`.
        case leader
        /// Wait until `complete(key)` returns this ticket.
        case follower(Ticket)
    }

    private var waiters: [Key: [Ticket]] = [:]
    private var nextTicket: UInt64 = 1

    public init() {}

    /// Registers interest in `key`: the first caller leads, later callers follow.
    public mutating func begin(_ key: Key) -> Role {
        if waiters[key] != nil {
            let t = Ticket(rawValue: nextTicket)
            nextTicket += 1
            waiters[key, default: []].append(t)
            return .follower(t)
        }
        waiters[key] = []
        return .leader
    }

    /// Ends the flight for `key`; returns the followers to wake, in arrival order.
    public mutating func complete(_ key: Key) -> [Ticket] {
        waiters.removeValue(forKey: key) ?? []
    }

    /// Withdraws a follower (e.g. its request was cancelled). Returns false if it was not waiting.
    public mutating func cancel(_ ticket: Ticket, for key: Key) -> Bool {
        guard var list = waiters[key], let i = list.firstIndex(of: ticket) else { return false }
        list.remove(at: i)
        waiters[key] = list
        return true
    }

    public func isInFlight(_ key: Key) -> Bool { waiters[key] != nil }
    /// Keys with a leader at work.
    public var inFlightCount: Int { waiters.count }
    /// Followers currently waiting on `key`.
    public func followerCount(_ key: Key) -> Int { waiters[key]?.count ?? 0 }
}

/// The single-flight key of a summarisation: the cache partition plus the exact question text
/// (whitespace-trimmed and case-folded). Paraphrases in flight at the same moment are not merged:
/// the second one looks up again after the first stores, and hits then.
public struct SummaryFlightKey: Hashable, Sendable {
    public var partition: PartitionKey
    public var normalizedQuery: String

    public init(partition: PartitionKey, query: String) {
        self.partition = partition
        self.normalizedQuery = query.split(whereSeparator: \.isWhitespace).joined(separator: " ").lowercased()
    }
}
