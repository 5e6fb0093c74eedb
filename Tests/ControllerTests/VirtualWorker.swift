import Foundation
import Hummingbird
import LiveServerSupport
import NIOCore
import Placement
import Synchronization

/// A fake LoRAServe worker on 127.0.0.1 speaking the worker contract the controller uses
/// (`/health`, `/metrics`, `/v1/adapters`, load/unload, `/v1/completions`), served by one FIFO
/// queue in virtual time: a request's service time is its tokens × the exact-rank relative cost of
/// its adapter ÷ `capacity`, it starts when the queue is free, and its answer (carrying `ttft`,
/// virtual seconds) is released when the virtual clock reaches its finish time.
final class VirtualWorker: Sendable {
    struct State {
        var adapters: Set<String> = []
        var busyUntil = 0.0
        /// request_id → virtual finish time, while queued or running.
        var queued: [Int: Double] = [:]
        var served = 0
        var port = 0
    }

    let name: String
    let clock: VirtualClock
    let ranks: [String: Int]
    let costModel: CostModel
    let capacity: Double
    /// Time to the first token once a request starts (prefill), virtual seconds.
    let prefillSeconds = 0.02
    private let state = Mutex(State())

    init(name: String, clock: VirtualClock, ranks: [String: Int], costModel: CostModel, capacity: Double) {
        self.name = name
        self.clock = clock
        self.ranks = ranks
        self.costModel = costModel
        self.capacity = capacity
    }

    var url: String { "http://127.0.0.1:\(state.withLock { $0.port })" }
    var queuedFinishTimes: [Int: Double] { state.withLock { $0.queued } }
    var served: Int { state.withLock { $0.served } }

    /// Starts listening on an ephemeral port; returns once bound. Stop it with `stop()` (graceful
    /// shutdown, never task cancellation: see `LiveServer`).
    func start() async throws -> LiveServer {
        let router = makeRouter()
        let server = try await LiveServer.start(app: { onReady in
            Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0), serverName: name),
                        onServerRunning: { channel in await onReady(channel.localAddress?.port ?? 0) })
        })
        state.withLock { $0.port = server.port }
        return server
    }

    /// Starts every worker, runs `body`, then stops them all gracefully, also when starting one
    /// of them or `body` fails. A request still waiting on the virtual clock keeps its worker's
    /// graceful shutdown waiting, so `body` should let the clock run out before it returns.
    static func serving<T>(_ workers: [VirtualWorker], _ body: () async throws -> T) async throws -> T {
        var servers: [LiveServer] = []
        do {
            for worker in workers { servers.append(try await worker.start()) }
            let result = try await body()
            for server in servers { await server.stop() }
            return result
        } catch {
            for server in servers { await server.stop() }
            throw error
        }
    }

    private func makeRouter() -> Hummingbird.Router<BasicRequestContext> {
        let router = Hummingbird.Router(context: BasicRequestContext.self)
        router.get("/health") { _, _ in "OK" }
        router.get("/metrics") { _, _ in self.metrics() }
        router.get("/v1/adapters") { _, _ in
            let names = self.state.withLock { $0.adapters }.sorted()
            let data = names.map { #"{"name":"\#($0)","rank":\#(self.ranks[$0] ?? 8),"residency":"active"}"# }
            return Self.json(#"{"object":"list","base_model":"base","data":[\#(data.joined(separator: ","))]}"#)
        }
        router.post("/v1/load_lora_adapter") { request, _ in
            let body = try await Self.object(request)
            let name = body["lora_name"] as? String ?? ""
            let added = self.state.withLock { $0.adapters.insert(name).inserted }
            return added ? Self.json(#""Success""#) : Self.json(#"{"error":{"message":"adapter already loaded"}}"#, status: .badRequest)
        }
        router.post("/v1/unload_lora_adapter") { request, _ in
            let body = try await Self.object(request)
            let name = body["lora_name"] as? String ?? ""
            let removed = self.state.withLock { $0.adapters.remove(name) != nil }
            return removed ? Self.json(#""Success""#) : Self.json(#"{"error":{"message":"not found"}}"#, status: .notFound)
        }
        router.post("/v1/completions") { request, _ in try await self.complete(request) }
        return router
    }

    private func metrics() -> String {
        let now = clock.now
        let active = state.withLock { $0.queued.values.filter { $0 > now }.count }
        let running = min(active, 1)
        return "vllm:num_requests_running \(running)\nvllm:num_requests_waiting \(active - running)\n"
    }

    private func complete(_ request: Request) async throws -> Response {
        let body = try await Self.object(request)
        let model = body["model"] as? String ?? ""
        let id = body["request_id"] as? Int ?? -1
        let prompt = body["prompt"] as? String ?? ""
        let maxTokens = body["max_tokens"] as? Int ?? 16
        let arrival = clock.now
        // Same work estimate as the controller's router: prompt chars / 4 + generated tokens.
        let tokens = Double(max(prompt.count / 4, 1) + maxTokens)
        let cost = costModel.relativeTokenCost(effectiveRank: ranks[model] ?? 0, mode: .exact)
        let service = tokens * cost / capacity
        let timing = state.withLock { s -> (ttft: Double, finish: Double)? in
            guard model == "base" || s.adapters.contains(model) else { return nil }
            let start = max(arrival, s.busyUntil)
            s.busyUntil = start + service
            s.queued[id] = start + service
            return (start - arrival + prefillSeconds, start + service)
        }
        guard let timing else {
            return Self.json(#"{"error":{"message":"The model `\#(model)` does not exist.","type":"not_found_error"}}"#, status: .notFound)
        }
        await clock.wait(until: timing.finish)
        state.withLock {
            $0.queued[id] = nil
            $0.served += 1
        }
        return Self.json(#"{"object":"text_completion","model":"\#(model)","choices":[{"index":0,"text":"ok","finish_reason":"length"}],"ttft":\#(timing.ttft),"worker":"\#(name)"}"#)
    }

    static func object(_ request: Request) async throws -> [String: Any] {
        let buffer = try await request.body.collect(upTo: 1 << 20)
        return (try? JSONSerialization.jsonObject(with: Data(buffer.readableBytesView))) as? [String: Any] ?? [:]
    }

    static func json(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
