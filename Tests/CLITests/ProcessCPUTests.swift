import CLI
import Foundation
import Testing

/// CPU-time readings `bench cluster` uses to measure the background load of a local cluster.
@Suite struct ProcessCPUTests {
    @Test func statFieldsAreCountedAfterTheCommandName() {
        // A command name with spaces and a ")" inside; utime 250 and stime 50 ticks at 100 Hz.
        let line = "4242 (loraserve (x) y) S 1 4242 4242 0 -1 4194304 100 0 0 0 250 50 0 0 20 0 9 0 123 456 789"
        #expect(ProcessCPU.parseStat(line, ticksPerSecond: 100) == 3)
        #expect(ProcessCPU.parseStat("garbage", ticksPerSecond: 100) == nil)
        #expect(ProcessCPU.parseStat("1 (a) S 1 2", ticksPerSecond: 100) == nil)
        #expect(ProcessCPU.parseStat(line, ticksPerSecond: 0) == nil)
    }

    @Test func thisProcessAndItsOwnStatAgree() {
        // Burn a little CPU so both readings are above zero.
        var x = 0.0
        for i in 0..<3_000_000 { x += Double(i).squareRoot() }
        #expect(x > 0)
        let own = ProcessCPU.ownSeconds()
        #expect(own > 0)
        #if os(Linux)
        let viaProc = ProcessCPU.seconds(pid: getpid())
        #expect(viaProc != nil)
        // /proc counts in clock ticks (10 ms): within a few ticks plus the time between readings.
        #expect(abs((viaProc ?? 0) - own) < 0.5)
        #endif
    }
}
