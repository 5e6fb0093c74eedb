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

    /// Ways a body that ignores graceful shutdown still gets cancelled.
    struct Stop: Sendable, CustomStringConvertible {
        let description: String
        let mode: SignalScope.Mode
        let signals: [Int32]
        let grace: Duration
    }

    @Test(arguments: [
        Stop(description: "one signal, then the grace runs out", mode: .graceful, signals: [SIGTERM], grace: .milliseconds(200)),
        // A grace longer than the body's sleep: only the second signal can end it early.
        Stop(description: "a second signal stops at once", mode: .graceful, signals: [SIGINT, SIGINT], grace: .seconds(3600)),
        Stop(description: "cancel mode stops on the first signal", mode: .cancel, signals: [SIGTERM], grace: .seconds(3600)),
    ])
    func aBodyThatIgnoresGracefulShutdownIsCancelled(_ stop: Stop) async throws {
        let (signals, send) = AsyncStream<Int32>.makeStream()
        let log = Log()
        try await SignalScope.run(stop.mode, signals: signals, grace: stop.grace) {
            for sig in stop.signals { send.yield(sig) }
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
