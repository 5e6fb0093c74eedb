import CacheStores
import Foundation
import Logging
import PostgresNIO
import ServiceLifecycle
import Synchronization
import Testing

/// A server shutting down gracefully (Ctrl-C on `loraserve controller` / `cache serve`) still
/// finishes the requests it accepted, so the PostgreSQL pool its cache uses must outlive the
/// shutdown signal until the server's body returns. PostgresNIO ends `run()` on graceful
/// shutdown, so `withClient` must not run it as a child of the caller.
@Suite("Postgres pool and graceful shutdown", .enabled(if: PostgresTestServer.configuration != nil, "no PostgreSQL"))
struct PostgresGracefulShutdownTests {
    final class Outcome: Sendable {
        let value = Mutex<String?>(nil)
    }

    /// Opens a store, waits for the group's graceful shutdown, then uses the store.
    struct UsesTheStoreAfterShutdownStarts: Service {
        let configuration: PostgresClient.Configuration
        let outcome: Outcome
        let ready: AsyncStream<Void>.Continuation
        func run() async throws {
            try await PostgresSummaryStore.withClient(configuration) { client in
                let store = try await PostgresSummaryStore(client: client)
                ready.yield()
                try? await gracefulShutdown()
                do {
                    _ = try await store.count()
                    outcome.value.withLock { $0 = "ok" }
                } catch {
                    outcome.value.withLock { $0 = "failed: \(error)" }
                }
            }
        }
    }

    @Test func thePoolOutlivesTheShutdownSignalUntilTheBodyReturns() async throws {
        let configuration = try #require(PostgresTestServer.configuration)
        let outcome = Outcome()
        let (ready, continuation) = AsyncStream<Void>.makeStream()
        let service = UsesTheStoreAfterShutdownStarts(configuration: configuration, outcome: outcome, ready: continuation)
        let group = ServiceGroup(configuration: .init(
            services: [.init(service: service, successTerminationBehavior: .gracefullyShutdownGroup)],
            logger: Logger(label: "test")))
        let running = Task { try await group.run() }
        var iterator = ready.makeAsyncIterator()
        _ = await iterator.next()
        await group.triggerGracefulShutdown()
        try await running.value
        #expect(outcome.value.withLock { $0 } == "ok")
    }
}
