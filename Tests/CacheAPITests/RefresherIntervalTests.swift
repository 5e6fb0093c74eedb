@testable import CacheAPI
import Testing

/// The shared-cache poller's pause is bounded whatever the interval: an operator's `1e30` or NaN
/// once overflowed the nanosecond count (`UInt64(interval * 1e9)` traps).
@Suite struct RefresherIntervalTests {
    @Test(arguments: [(2.0, 2_000_000_000), (0, 10_000_000), (-5, 10_000_000), (.nan, 10_000_000),
                      (1e30, 86_400_000_000_000), (.infinity, 86_400_000_000_000)] as [(Double, UInt64)])
    func pauseIsClamped(interval: Double, nanoseconds: UInt64) {
        #expect(SharedCacheRefresher.sleepNanoseconds(interval) == nanoseconds)
    }
}
