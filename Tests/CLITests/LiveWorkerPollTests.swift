import Foundation
import Testing

/// `LiveWorker.poll` against a fake clock: a probe refused early but read late must not end the
/// wait (the starved-pool case that failed both live-worker tests in CI); a probe sent late must.
@Suite struct LiveWorkerPollTests {
    final class Script {
        var clock = Date(timeIntervalSince1970: 0)
        var probes = 0
        var alive = true
    }

    @Test func anEarlyRefusalReadAfterTheDeadlineIsAskedAgain() async throws {
        let s = Script()
        let deadline = s.clock.addingTimeInterval(120)
        let healthy = try await LiveWorker.poll(until: deadline, now: { s.clock }, probe: {
            s.probes += 1
            if s.probes == 1 { s.clock = s.clock.addingTimeInterval(138); return false }  // resumed late
            return true
        }, alive: { s.alive }, pause: {})
        #expect(healthy)
        #expect(s.probes == 2)
    }

    @Test func aProbeSentAfterTheDeadlineEndsTheWait() async throws {
        let s = Script()
        let deadline = s.clock.addingTimeInterval(1)
        let healthy = try await LiveWorker.poll(until: deadline, now: { s.clock }, probe: {
            s.probes += 1
            return false
        }, alive: { s.alive }, pause: { s.clock = s.clock.addingTimeInterval(0.1) })
        #expect(!healthy)
        #expect(s.probes == 11, "probes at 0, 0.1, …, 1.0 s; the one sent at 1.0 s is past the deadline")
    }

    @Test func aDeadProcessEndsTheWaitAtOnce() async throws {
        let s = Script()
        s.alive = false
        let healthy = try await LiveWorker.poll(until: s.clock.addingTimeInterval(120), now: { s.clock }, probe: {
            s.probes += 1
            return false
        }, alive: { s.alive }, pause: {})
        #expect(!healthy)
        #expect(s.probes == 1)
    }
}
