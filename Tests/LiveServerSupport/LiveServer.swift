import Logging
import ServiceLifecycle

/// An HTTP server on a loopback port for a test, stopped by graceful shutdown.
///
/// Tests must not stop a server by cancelling the task that runs it: if the cancellation lands
/// while NIO hands an accepted connection to the server, that connection's `NIOAsyncWriter` is
/// dropped unfinished and NIO traps the whole test process ("Deinited NIOAsyncWriter without
/// calling finish()", apple/swift-nio#2637 and #3481). Graceful shutdown, which the NIO
/// maintainers advise, closes the listener first, lets every accepted connection finish, then
/// returns. The server runs inside a `ServiceGroup`; nested groups (an `Application`'s own, or
/// one made by `runService`) receive the shutdown through ServiceLifecycle's task-local chain.
///
/// Its own target so the HTTP test suites share it without TestSupport depending on server packages.
public final class LiveServer: Sendable {
    public enum LiveServerError: Error, Sendable, CustomStringConvertible {
        case didNotStart(String)
        public var description: String {
            switch self { case let .didNotStart(why): "live server did not start: \(why)" }
        }
    }

    /// The bound port.
    public let port: Int
    private let group: ServiceGroup
    private let serving: Task<Void, any Error>

    private init(port: Int, group: ServiceGroup, serving: Task<Void, any Error>) {
        self.port = port
        self.group = group
        self.serving = serving
    }

    /// Builds a service (typically an `Application`) whose "server running" callback is `onReady`,
    /// runs it, and returns once it reports its bound port. If it stops before that (a bind
    /// failure) or the caller is cancelled meanwhile, it is shut down and the error is thrown.
    public static func start(app make: (_ onReady: @escaping @Sendable (Int) async -> Void) -> any Service) async throws -> LiveServer {
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let service = make { port in continuation.yield(port) }
        var configuration = ServiceGroupConfiguration(services: [service], gracefulShutdownSignals: [], cancellationSignals: [],
                                                      logger: Logger(label: "LiveServer"))
        // Only a guard against a test hanging forever on a connection that never ends: by then the
        // listener is closed, so the cancellation this escalates to cannot meet an accept.
        configuration.maximumGracefulShutdownDuration = .seconds(60)
        let group = ServiceGroup(configuration: configuration)
        let serving = Task {
            defer { continuation.finish() }
            try await group.run()
        }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else {
            await group.triggerGracefulShutdown()
            let outcome = await serving.result
            try Task.checkCancellation()
            try outcome.get()
            throw LiveServerError.didNotStart("the server returned before binding")
        }
        return LiveServer(port: port, group: group, serving: serving)
    }

    /// `start(app:)` for a function that serves until shut down (`CacheAPIServer.run`, `Controller.serve`).
    public static func start(serving run: @escaping @Sendable (_ onReady: @escaping @Sendable (Int) async -> Void) async throws -> Void)
        async throws -> LiveServer {
        try await start(app: { onReady in Serving { try await run(onReady) } })
    }

    /// Shuts the server down gracefully and returns once it is fully down. Safe to call twice.
    public func stop() async {
        await group.triggerGracefulShutdown()
        _ = await serving.result
    }

    /// Runs `body` with the port, then stops the server, also when `body` throws.
    public func serving<T>(_ body: (Int) async throws -> T) async throws -> T {
        do {
            let result = try await body(port)
            await stop()
            return result
        } catch {
            await stop()
            throw error
        }
    }

    /// A serve-until-shut-down function as a `Service`.
    private struct Serving: Service {
        let body: @Sendable () async throws -> Void
        func run() async throws { try await body() }
    }
}
