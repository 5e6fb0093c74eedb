import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// Runs a long-lived command (`controller`, `up`, `cache serve`, `bench cluster`) until it returns
/// or SIGINT/SIGTERM arrives, and then stops it without noise or loss.
///
/// `.graceful` (servers): the first signal triggers ServiceLifecycle's graceful shutdown, which
/// reaches every Hummingbird application inside `body` through the task-local chain: each closes
/// its listener, lets accepted requests finish, and returns. A second signal, or `grace` running
/// out, cancels what is left. Cancelling a server outright (what this did before) made
/// Hummingbird log "Waiting on child channel: CancellationError()" on every Ctrl-C, and
/// cancellation that lands while NIO hands over an accepted connection can trap the process
/// (apple/swift-nio#2637; see Tests/LiveServerSupport/LiveServer.swift).
/// `.cancel` (batch work such as a benchmark): the first signal cancels `body` at once.
///
/// After a signal the command returns normally (exit 0) unless `body` failed with something other
/// than the cancellation the signal asked for; a third signal, after the second, kills the process
/// (the default action is restored), so a body that ignores cancellation cannot hang it.
package enum SignalScope {
    package enum Mode: Sendable { case graceful, cancel }

    /// How long a graceful shutdown may take before the rest is cancelled.
    package static let grace: Duration = .seconds(10)

    static func run(_ mode: Mode = .graceful, _ body: @escaping @Sendable () async throws -> Void) async throws {
        try await run(mode, signals: processSignals(), body)
    }

    /// `run` with the signals as a stream (tests feed their own).
    package static func run(_ mode: Mode, signals: AsyncStream<Int32>, grace: Duration = grace,
                    _ body: @escaping @Sendable () async throws -> Void) async throws {
        var configuration = ServiceGroupConfiguration(
            services: [.init(service: Body(body: body), successTerminationBehavior: .gracefullyShutdownGroup)],
            gracefulShutdownSignals: [], cancellationSignals: [], logger: Logger(label: "loraserve.signals"))
        configuration.maximumGracefulShutdownDuration = grace
        let group = ServiceGroup(configuration: configuration)
        let signalled = SignalFlag()
        do {
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                tasks.addTask {
                    var received = 0
                    for await sig in signals {
                        received += 1
                        signalled.set()
                        let name = sig == SIGINT ? "SIGINT" : sig == SIGTERM ? "SIGTERM" : "signal \(sig)"
                        if mode == .cancel || received > 1 {
                            Console.progress("received \(name), stopping now")
                            // A body that ignores cancellation must not outlive a third signal.
                            signal(SIGINT, SIG_DFL)
                            signal(SIGTERM, SIG_DFL)
                            return
                        }
                        Console.progress("received \(name), shutting down (requests in flight finish; press Ctrl-C again to stop at once)")
                        await group.triggerGracefulShutdown()
                    }
                    // The stream ends only when this task is cancelled, after the group returned.
                }
                // The group returns when `body` does (on its own or shut down gracefully); the signal
                // task returns only to stop at once. Either way the other is cancelled.
                try await tasks.next()
                tasks.cancelAll()
            }
        } catch is CancellationError where signalled.isSet {
            // Stopped by a signal (at once, or the grace ran out): that is the asked-for outcome.
        }
    }

    /// SIGINT and SIGTERM as a stream (their default actions are disabled while it lives).
    static func processSignals() -> AsyncStream<Int32> {
        AsyncStream<Int32> { continuation in
            let queue = DispatchQueue(label: "loraserve.signals")
            var sources: [any DispatchSourceSignal] = []
            for sig in [SIGINT, SIGTERM] {
                signal(sig, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: sig, queue: queue)
                source.setEventHandler { continuation.yield(sig) }
                source.resume()
                sources.append(source)
            }
            let keep = UncheckedBox(sources)
            continuation.onTermination = { _ in keep.value.forEach { $0.cancel() } }
        }
    }

    /// `body` as the group's one service.
    private struct Body: Service {
        let body: @Sendable () async throws -> Void
        func run() async throws { try await body() }
    }
}

/// Set once a signal arrived (read after the task group ends).
final class SignalFlag: Sendable {
    private let value = Mutex(false)
    func set() { value.withLock { $0 = true } }
    var isSet: Bool { value.withLock { $0 } }
}

/// Holds non-Sendable values across a `@Sendable` boundary when only one thread touches them.
final class UncheckedBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
