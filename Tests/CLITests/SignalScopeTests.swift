import CLI
import Foundation
import ServiceLifecycle
import Synchronization
import Testing

/// `SignalScope` with signals fed by the test: graceful shutdown first, cancellation on a second
/// signal or when the grace runs out, and a normal return either way.
@Suite struct SignalScopeTests {
    final class Log: Sendable {
        let lines = Mutex<[String]>([])
        func add(_ s: String) { lines.withLock { $0.append(s) } }
        var all: [String] { lines.withLock { $0 } }
    }

    @Test func oneSignalShutsTheBodyDownGracefully() async throws {
        let (signals, send) = AsyncStream<Int32>.makeStream()
        let log = Log()
        try await SignalScope.run(.graceful, signals: signals) {
            log.add("started")
            send.yield(SIGINT)
            try? await gracefulShutdown()
            log.add("drained")   // a server finishes accepted requests here
        }
        #expect(log.all == ["started", "drained"])
    }

    /// Sleeps far longer than any test may take and records whether it was cancelled. Asserting
    /// on the outcome, not on elapsed time: in a test process the cooperative threads are shared
    /// with CPU-bound suites, which can delay (not prevent) the cancellation by tens of seconds.
    static func sleepUntilCancelled(_ log: Log) async throws {
        do {
            try await Task.sleep(for: .seconds(900))
            log.add("slept")
        } catch {
            log.add("cancelled")
            throw error
        }
    }

    @Test func aBodyThatIgnoresGracefulShutdownIsCancelledAfterTheGrace() async throws {
        let (signals, send) = AsyncStream<Int32>.makeStream()
        let log = Log()
        try await SignalScope.run(.graceful, signals: signals, grace: .milliseconds(200)) {
            send.yield(SIGTERM)
            try await Self.sleepUntilCancelled(log)
        }
        #expect(log.all == ["cancelled"])
    }

    @Test func aSecondSignalStopsAtOnce() async throws {
        let (signals, send) = AsyncStream<Int32>.makeStream()
        let log = Log()
        // A grace longer than the body's sleep: only the second signal can end it early.
        try await SignalScope.run(.graceful, signals: signals, grace: .seconds(3600)) {
            send.yield(SIGINT)
            send.yield(SIGINT)
            try await Self.sleepUntilCancelled(log)
        }
        #expect(log.all == ["cancelled"])
    }

    @Test func cancelModeStopsOnTheFirstSignal() async throws {
        let (signals, send) = AsyncStream<Int32>.makeStream()
        let log = Log()
        try await SignalScope.run(.cancel, signals: signals, grace: .seconds(3600)) {
            send.yield(SIGTERM)
            try await Self.sleepUntilCancelled(log)
        }
        #expect(log.all == ["cancelled"])
    }

    struct Broken: Error {}

    @Test func aBodyThatFailsWithoutASignalStillFails() async {
        let (signals, _) = AsyncStream<Int32>.makeStream()
        await #expect(throws: Broken.self) {
            try await SignalScope.run(.graceful, signals: signals) { throw Broken() }
        }
    }

    @Test func aBodyThatReturnsEndsTheScope() async throws {
        let (signals, _) = AsyncStream<Int32>.makeStream()
        let log = Log()
        try await SignalScope.run(.graceful, signals: signals) { log.add("done") }
        #expect(log.all == ["done"])
    }
}
