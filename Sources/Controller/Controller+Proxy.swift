import Foundation
import OpenAIWire
import Placement

/// The outcome of proxying one inference request.
public enum ProxyResult: Sendable {
    case error(APIError)
    /// A whole response (non-streaming requests are buffered so a failure can still be retried).
    case complete(status: Int, contentType: String?, body: [UInt8], worker: String)
    /// A stream whose first bytes already arrived; `ProxyStream.pump` forwards the rest.
    case stream(status: Int, contentType: String?, ProxyStream)
}

/// What the controller reads from a request body before routing it.
struct ParsedInference {
    var model: String
    var stream: Bool
    var tokens: Int

    static func parse(_ body: [UInt8], defaultOutputTokens: Int) throws(APIError) -> ParsedInference {
        guard !body.isEmpty else { throw .badRequest("The request body is empty; expected a JSON object.") }
        let object: Any
        do { object = try JSONSerialization.jsonObject(with: Data(body)) } catch {
            throw .badRequest("The request body is not valid JSON.")
        }
        guard let json = object as? [String: Any] else { throw .badRequest("The request body must be a JSON object.") }
        guard let model = json["model"] as? String, !model.isEmpty else {
            throw .badRequest("Missing required parameter: 'model'.", param: "model")
        }
        let stream = json["stream"] as? Bool ?? false
        var promptChars = 0
        if let p = json["prompt"] as? String { promptChars = p.count } else if let ps = json["prompt"] as? [Any] {
            promptChars = ps.reduce(0) { $0 + (($1 as? String)?.count ?? 4) }
        }
        if let messages = json["messages"] as? [[String: Any]] {
            promptChars += messages.reduce(0) { $0 + (($1["content"] as? String)?.count ?? 0) + 16 }
        }
        let maxTokens = (json["max_completion_tokens"] as? Int) ?? (json["max_tokens"] as? Int) ?? defaultOutputTokens
        let n = max(json["n"] as? Int ?? 1, 1)
        return ParsedInference(model: model, stream: stream, tokens: max(promptChars / 4, 1) + max(maxTokens, 0) * n)
    }
}

extension Controller {
    /// Routes and forwards one `/v1/completions` or `/v1/chat/completions` body. A worker that
    /// fails before any byte reached the client is excluded and the request retried on another
    /// (up to `maxRetries`); once a stream has started, a failure becomes an SSE error event.
    public func proxy(path: String, body: [UInt8], headers: [(String, String)] = []) async -> ProxyResult {
        let arrival = now()
        let request: ParsedInference
        do { request = try ParsedInference.parse(body, defaultOutputTokens: config.defaultOutputTokens) } catch {
            return await finish(.error(error))
        }
        var excluded: Set<String> = []
        var lastError = "no worker answered"
        var attempt = 0
        while attempt <= config.maxRetries {
            defer { attempt += 1 }
            if attempt > 0 { await state.updateMetrics { $0.retries += 1 } }
            let outcome = await state.route(model: request.model, tokens: request.tokens, excluding: excluded, now: now())
            let routed: RoutedTo
            switch outcome {
            case let .unknownModel(m):
                return await finish(.error(.notFound("The model `\(m)` does not exist.", param: "model")))
            case .noWorkers:
                if attempt == 0 { return await finish(.error(.unavailable("No worker is available to serve the request.", retryAfterSeconds: 1))) }
                return await finish(.error(.unavailable("Every worker tried failed: \(lastError)", retryAfterSeconds: 1)))
            case let .worker(r):
                routed = r
            }
            let adapter = await state.adapter(request.model)
            if routed.loadedOnDemand, let a = adapter {
                do {
                    try await loadOnDemand(a, on: routed.worker, from: routed.fetchFrom, reason: routed.reason)
                    await state.addResident(a.name, on: routed.worker)
                } catch {
                    lastError = "\(error)"
                    excluded.insert(routed.worker)
                    _ = await state.recordForwardFailure(routed.worker, connectivity: error.isConnectivity, now: now())
                    continue
                }
            }
            let work = await state.work(model: request.model, tokens: request.tokens)
            let adapterName = adapter?.name
            await state.begin(worker: routed.worker, adapter: adapterName, work: work)
            let overhead = now() - arrival
            await state.updateMetrics { $0.overhead.observe(overhead) }
            let response: WorkerResponse
            do {
                response = try await transport.forward(routed.worker, path: path, body: body, headers: headers)
            } catch {
                await state.end(worker: routed.worker, adapter: adapterName, work: work)
                lastError = "\(error)"
                excluded.insert(routed.worker)
                if await state.recordForwardFailure(routed.worker, connectivity: error.isConnectivity, now: now()) == false {
                    Log.info("worker \(routed.worker) is DOWN (forward failed: \(error))")
                }
                continue
            }
            // Busy or not ready: another worker may do better (nothing was sent to the client yet).
            if response.status == 503 || response.status == 502 || response.status == 429, attempt < config.maxRetries {
                await state.end(worker: routed.worker, adapter: adapterName, work: work)
                lastError = "worker \(routed.worker) answered \(response.status)"
                excluded.insert(routed.worker)
                continue
            }
            // The worker lost the adapter (evicted, restarted): fix the map and try elsewhere.
            if response.status == 404, let a = adapter, attempt < config.maxRetries {
                await state.end(worker: routed.worker, adapter: adapterName, work: work)
                await state.removeReplica(a.name, from: routed.worker)
                await state.forgetResident(a.name, on: routed.worker)
                lastError = "worker \(routed.worker) does not hold \(a.name)"
                excluded.insert(routed.worker)
                continue
            }
            let end: @Sendable () async -> Void = { [state] in await state.end(worker: routed.worker, adapter: adapterName, work: work) }
            let isStream = request.stream && response.status == 200
                && (response.contentType?.contains("text/event-stream") ?? true)
            var iterator = response.body.makeAsyncIterator()
            if !isStream {
                var bytes: [UInt8] = []
                do {
                    while let chunk = try await iterator.next() { bytes += chunk }
                } catch {
                    await end()
                    lastError = "\(error)"
                    excluded.insert(routed.worker)
                    _ = await state.recordForwardFailure(routed.worker, connectivity: true, now: now())
                    continue
                }
                await end()
                let firstByte = now() - arrival
                let retried = attempt > 0
                await state.updateMetrics {
                    $0.firstByte.observe(firstByte)
                    if retried { $0.retriedAndCompleted += 1 }
                }
                return await finish(.complete(status: response.status, contentType: response.contentType, body: bytes, worker: routed.worker))
            }
            let first: [UInt8]?
            do { first = try await iterator.next() } catch {
                await end()
                lastError = "\(error)"
                excluded.insert(routed.worker)
                _ = await state.recordForwardFailure(routed.worker, connectivity: true, now: now())
                continue
            }
            let firstByte = now() - arrival
            await state.updateMetrics { $0.firstByte.observe(firstByte) }
            let stream = ProxyStream(first: first ?? [], iterator: iterator, state: state, retried: attempt > 0, onEnd: end)
            return await finish(.stream(status: response.status, contentType: response.contentType ?? "text/event-stream", stream))
        }
        return await finish(.error(.unavailable("Every worker tried failed: \(lastError)", retryAfterSeconds: 1)))
    }

