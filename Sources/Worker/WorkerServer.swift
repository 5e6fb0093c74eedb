import Engine
import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import OpenAIWire

/// The worker's HTTP front end: vLLM/OpenAI-compatible endpoints over any `InferenceService`.
///
/// ```swift
/// let server = try WorkerServer(config: config, service: engine, logger: logger)
/// try await server.run()      // or server.makeApplication() inside a ServiceGroup
/// ```
public struct WorkerServer: Sendable {
    public let config: WorkerConfig
    let service: any InferenceService
    let logger: Logger
    let readiness: Readiness
    let runner: GenerationRunner
    let now: @Sendable () -> Double
    let peerTransport: any AdapterPeerTransport
    let peerLimiter: PeerRateLimiter

    /// - Parameters:
    ///   - ready: initial `/health` state; flip it with `setReady(_:)` (e.g. false while draining).
    ///   - now: Unix seconds for `created` fields and `vllm:lora_requests_info`.
    public init(config: WorkerConfig, service: any InferenceService, logger: Logger, ready: Bool = true,
                now: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 },
                peerTransport: any AdapterPeerTransport = HTTPAdapterPeerTransport()) throws(WorkerConfig.ValidationError) {
        try config.validate()
        self.config = config
        self.service = service
        self.logger = logger
        self.now = now
        self.peerTransport = peerTransport
        peerLimiter = PeerRateLimiter(bytesPerSecond: config.peerRateLimitBytesPerSecond)
        readiness = Readiness(ready)
        runner = GenerationRunner(service: service, gate: AdmissionGate(capacity: config.maxQueuedRequests), counters: ServerCounters(),
                                  ids: RequestIDSource(), connections: ConnectionRegistry(), config: config)
    }

    public func setReady(_ ready: Bool) { readiness.set(ready) }
    public var isReady: Bool { readiness.isReady }
    /// Engine requests admitted by this server and not yet ended (0 when idle: nothing leaked).
    public var admittedRequests: Int { runner.gate.inFlight }

    public func makeRouter() -> Router<WorkerRequestContext> {
        let access = AccessControl(adminToken: config.adminToken, apiKeys: config.apiKeys)
        let inference = InferenceRoutes(runner: runner, access: access, config: config, now: now)
        let admin = AdminRoutes(runner: runner, access: access, pathGuard: AdapterPathGuard(root: config.adapterRoot), readiness: readiness,
                                config: config, now: now)
        let peer = PeerRoutes(service: service, access: access, config: config, limiter: peerLimiter, transport: peerTransport)
        let router = Router(context: WorkerRequestContext.self)
        // Middleware first: it must wrap every route and the router's own 404.
        router.add(middleware: LogRequestsMiddleware(.debug))
        router.add(middleware: OpenAIErrorMiddleware())
        router.post("/v1/completions") { request, context in try await inference.completions(request, context: context) }
        router.post("/v1/chat/completions") { request, context in try await inference.chat(request, context: context) }
        router.get("/v1/models") { request, _ in try await admin.models(request) }
        router.post("/v1/load_lora_adapter") { request, _ in try await admin.load(request) }
        router.post("/v1/unload_lora_adapter") { request, _ in try await admin.unload(request) }
        router.get("/v1/adapters") { request, _ in try await admin.adapters(request) }
        router.get("/v1/adapters/{name}/weights") { request, context in try await peer.weights(request, context: context) }
        router.post("/v1/adapters/fetch") { request, _ in try await peer.fetch(request) }
        router.get("/metrics") { _, _ in await admin.metrics() }
        router.get("/health") { _, _ in admin.health() }
        return router
    }

    public func makeApplication() -> Application<RouterResponder<WorkerRequestContext>> {
        let registry = runner.connections
        // One close handler per connection: it is how a request learns its client went away.
        let http1 = HTTP1Channel.Configuration(additionalChannelHandlers: [ConnectionCloseHandler(registry: registry)])
        return Application(router: makeRouter(), server: .http1(configuration: http1),
                           configuration: .init(address: .hostname(config.host, port: config.port), serverName: "loraserve-worker"), logger: logger)
    }

    /// Serves until SIGINT/SIGTERM.
    public func run() async throws {
        try await makeApplication().runService()
    }
}
