import Foundation
import Synchronization

/// A scriptable fleet of fake workers for tests: no sockets. Each worker holds a set of adapters,
/// answers health checks, records what it was sent, and can be told to die, refuse requests
/// before answering, or break a stream after some chunks.
public final class InMemoryWorkerTransport: WorkerTransport {
    public struct FakeWorker: Sendable {
        public var up = true
        public var ready = true
        public var adapters: [String: ResidentAdapter] = [:]
        public var running = 0
        public var waiting = 0
        public var maxLoras = 8
        /// The next `failBeforeResponse` forwards throw a connection error.
        public var failBeforeResponse = 0
        /// When set, streams end with a transport error after this many chunks.
        public var failStreamAfterChunks: Int?
        /// The next `failPeerFetches` peer fetches *to* this worker fail (502, as a worker answers).
        public var failPeerFetches = 0
        /// False makes the worker look like plain vLLM (no `/v1/adapters`, so no peer transfer).
        public var hasAdapterEndpoint = true
        /// Requests received: (path, model).
        public var received: [(path: String, model: String)] = []
        public init() {}
    }

    /// One admin call a worker received, in global order (make-before-break checks).
    public struct Event: Sendable, Equatable, CustomStringConvertible {
        public var worker: String
        public var kind: String  // "load", "unload" or "fetch"
        public var adapter: String
        public var description: String { "\(kind) \(adapter) @ \(worker)" }
    }

    private let state: Mutex<(workers: [String: FakeWorker], events: [Event])>
    public let baseModel: String

    public init(workers: [String], baseModel: String = "base") {
        state = Mutex((Dictionary(uniqueKeysWithValues: workers.map { ($0, FakeWorker()) }), []))
        self.baseModel = baseModel
    }

    public func update(_ worker: String, _ body: (inout FakeWorker) -> Void) {
        state.withLock { s in
            var w = s.workers[worker] ?? FakeWorker()
            body(&w)
            s.workers[worker] = w
        }
    }

    public func worker(_ id: String) -> FakeWorker? { state.withLock { $0.workers[id] } }
    public var events: [Event] { state.withLock { $0.events } }

    public func health(_ worker: String, timeoutSeconds: Double) async -> HealthResult {
        guard let w = self.worker(worker), w.up else { return .refused }
        return w.ready ? .healthy : .notReady
    }

    public func scrape(_ worker: String) async throws(TransportError) -> WorkerScrape {
        guard let w = self.worker(worker), w.up else { throw .connect(worker: worker, detail: "refused") }
        return WorkerScrape(running: w.running, waiting: w.waiting, maxLoras: w.maxLoras, baseModel: baseModel,
                            adapters: w.adapters.values.sorted { $0.name < $1.name }, hasAdapterEndpoint: w.hasAdapterEndpoint)
    }

    public func loadAdapter(_ worker: String, name: String, path: String) async throws(TransportError) {
        let ok = state.withLock { s -> Bool in
            guard var w = s.workers[worker], w.up else { return false }
            w.adapters[name] = ResidentAdapter(name: name, path: path, residency: "active")
            s.workers[worker] = w
            s.events.append(Event(worker: worker, kind: "load", adapter: name))
            return true
        }
        guard ok else { throw .connect(worker: worker, detail: "refused") }
    }

    public func unloadAdapter(_ worker: String, name: String) async throws(TransportError) {
        let ok = state.withLock { s -> Bool in
            guard var w = s.workers[worker], w.up else { return false }
            w.adapters[name] = nil
            s.workers[worker] = w
            s.events.append(Event(worker: worker, kind: "unload", adapter: name))
            return true
        }
        guard ok else { throw .connect(worker: worker, detail: "refused") }
    }

    /// Copies the adapter from `peer`'s fake memory (path `peer:<peer>`), like a worker's
    /// `POST /v1/adapters/fetch`; 404 when the peer does not hold it, 502 when the peer is down.
    public func fetchAdapter(_ worker: String, name: String, fromPeer peer: String) async throws(TransportError) {
        let failure = state.withLock { s -> TransportError? in
            guard var w = s.workers[worker], w.up else { return .connect(worker: worker, detail: "refused") }
            if w.failPeerFetches > 0 {
                w.failPeerFetches -= 1
                s.workers[worker] = w
                return .status(worker: worker, code: 502, body: "cannot fetch from peer \(peer): injected failure")
            }
            guard w.hasAdapterEndpoint else { return .status(worker: worker, code: 404, body: "Not found: POST /v1/adapters/fetch") }
            guard let p = s.workers[peer], p.up else { return .status(worker: worker, code: 502, body: "cannot fetch from peer \(peer): refused") }
            guard let source = p.adapters[name] else { return .status(worker: worker, code: 404, body: "peer \(peer) does not hold \(name)") }
            w.adapters[name] = ResidentAdapter(name: name, path: "peer:" + peer, rank: source.rank, bytes: source.bytes, residency: "host")
            s.workers[worker] = w
            s.events.append(Event(worker: worker, kind: "fetch", adapter: name))
            return nil
        }
        if let failure { throw failure }
    }

    public func forward(_ worker: String, path: String, body: [UInt8], headers: [(String, String)]) async throws(TransportError) -> WorkerResponse {
        let request = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any]
        let model = request?["model"] as? String ?? ""
        let stream = request?["stream"] as? Bool ?? false
        enum Verdict { case refuse, notFound, ok(failAfter: Int?) }
        let verdict = state.withLock { s -> Verdict in
            guard var w = s.workers[worker], w.up else { return .refuse }
            if w.failBeforeResponse > 0 {
                w.failBeforeResponse -= 1
                s.workers[worker] = w
                return .refuse
            }
            w.received.append((path, model))
            s.workers[worker] = w
            guard model == baseModel || w.adapters[model] != nil else { return .notFound }
            return .ok(failAfter: w.failStreamAfterChunks)
        }
        switch verdict {
        case .refuse:
            throw .connect(worker: worker, detail: "connection refused")
        case .notFound:
            let text = #"{"error":{"message":"The model `\#(model)` does not exist.","type":"not_found_error","param":null,"code":"model_not_found"}}"#
            return .complete(status: 404, Array(text.utf8))
        case let .ok(failAfter):
            guard stream else {
                let text = #"{"id":"cmpl-1","object":"text_completion","model":"\#(model)","choices":[{"index":0,"text":" from \#(worker)","finish_reason":"length"}]}"#
                if failAfter != nil { throw .connect(worker: worker, detail: "reset") }
                return .complete(status: 200, Array(text.utf8))
            }
            let chunks = (0..<3).map { i in
                Array("data: {\"choices\":[{\"index\":0,\"text\":\"t\(i)\"}],\"model\":\"\(model)\"}\n\n".utf8)
            } + [Array("data: [DONE]\n\n".utf8)]
            return WorkerResponse(status: 200, contentType: "text/event-stream", body: AsyncThrowingStream { c in
                for (i, chunk) in chunks.enumerated() {
                    if let n = failAfter, i >= n {
                        c.finish(throwing: TransportError.stream(worker: worker, detail: "connection reset"))
                        return
                    }
                    c.yield(chunk)
                }
                c.finish()
            })
        }
    }
}
