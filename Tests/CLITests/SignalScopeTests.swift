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

    @Test func aBodyThatIgnoresGracefulShutdownIsCancelledAfterTheGrace() async throws {
        let (signals, send) = AsyncStream<Int32>.makeStream()
        let start = ContinuousClock.now
        try await SignalScope.run(.graceful, signals: signals, grace: .milliseconds(200)) {
            send.yield(SIGTERM)
            try await Task.sleep(for: .seconds(60))   // throws CancellationError when cancelled
        }
        #expect(ContinuousClock.now - start < .seconds(30), "cancelled after the grace, not after the sleep")
    }

    @Test func aSecondSignalStopsAtOnce() async throws {
        let (signals, send) = AsyncStream<Int32>.makeStream()
        let start = ContinuousClock.now
        try await SignalScope.run(.graceful, signals: signals, grace: .seconds(60)) {
            send.yield(SIGINT)
            send.yield(SIGINT)
            try await Task.sleep(for: .seconds(60))
        }
        #expect(ContinuousClock.now - start < .seconds(30))
    }

    @Test func cancelModeStopsOnTheFirstSignal() async throws {
        let (signals, send) = AsyncStream<Int32>.makeStream()
        let start = ContinuousClock.now
        try await SignalScope.run(.cancel, signals: signals, grace: .seconds(60)) {
            send.yield(SIGTERM)
            try await Task.sleep(for: .seconds(60))
        }
        #expect(ContinuousClock.now - start < .seconds(30))
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
