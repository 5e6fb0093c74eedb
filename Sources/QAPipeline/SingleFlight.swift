import SummaryCache

/// The async half of single-flight: the pure `InFlightTable` plus one continuation per waiting
/// follower. `join` returns `true` to the leader at once; a follower is suspended until the leader
/// calls `finish`, then gets `false` and should look the cache up again (a failed leader also
/// finishes, so followers retry and the first of them leads).
public actor SingleFlight<Key: Hashable & Sendable> {
    private var table = InFlightTable<Key>()
    private var parked: [InFlightTable<Key>.Ticket: CheckedContinuation<Void, Never>] = [:]

    public init() {}

    /// `true`: you lead, do the work and call `finish(key)`. `false`: a leader finished; retry.
    public func join(_ key: Key) async -> Bool {
        switch table.begin(key) {
        case .leader:
            return true
        case let .follower(ticket):
            // The closure runs on this actor before suspending, so `finish` cannot miss the ticket.
            await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in parked[ticket] = c }
            return false
        }
    }

    /// Ends the flight for `key` and wakes its followers in arrival order.
    public func finish(_ key: Key) {
        for ticket in table.complete(key) { parked.removeValue(forKey: ticket)?.resume() }
    }

    /// Followers waiting on `key` (tests use it to know every caller has joined).
    public func waiting(on key: Key) -> Int { table.followerCount(key) }
    public var totalWaiting: Int { parked.count }
}
