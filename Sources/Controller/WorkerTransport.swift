import ServeCore

/// A worker's answer to a forwarded inference request: status and headers first, then the body
/// as it arrives (SSE streams chunk by chunk).
public struct WorkerResponse: Sendable {
    public var status: Int
    public var contentType: String?
    /// `Retry-After` header, when the worker sent one.
    public var retryAfter: String?
    public var body: AsyncThrowingStream<[UInt8], any Error>

    public init(status: Int, contentType: String? = nil, retryAfter: String? = nil,
                body: AsyncThrowingStream<[UInt8], any Error>) {
        self.status = status
        self.contentType = contentType
        self.retryAfter = retryAfter
        self.body = body
    }

    /// A response whose body is already complete.
    public static func complete(status: Int, contentType: String? = "application/json", _ bytes: [UInt8]) -> WorkerResponse {
        WorkerResponse(status: status, contentType: contentType, body: AsyncThrowingStream { c in
            if !bytes.isEmpty { c.yield(bytes) }
            c.finish()
        })
    }
}

/// One adapter as a worker reports it (`GET /v1/adapters`, or `GET /v1/models` on vLLM).
public struct ResidentAdapter: Sendable, Hashable, Codable {
    public var name: String
    public var path: String?
    public var rank: Int?
    public var bytes: Int?
    /// `active`, `host`, `disk`, `loading`; nil when the worker does not say (vLLM).
    public var residency: String?
    public var requests: Int?

    public init(name: String, path: String? = nil, rank: Int? = nil, bytes: Int? = nil, residency: String? = nil, requests: Int? = nil) {
        self.name = name
        self.path = path
        self.rank = rank
        self.bytes = bytes
        self.residency = residency
        self.requests = requests
    }
}

/// What one scrape of a worker learned: load (`/metrics`) and adapters (`/v1/adapters` when the
/// worker speaks LoRAServe's extras, else `/v1/models`).
public struct WorkerScrape: Sendable, Hashable {
    public var running: Int
    public var waiting: Int
    /// `vllm:lora_requests_info{max_lora=...}`, when present.
    public var maxLoras: Int?
    public var kvCacheUsage: Double?
    /// TTFT histogram (`vllm:time_to_first_token_seconds`) as cumulative buckets (le → count).
    public var ttftBuckets: [(le: Double, count: Double)]
    public var baseModel: String?
    public var adapters: [ResidentAdapter]
    /// True when `/v1/adapters` answered (a LoRAServe worker); false for plain vLLM.
    public var hasAdapterEndpoint: Bool

    public init(running: Int = 0, waiting: Int = 0, maxLoras: Int? = nil, kvCacheUsage: Double? = nil,
                ttftBuckets: [(le: Double, count: Double)] = [], baseModel: String? = nil,
                adapters: [ResidentAdapter] = [], hasAdapterEndpoint: Bool = true) {
        self.running = running
        self.waiting = waiting
        self.maxLoras = maxLoras
        self.kvCacheUsage = kvCacheUsage
        self.ttftBuckets = ttftBuckets
        self.baseModel = baseModel
        self.adapters = adapters
        self.hasAdapterEndpoint = hasAdapterEndpoint
    }

    public static func == (a: WorkerScrape, b: WorkerScrape) -> Bool {
        a.running == b.running && a.waiting == b.waiting && a.maxLoras == b.maxLoras && a.baseModel == b.baseModel
            && a.adapters == b.adapters && a.hasAdapterEndpoint == b.hasAdapterEndpoint
            && a.ttftBuckets.map(\.le) == b.ttftBuckets.map(\.le) && a.ttftBuckets.map(\.count) == b.ttftBuckets.map(\.count)
    }

    public func hash(into h: inout Hasher) {
        h.combine(running); h.combine(waiting); h.combine(adapters)
    }
}

/// Failures talking to a worker. `connect` (nothing reached the worker) is always safe to retry.
public enum TransportError: Error, Sendable, CustomStringConvertible, Equatable {
    case connect(worker: String, detail: String)
    case timeout(worker: String)
    case status(worker: String, code: Int, body: String)
    case malformed(worker: String, detail: String)
    case stream(worker: String, detail: String)

    public var description: String {
        switch self {
        case let .connect(w, d): "cannot reach worker \(w): \(d)"
        case let .timeout(w): "worker \(w) timed out"
        case let .status(w, c, b): "worker \(w) answered \(c): \(b.prefix(300))"
        case let .malformed(w, d): "worker \(w) sent a malformed answer: \(d)"
        case let .stream(w, d): "worker \(w) stream failed: \(d)"
        }
    }

    /// Whether the worker is likely gone (connection refused, timeout) rather than just busy.
    public var isConnectivity: Bool {
        switch self {
        case .connect, .timeout: true
        default: false
        }
    }
}

/// How the controller talks to workers. HTTP in production (`HTTPWorkerTransport`), in memory in
/// tests (`InMemoryWorkerTransport`); an RDMA-capable transport would add peer copies here.
public protocol WorkerTransport: Sendable {
    /// True when `GET /health` answered 200 within the timeout.
    func health(_ worker: String, timeoutSeconds: Double) async -> HealthResult
    func scrape(_ worker: String) async throws(TransportError) -> WorkerScrape
    func loadAdapter(_ worker: String, name: String, path: String) async throws(TransportError)
    func unloadAdapter(_ worker: String, name: String) async throws(TransportError)
    /// Forwards `body` to `path` (`/v1/completions`, `/v1/chat/completions`); returns once the
    /// worker's status line arrived. Throws when nothing came back (safe to retry elsewhere).
    func forward(_ worker: String, path: String, body: [UInt8], headers: [(String, String)]) async throws(TransportError) -> WorkerResponse
    /// Releases connections (the HTTP client must be shut down before it is freed).
    func shutdown() async
    /// Remote adapter access: makes `worker` pull adapter `name` from `peer`'s memory
    /// (`POST /v1/adapters/fetch` on LoRAServe workers) instead of loading it from storage.
    func fetchAdapter(_ worker: String, name: String, fromPeer peer: String) async throws(TransportError)
}

extension WorkerTransport {
    public func shutdown() async {}

    /// Transports without peer transfer refuse (501): callers fall back to a path load.
    public func fetchAdapter(_ worker: String, name: String, fromPeer peer: String) async throws(TransportError) {
        throw .status(worker: worker, code: 501, body: "this transport has no peer adapter transfer")
    }
}

/// Outcome of one health check.
public enum HealthResult: Sendable, Equatable {
    case healthy
    /// Answered but not ready (503 while loading).
    case notReady
    /// Connection refused or reset: the process is gone.
    case refused
    case timedOut
}