    func finish(_ result: ProxyResult) async -> ProxyResult {
        let status: Int
        switch result {
        case let .error(e): status = e.httpStatus
        case let .complete(s, _, _, _): status = s
        case let .stream(s, _, _): status = s
        }
        await state.updateMetrics {
            $0.responsesByStatus[status, default: 0] += 1
            if status >= 500 { $0.failedRequests += 1 }
        }
        return result
    }
}

/// The rest of a started stream. `pump` forwards chunks as they arrive; when the worker fails
/// mid-stream the client gets `data: {"error": ...}` then `data: [DONE]`, never a silent cut.
public final class ProxyStream: @unchecked Sendable {
    // Used by one task at a time: the response writer that pumps it.
    private var first: [UInt8]
    private var iterator: AsyncThrowingStream<[UInt8], any Error>.AsyncIterator
    private let state: ControllerState
    private let retried: Bool
    private let onEnd: @Sendable () async -> Void

    init(first: [UInt8], iterator: AsyncThrowingStream<[UInt8], any Error>.AsyncIterator, state: ControllerState,
         retried: Bool, onEnd: @escaping @Sendable () async -> Void) {
        self.first = first
        self.iterator = iterator
        self.state = state
        self.retried = retried
        self.onEnd = onEnd
    }

    /// Forwards every chunk to `write`. A failing `write` (client gone) ends the pump and, by
    /// dropping the iterator, cancels the upstream request.
    public func pump(_ write: ([UInt8]) async throws -> Void) async throws {
        var sawDone = false
        defer { Task { [onEnd] in await onEnd() } }
        do {
            if !first.isEmpty {
                sawDone = Self.containsDone(first)
                try await write(first)
                first = []
            }
            while let chunk = try await iterator.next() {
                if Self.containsDone(chunk) { sawDone = true }
                try await write(chunk)
            }
            if !sawDone {
                // The worker closed the stream without [DONE]: say so rather than truncating silently.
                await state.updateMetrics { $0.streamErrors += 1 }
                try await write(Self.errorEvent("The worker ended the stream early."))
                return
            }
            if retried { await state.updateMetrics { $0.retriedAndCompleted += 1 } }
        } catch let error as TransportError {
            await state.updateMetrics { $0.streamErrors += 1 }
            try await write(Self.errorEvent("The worker failed mid-stream: \(error)"))
        }
    }

    static func containsDone(_ bytes: [UInt8]) -> Bool {
        let marker = Array("data: [DONE]".utf8)
        guard bytes.count >= marker.count else { return false }
        for i in 0...(bytes.count - marker.count) where bytes[i] == marker[0] {
            if Array(bytes[i..<(i + marker.count)]) == marker { return true }
        }
        return false
    }

    static func errorEvent(_ message: String) -> [UInt8] {
        let error = APIError(status: 502, message: message, type: "server_error", code: "worker_failed")
        let json = (try? JSONEncoder().encode(error)).map { String(decoding: $0, as: UTF8.self) }
            ?? #"{"error":{"message":"worker failed","type":"server_error","param":null,"code":"worker_failed"}}"#
        return Array((ServerSentEvents.event(json) + ServerSentEvents.done).utf8)
    }
}
