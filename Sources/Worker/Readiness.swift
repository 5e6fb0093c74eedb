import Synchronization

/// Whether the worker answers `/health` with 200 (ready) or 503 (starting, draining).
final class Readiness: Sendable {
    private let state: Mutex<Bool>
    init(_ ready: Bool) { state = Mutex(ready) }
    var isReady: Bool { state.withLock { $0 } }
    func set(_ ready: Bool) { state.withLock { $0 = ready } }
}
