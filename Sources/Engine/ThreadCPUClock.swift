import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The CPU-time clock of one thread, bound on that thread and read from any other, so a metrics
/// scrape can report how much CPU the step loop used without the loop timing itself every step.
package final class ThreadCPUClock: Sendable {
    private let clock = Mutex<clockid_t?>(nil)

    /// Binds to the calling thread (call it first thing on the thread to be measured).
    package init() {}

    package func bindToCurrentThread() {
        var id = clockid_t()
        guard pthread_getcpuclockid(pthread_self(), &id) == 0 else { return }
        clock.withLock { $0 = id }
    }

    /// CPU seconds the bound thread has used (0 before binding or where the clock is unavailable).
    package func seconds() -> Double {
        guard let id = clock.withLock({ $0 }) else { return 0 }
        var t = timespec()
        guard clock_gettime(id, &t) == 0 else { return 0 }
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }
}
