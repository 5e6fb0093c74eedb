import AsyncHTTPClient
import Foundation
import NIOCore
import OpenAIWire

/// `WorkerTransport` over HTTP/1.1 (AsyncHTTPClient): the worker contract of
/// docs/architecture.md §4, which vLLM's OpenAI server speaks too. `worker` is a base URL
/// (`http://127.0.0.1:8001`).
public final class HTTPWorkerTransport: WorkerTransport {
    let client: HTTPClient
    /// Admin token sent on load/unload (vLLM ignores it unless it runs with an API key).
    let adminToken: String?
    let scrapeTimeoutSeconds: Double
    /// Bound on one peer fetch (the worker's transfer, verification and registration).
    let peerFetchTimeoutSeconds: Double

    public init(adminToken: String? = nil, connectTimeoutSeconds: Double = 1, readIdleTimeoutSeconds: Double = 120,
                scrapeTimeoutSeconds: Double = 2, peerFetchTimeoutSeconds: Double = 300) {
        var config = HTTPClient.Configuration()
        config.timeout = .init(connect: .milliseconds(Int64(connectTimeoutSeconds * 1000)),
                               read: .milliseconds(Int64(readIdleTimeoutSeconds * 1000)))
        config.connectionPool = .init(idleTimeout: .seconds(30), concurrentHTTP1ConnectionsPerHostSoftLimit: 256)
        config.decompression = .disabled
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: config)
        self.adminToken = adminToken
        self.scrapeTimeoutSeconds = scrapeTimeoutSeconds
        self.peerFetchTimeoutSeconds = peerFetchTimeoutSeconds
    }

    public func shutdown() async {
        try? await client.shutdown()
    }

    static func classify(_ error: any Error, worker: String) -> TransportError {
        if let t = error as? TransportError { return t }
        if let e = error as? HTTPClientError {
            if e == .deadlineExceeded || e == .readTimeout || e == .connectTimeout { return .timeout(worker: worker) }
            if e == .remoteConnectionClosed { return .connect(worker: worker, detail: "connection closed") }
        }
        let text = String(describing: error)
        if text.contains("imeout") { return .timeout(worker: worker) }
        return .connect(worker: worker, detail: text)
    }

    func get(_ worker: String, _ path: String, timeout: Double, limit: Int = 8 << 20) async throws(TransportError) -> (Int, [UInt8]) {
        do {
            var request = HTTPClientRequest(url: worker + path)
            request.method = .GET
            let response = try await client.execute(request, timeout: .milliseconds(Int64(timeout * 1000)))
            let body = try await response.body.collect(upTo: limit)
            return (Int(response.status.code), Array(body.readableBytesView))
        } catch {
            throw Self.classify(error, worker: worker)
        }
    }

    func post(_ worker: String, _ path: String, json: [UInt8], timeout: Double) async throws(TransportError) -> (Int, [UInt8]) {
        do {
            var request = HTTPClientRequest(url: worker + path)
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            if let t = adminToken { request.headers.add(name: "Authorization", value: "Bearer \(t)") }
            request.body = .bytes(ByteBuffer(bytes: json))
            let response = try await client.execute(request, timeout: .milliseconds(Int64(timeout * 1000)))
            let body = try await response.body.collect(upTo: 1 << 20)
            return (Int(response.status.code), Array(body.readableBytesView))
        } catch {
            throw Self.classify(error, worker: worker)
        }
    }

    public func health(_ worker: String, timeoutSeconds: Double) async -> HealthResult {
        do {
            let (status, _) = try await get(worker, "/health", timeout: timeoutSeconds, limit: 64 << 10)
            return status == 200 ? .healthy : .notReady
        } catch {
            return error.isTimeout ? .timedOut : .refused
        }
    }

    public func scrape(_ worker: String) async throws(TransportError) -> WorkerScrape {
        let (metricsStatus, metricsBody) = try await get(worker, "/metrics", timeout: scrapeTimeoutSeconds)
        var scrape = WorkerScrape()
        if metricsStatus == 200 {
            scrape = WorkerMetricsReader.read(PrometheusText.parse(String(decoding: metricsBody, as: UTF8.self)))
        }
        let (adaptersStatus, adaptersBody) = try await get(worker, "/v1/adapters", timeout: scrapeTimeoutSeconds)
        if adaptersStatus == 200, let list = try? JSONDecoder().decode(AdapterListWire.self, from: Data(adaptersBody)) {
            scrape.hasAdapterEndpoint = true
            scrape.baseModel = list.base_model
            scrape.adapters = list.data.map {
                ResidentAdapter(name: $0.name, path: $0.path, rank: $0.rank, bytes: $0.bytes, residency: $0.residency, requests: $0.requests)
            }
            return scrape
        }
        // Plain vLLM: adapters are the models with a parent.
        scrape.hasAdapterEndpoint = false
        let (status, body) = try await get(worker, "/v1/models", timeout: scrapeTimeoutSeconds)
        guard status == 200 else { throw .status(worker: worker, code: status, body: String(decoding: body, as: UTF8.self)) }
        do {
            let models = try JSONDecoder().decode(ModelList.self, from: Data(body))
            scrape.baseModel = models.data.first { $0.parent == nil }?.id
            scrape.adapters = models.data.filter { $0.parent != nil }.map { ResidentAdapter(name: $0.id, path: $0.root, residency: "active") }
        } catch {
            throw .malformed(worker: worker, detail: "/v1/models: \(error)")
        }
        return scrape
    }

    public func loadAdapter(_ worker: String, name: String, path: String) async throws(TransportError) {
        let body = (try? JSONEncoder().encode(LoadLoRARequest(lora_name: name, lora_path: path))).map { Array($0) } ?? []
        let (status, text) = try await post(worker, "/v1/load_lora_adapter", json: body, timeout: 120)
        let message = String(decoding: text, as: UTF8.self)
        // "already loaded" is success for an idempotent executor.
        if status == 200 || (status == 400 && message.contains("already")) { return }
        throw .status(worker: worker, code: status, body: message)
    }

    public func unloadAdapter(_ worker: String, name: String) async throws(TransportError) {
        let body = (try? JSONEncoder().encode(UnloadLoRARequest(lora_name: name))).map { Array($0) } ?? []
        let (status, text) = try await post(worker, "/v1/unload_lora_adapter", json: body, timeout: 30)
        if status == 200 || status == 404 { return }
        throw .status(worker: worker, code: status, body: String(decoding: text, as: UTF8.self))
    }

    /// `POST /v1/adapters/fetch` on `worker`; the worker streams the weights from `peer` itself.
    public func fetchAdapter(_ worker: String, name: String, fromPeer peer: String) async throws(TransportError) {
        struct Fetch: Encodable { var lora_name: String; var peer_url: String }
        let body = (try? JSONEncoder().encode(Fetch(lora_name: name, peer_url: peer))).map { Array($0) } ?? []
        let (status, text) = try await post(worker, "/v1/adapters/fetch", json: body, timeout: peerFetchTimeoutSeconds)
        let message = String(decoding: text, as: UTF8.self)
        if status == 200 || (status == 400 && message.contains("already")) { return }
        throw .status(worker: worker, code: status, body: message)
    }

    public func forward(_ worker: String, path: String, body: [UInt8], headers: [(String, String)]) async throws(TransportError) -> WorkerResponse {
        var request = HTTPClientRequest(url: worker + path)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        for (k, v) in headers { request.headers.add(name: k, value: v) }
        request.body = .bytes(ByteBuffer(bytes: body))
        let response: HTTPClientResponse
        do {
            response = try await client.execute(request, timeout: .seconds(3600))
        } catch {
            throw Self.classify(error, worker: worker)
        }
        let stream = AsyncThrowingStream<[UInt8], any Error> { continuation in
            let task = Task {
                do {
                    for try await chunk in response.body { continuation.yield(Array(chunk.readableBytesView)) }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: TransportError.stream(worker: worker, detail: String(describing: error)))
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
        return WorkerResponse(status: Int(response.status.code), contentType: response.headers.first(name: "content-type"),
                              retryAfter: response.headers.first(name: "retry-after"), body: stream)
    }
}

extension TransportError {
    var isTimeout: Bool { if case .timeout = self { true } else { false } }
}

/// `GET /v1/adapters` as LoRAServe workers answer it (docs/worker-api.md).
struct AdapterListWire: Decodable {
    struct Entry: Decodable {
        var name: String
        var path: String?
        var rank: Int?
        var bytes: Int?
        var residency: String?
        var requests: Int?
    }
    var base_model: String?
    var data: [Entry]
}

/// Turns parsed `/metrics` samples into the load figures the router needs (vLLM names).
public enum WorkerMetricsReader {
    public static func read(_ samples: [PrometheusText.Sample]) -> WorkerScrape {
        var s = WorkerScrape()
        s.running = Int(samples.sum("vllm:num_requests_running") ?? 0)
        s.waiting = Int(samples.sum("vllm:num_requests_waiting") ?? 0)
        s.kvCacheUsage = samples.first("vllm:kv_cache_usage_perc")?.value
        if let info = samples.first("vllm:lora_requests_info"), let m = info.labels["max_lora"].flatMap({ Int($0) }) {
            s.maxLoras = m
        }
        s.ttftBuckets = samples.buckets("vllm:time_to_first_token_seconds")
        return s
    }
}
