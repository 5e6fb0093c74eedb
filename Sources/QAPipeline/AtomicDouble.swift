import Synchronization

/// A Double behind a mutex (Synchronization's Atomic has no Double).
final class AtomicDouble: Sendable {
    private let storage = Mutex<Double>(0)
    func load() -> Double { storage.withLock { $0 } }
    func add(_ x: Double) { storage.withLock { $0 += x } }
}
