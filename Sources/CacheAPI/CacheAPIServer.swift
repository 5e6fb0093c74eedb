import Hummingbird
import NIOCore

/// The standalone summary-cache server (`loraserve cache serve`): the API routes plus `/health`.
public enum CacheAPIServer {
    public static func makeRouter(service: SummaryCacheService) -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        router.get("/health") { _, _ in "OK" }
        CacheAPIRoutes.add(to: router, service: service)
        return router
    }

    /// `onReady` gets the bound port (port 0 picks a free one).
    public static func makeApplication(service: SummaryCacheService, host: String = "127.0.0.1", port: Int,
                                       onReady: @escaping @Sendable (Int) async -> Void = { _ in }) -> some ApplicationProtocol {
        Application(router: makeRouter(service: service),
                    configuration: .init(address: .hostname(host, port: port), serverName: "loraserve-cache"),
                    onServerRunning: { channel in await onReady(channel.localAddress?.port ?? port) })
    }
}

/// Mounts the summary-cache API on another router (the controller's `extraRoutes`).
public typealias CacheRouteInstaller = @Sendable (Router<BasicRequestContext>) -> Void

extension CacheAPIServer {
    /// The installer that adds `service`'s routes to a router.
    public static func routes(_ service: SummaryCacheService) -> CacheRouteInstaller {
        { router in CacheAPIRoutes.add(to: router, service: service) }
    }

    /// Serves the API until the task is cancelled.
    public static func run(service: SummaryCacheService, host: String, port: Int,
                           onReady: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        try await makeApplication(service: service, host: host, port: port, onReady: onReady).runService(gracefulShutdownSignals: [])
    }
}
