import Foundation
import Hummingbird
import NIOCore
import OpenAIWire

/// The controller's HTTP front door (Hummingbird 2): OpenAI endpoints routed to workers, the fleet
/// API, worker self-registration, `/metrics`, `/health` and `/dashboard`.
public struct ControllerServer: Sendable {
    public let controller: Controller
    /// Adds more routes to the front door (e.g. the summary-cache API), so this target need not
    /// depend on what they serve.
    public let extraRoutes: (@Sendable (Router<BasicRequestContext>) -> Void)?

    public init(controller: Controller, extraRoutes: (@Sendable (Router<BasicRequestContext>) -> Void)? = nil) {
        self.controller = controller
        self.extraRoutes = extraRoutes
    }

    public func makeRouter() -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        extraRoutes?(router)
        let c = controller
        router.post("/v1/completions") { request, _ in try await Self.inference(c, request, path: "/v1/completions") }
        router.post("/v1/chat/completions") { request, _ in try await Self.inference(c, request, path: "/v1/chat/completions") }
        router.get("/v1/models") { _, _ in await Self.models(c) }
        router.get("/health") { _, _ in
            await c.state.upWorkerURLs.isEmpty
                ? Reply.error(.unavailable("No worker is up yet.", retryAfterSeconds: 1)) : Reply.text("OK")
        }
        router.get("/metrics") { _, _ in
            Reply.text(await c.state.renderMetrics(), contentType: "text/plain; version=0.0.4; charset=utf-8")
        }
        router.get("/dashboard") { _, _ in Reply.text(await Dashboard.render(c), contentType: "text/html; charset=utf-8") }
        router.get("/v1/loras") { request, _ in
            if let denied = Self.deny(c, request) { return denied }
            return Reply.json(LoRAList(data: await c.state.loraInfos()))
        }
        router.post("/v1/loras") { request, _ in
            if let denied = Self.deny(c, request) { return denied }
            return await Self.registerLoRA(c, request)
        }
        router.delete("/v1/loras/:name") { request, context in
            if let denied = Self.deny(c, request) { return denied }
            return await Self.deleteLoRA(c, context.parameters.get("name") ?? "")
        }
        router.get("/v1/workers") { request, _ in
            if let denied = Self.deny(c, request) { return denied }
            return Reply.json(await c.state.workerInfos())
        }
        router.post("/v1/workers/register") { request, _ in
            if let denied = Self.deny(c, request) { return denied }
            do {
                let body = try Reply.decode(RegisterWorkerRequest.self, try await Reply.body(request))
                guard body.url.hasPrefix("http://") || body.url.hasPrefix("https://") else {
                    return Reply.error(.badRequest("url must start with http:// or https://", param: "url"))
                }
                let url = body.url.hasSuffix("/") ? String(body.url.dropLast()) : body.url
                let added = await c.state.register(worker: url, now: c.now())
                if added {
                    Log.info("worker \(url) registered")
                    await c.checkHealth(only: url)
                }
                return Reply.json(["status": added ? "registered" : "heartbeat"])
            } catch {
                return Reply.error((error as Any) as? APIError ?? .badRequest("\(error)"))
            }
        }
        router.get("/v1/placement/actions") { _, _ in
            Reply.json(ActionList(data: Array(await c.state.actions.reversed())))
        }
        router.post("/v1/placement/plan") { request, _ in
            if let denied = Self.deny(c, request) { return denied }
            let done = await c.placementStep(force: true)
            return Reply.json(done)
        }
        return router
    }

    public func makeApplication(onReady: @escaping @Sendable (Int) async -> Void = { _ in }) -> some ApplicationProtocol {
        let config = controller.config
        return Application(router: makeRouter(),
                           configuration: .init(address: .hostname(config.host, port: config.port), serverName: "loraserve-controller"),
                           onServerRunning: { channel in await onReady(channel.localAddress?.port ?? config.port) })
    }

    /// Admin-token check for the fleet API (`Authorization: Bearer <token>`).
    static func deny(_ c: Controller, _ request: Request) -> Response? {
        guard let token = c.config.adminToken, !token.isEmpty else { return nil }
        let header = request.headers[.authorization] ?? ""
        return header == "Bearer \(token)" ? nil : Reply.error(.unauthorized("missing or invalid admin token"))
    }

    static func inference(_ c: Controller, _ request: Request, path: String) async throws -> Response {
        let body: [UInt8]
        do { body = try await Reply.body(request) } catch { return Reply.error(error) }
        var forwarded: [(String, String)] = []
        if let auth = request.headers[.authorization] { forwarded.append(("Authorization", auth)) }
        switch await c.proxy(path: path, body: body, headers: forwarded) {
        case let .error(e):
            return Reply.error(e)
        case let .complete(status, contentType, bytes, _):
            return Reply.bytes(bytes, status: status, contentType: contentType)
        case let .stream(status, contentType, stream):
            let headers: HTTPFields = [.contentType: contentType ?? "text/event-stream", .cacheControl: "no-cache"]
            return Response(status: .init(code: status), headers: headers, body: ResponseBody { writer in
                try await stream.pump { bytes in try await writer.write(ByteBuffer(bytes: bytes)) }
                try await writer.finish(nil)
            })
        }
    }

    static func models(_ c: Controller) async -> Response {
        let (base, adapters) = await c.state.modelNames()
        let created = 0
        var cards: [ModelCard] = []
        if let b = base { cards.append(ModelCard(id: b, created: created, root: b)) }
        cards += adapters.map { ModelCard(id: $0.name, created: created, root: $0.path, parent: base) }
        return Reply.json(ModelList(data: cards))
    }

    static func registerLoRA(_ c: Controller, _ request: Request) async -> Response {
        do {
            let body = try Reply.decode(RegisterLoRARequest.self, try await Reply.body(request))
            let rank = body.rank ?? 16
            let record = AdapterRecord(name: body.name, path: body.path, rank: rank,
                                       bytes: body.bytes ?? AdapterRecord.estimatedBytes(rank: rank),
                                       tenant: body.tenant, pinned: body.pinned ?? false, registeredAt: c.now())
            do { try await c.state.register(adapter: record) } catch {
                return Reply.error(APIError(status: error == .exists(body.name) ? 409 : 400, message: error.description))
            }
            await c.placementStep(force: true)
            let info = await c.state.loraInfos().first { $0.name == body.name }
            return Reply.json(info, status: .created)
        } catch {
            return Reply.error(error)
        }
    }

    static func deleteLoRA(_ c: Controller, _ name: String) async -> Response {
        let holders: [String]
        do { holders = try await c.state.unregister(adapter: name) } catch {
            return Reply.error(.notFound(error.description))
        }
        for w in holders {
            try? await c.transport.unloadAdapter(w, name: name)
            await c.state.forgetResident(name, on: w)
        }
        return Reply.json(["deleted": name])
    }
}

extension Controller {
    /// `serve(onReady:)` with extra routes mounted on the front door (the summary-cache API).
    public func serve(extraRoutes: (@Sendable (Router<BasicRequestContext>) -> Void)?,
                      onReady: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        let app = ControllerServer(controller: self, extraRoutes: extraRoutes).makeApplication(onReady: onReady)
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await app.runService(gracefulShutdownSignals: []) }
                group.addTask { await self.run() }
                _ = try await group.next()
                group.cancelAll()
            }
        } catch {
            await transport.shutdown()
            throw error
        }
        await transport.shutdown()
    }
}

struct ActionList: Encodable {
    var object = "list"
    var data: [ActionRecord]
}
