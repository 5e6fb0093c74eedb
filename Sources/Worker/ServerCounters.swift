import Synchronization

/// Server-side counters that the engine cannot see (requests refused before reaching it).
final class ServerCounters: Sendable {
    private let state = Mutex(State())

    struct State: Sendable {
        var rejectedQueueFull = 0
        var clientDisconnects = 0
        var streamErrors = 0
    }

    func record(_ update: (inout State) -> Void) {
        state.withLock { update(&$0) }
    }

    var snapshot: State { state.withLock { $0 } }
}
