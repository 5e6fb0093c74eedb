import Synchronization

/// Paces peer transfers to a byte rate shared by every transfer of this worker (a virtual-time
/// token bucket): each chunk reserves the next `bytes / rate` seconds of the link and waits for
/// its slot, so concurrent transfers split the rate instead of each getting all of it.
final class PeerRateLimiter: Sendable {
    let bytesPerSecond: Int?
    private let clock = ContinuousClock()
    private let nextFree: Mutex<ContinuousClock.Instant>

    init(bytesPerSecond: Int?) {
        self.bytesPerSecond = bytesPerSecond
        nextFree = Mutex(clock.now)
    }

    /// Waits until `bytes` may be sent (returns at once without a limit).
    func pace(_ bytes: Int) async throws {
        guard let rate = bytesPerSecond, rate > 0 else { return }
        let now = clock.now
        let start = nextFree.withLock { next -> ContinuousClock.Instant in
            let start = max(next, now)
            next = start + .nanoseconds(Int64(Double(bytes) / Double(rate) * 1e9))
            return start
        }
        if start > now { try await Task.sleep(until: start, clock: clock) }
    }
}
