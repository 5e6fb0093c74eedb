import Synchronization

/// Bounds how many engine requests (choices) the server has outstanding, running or waiting.
/// Requests beyond the bound are answered 429 before the engine sees them, so a burst cannot grow
/// the engine's queue without limit.
package final class AdmissionGate: Sendable {
    package let capacity: Int
    private let count = Mutex(0)

    package init(capacity: Int) {
        self.capacity = capacity
    }

    /// Reserves `slots`; false (nothing reserved) when that would exceed the capacity.
    package func tryAcquire(_ slots: Int) -> Bool {
        count.withLock { value in
            guard value + slots <= capacity else { return false }
            value += slots
            return true
        }
    }

    package func release(_ slots: Int) {
        count.withLock { $0 = max(0, $0 - slots) }
    }

    /// Engine requests currently admitted by this server.
    package var inFlight: Int { count.withLock { $0 } }
}
