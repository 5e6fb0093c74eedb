import Engine
import Foundation
import Synchronization
import Testing

@Suite struct ThreadCPUClockTests {
    /// Bound on one thread, read from another: the CPU that thread burned, not the reader's.
    @Test func readsTheBoundThreadsCPUTimeFromAnotherThread() async throws {
        let clock = ThreadCPUClock()
        #expect(clock.seconds() == 0, "unbound")
        let done = Mutex(false)
        // The thread stays alive until read (a thread's CPU clock ends with the thread; the step
        // loop's lives as long as its engine), blocked without spinning: under a loaded test run
        // the reader's 50 ms sleep can last seconds, and a polling wait would burn CPU meanwhile.
        let release = DispatchSemaphore(value: 0)
        let thread = Thread {
            clock.bindToCurrentThread()
            var x = 0.0
            for i in 0..<20_000_000 { x += Double(i).squareRoot() }
            done.withLock { $0 = x > 0 }
            release.wait()
        }
        thread.start()
        while !done.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(10)) }
        let used = clock.seconds()
        #expect(used > 0.001)
        // The reader's own waiting is not counted: the value only moves while the bound thread runs.
        try await Task.sleep(for: .milliseconds(50))
        #expect(clock.seconds() - used < 0.05)
        release.signal()
    }
}
