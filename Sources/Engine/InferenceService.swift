import ServeCore
import Tokenizers

/// What an HTTP front end (the worker server) needs from an engine. The real implementation is the
/// batching engine; tests use an in-memory fake. Everything here is transport-agnostic.
public protocol InferenceService: Sendable {
    /// The base model's public name (OpenAI `model` for requests without an adapter).
    var baseModelName: String { get }
    var contextLength: Int { get }
    /// Raw text to ids (control-token text becomes control tokens; no BOS), as `loraserve tokenize`.
    func tokenize(_ text: String) -> [TokenID]
    /// Renders chat messages with the model's template (generation prompt appended).
    func renderChat(_ messages: [ChatMessage]) throws(ServiceError) -> String
    /// Decodes ids to text (for logprobs and echo).
    func tokenText(_ id: TokenID) -> String

    /// Admits a request. The stream yields tokens as they are produced and ends with `.finished`;
    /// terminating the stream early (client gone) cancels the request and frees its KV blocks.
    func submit(_ request: GenerationRequest) async throws(ServiceError) -> AsyncThrowingStream<GenerationEvent, any Error>

    /// vLLM `load_lora_adapter` semantics: loading a name that exists is an error (400).
    func loadAdapter(name: String, path: String) async throws(ServiceError) -> AdapterInfo
    /// vLLM `unload_lora_adapter` semantics: unknown name is 404; in-flight requests finish first.
    func unloadAdapter(name: String) async throws(ServiceError)
    func adapters() async -> [AdapterInfo]
    func metrics() async -> EngineMetrics

    /// Peer transfer, sending side: a resident adapter's weights encoded from memory (never from
    /// disk). Unknown name is 404.
    func exportAdapter(name: String) async throws(ServiceError) -> AdapterExport
    /// Peer transfer, receiving side: a decoder bounded by `maxPayloadBytes` and this engine's shapes.
    func makeAdapterReceiver(maxPayloadBytes: Int) -> AdapterReceiver
    /// Registers verified peer weights like a load (existing name is 400); `source` is the path
    /// `/v1/adapters` shows (`peer:<url>`).
    func registerAdapter(name: String, received: ReceivedAdapter, source: String, loadSeconds: Double) async throws(ServiceError) -> AdapterInfo
}

/// Defaults for engines without peer transfer (fakes, remote clients): export and register refuse.
extension InferenceService {
    public func exportAdapter(name: String) async throws(ServiceError) -> AdapterExport {
        throw .invalidRequest("this engine does not support peer adapter transfer")
    }

    public func makeAdapterReceiver(maxPayloadBytes: Int) -> AdapterReceiver { AdapterReceiver(maxPayloadBytes: maxPayloadBytes) }

    public func registerAdapter(name: String, received: ReceivedAdapter, source: String, loadSeconds: Double) async throws(ServiceError) -> AdapterInfo {
        throw .invalidRequest("this engine does not support peer adapter transfer")
    }
}

/// One generation request as the engine sees it (already tokenised).
public struct GenerationRequest: Sendable {
    public var id: RequestID
    /// `nil` = the base model.
    public var adapter: AdapterID?
    public var promptTokens: [TokenID]
    public var sampling: SamplingParameters
    /// Top-n log-probabilities to return per generated token (0 = none).
    public var logprobs: Int

    public init(id: RequestID, adapter: AdapterID?, promptTokens: [TokenID], sampling: SamplingParameters, logprobs: Int = 0) {
        self.id = id
        self.adapter = adapter
        self.promptTokens = promptTokens
        self.sampling = sampling
        self.logprobs = logprobs
    }
}

public enum GenerationEvent: Sendable, Equatable {
    /// A generated token and the text it completes (may be empty while UTF-8 is incomplete or a
    /// stop string might be starting). `logprob` is the sampled token's, `top` the top-n.
    case token(id: TokenID, text: String, logprob: Float?, top: [TokenLogprob])
    case finished(reason: FinishReason, promptTokens: Int, completionTokens: Int)
}

public struct TokenLogprob: Sendable, Equatable, Codable {
    public var id: TokenID
    public var logprob: Float
    public init(id: TokenID, logprob: Float) {
        self.id = id
        self.logprob = logprob
    }
}

/// Engine-level failures, each with the HTTP status a server should answer.
public enum ServiceError: Error, Sendable, Equatable, CustomStringConvertible {
    case unknownAdapter(String)
    case adapterExists(String)
    case adapterInvalid(String)
    case contextOverflow(promptTokens: Int, maxTokens: Int, contextLength: Int)
    case invalidRequest(String)
    case queueFull(retryAfterSeconds: Int)
    case shuttingDown
    case internalError(String)

    public var httpStatus: Int {
        switch self {
        case .unknownAdapter: 404
        case .adapterExists, .adapterInvalid, .contextOverflow, .invalidRequest: 400
        case .queueFull: 429
        case .shuttingDown: 503
        case .internalError: 500
        }
    }

    public var description: String {
        switch self {
        case let .unknownAdapter(name): "The model `\(name)` does not exist."
        case let .adapterExists(name): "The lora adapter '\(name)' has already been loaded."
        case let .adapterInvalid(message): message
        case let .contextOverflow(prompt, maxTokens, context):
            "This model's maximum context length is \(context) tokens. However, you requested \(prompt + maxTokens) tokens (\(prompt) in the messages, \(maxTokens) in the completion). Please reduce the length of the messages or completion."
        case let .invalidRequest(message): message
        case let .queueFull(seconds): "The server is at capacity; retry after \(seconds) s."
        case .shuttingDown: "The server is shutting down."
        case let .internalError(message): "internal error: \(message)"
        }
    }
}

/// Where an adapter's weights are: in the step-usable active set, loaded in host memory, or on disk.
public enum AdapterResidency: String, Sendable, Codable { case active, host, disk, loading }

public struct AdapterInfo: Sendable, Equatable, Codable {
    public var name: String
    public var path: String
    public var rank: Int
    public var bytes: Int
    public var targets: [String]
    public var scale: Float
    public var residency: AdapterResidency
    public var pinned: Bool
    public var requests: Int
    public var promptTokens: Int
    public var generatedTokens: Int
    public var loadCount: Int
    public var evictionCount: Int
    public var lastLoadSeconds: Double?

    public init(name: String, path: String, rank: Int, bytes: Int, targets: [String], scale: Float, residency: AdapterResidency,
                pinned: Bool = false, requests: Int = 0, promptTokens: Int = 0, generatedTokens: Int = 0, loadCount: Int = 0,
                evictionCount: Int = 0, lastLoadSeconds: Double? = nil) {
        self.name = name
        self.path = path
        self.rank = rank
        self.bytes = bytes
        self.targets = targets
        self.scale = scale
        self.residency = residency
        self.pinned = pinned
        self.requests = requests
        self.promptTokens = promptTokens
        self.generatedTokens = generatedTokens
        self.loadCount = loadCount
        self.evictionCount = evictionCount
        self.lastLoadSeconds = lastLoadSeconds
    }
}

/// A point-in-time view of the engine for `/metrics` (vLLM names are applied by the server).
public struct EngineMetrics: Sendable, Equatable {
    public var running: Int = 0
    public var waiting: Int = 0
    public var kvBlocksUsed: Int = 0
    public var kvBlocksTotal: Int = 0
    public var maxActiveAdapters: Int = 0
    public var runningAdapters: [String] = []
    public var waitingAdapters: [String] = []
    public var promptTokensTotal: Int = 0
    public var generationTokensTotal: Int = 0
    public var requestsFinished: [String: Int] = [:]   // by finish reason
    public var preemptions: Int = 0
    public var stepCount: Int = 0
    /// CPU seconds the step-loop thread has used (read by `metrics()`): all of the engine's compute with one thread
    /// (`--threads 1`; the pool's other threads are not counted). What the worker process uses
    /// beyond it is the HTTP front end (`bench cluster` measures that).
    public var loopThreadCPUSeconds: Double = 0
    /// Observations in seconds since start (the server turns them into histograms).
    public var timeToFirstToken: LatencySummary = .init()
    public var endToEndLatency: LatencySummary = .init()
    public var timePerOutputToken: LatencySummary = .init()
    public var perAdapterTimeToFirstToken: [String: LatencySummary] = [:]

    public init() {}
}

/// Cumulative histogram data in Prometheus form (bucket upper bounds in seconds).
public struct LatencySummary: Sendable, Equatable {
    public static let defaultBounds: [Double] = [0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 20, 40, 80]
    public var bounds: [Double]
    public var bucketCounts: [Int]
    public var count: Int = 0
    public var sum: Double = 0

    public init(bounds: [Double] = LatencySummary.defaultBounds) {
        self.bounds = bounds
        bucketCounts = [Int](repeating: 0, count: bounds.count)
    }

    public mutating func observe(_ seconds: Double) {
        count += 1
        sum += seconds
        for (i, bound) in bounds.enumerated() where seconds <= bound { bucketCounts[i] += 1 }
    }

    /// Approximate quantile from the buckets (upper bound of the bucket holding it).
    public func quantile(_ q: Double) -> Double? {
        guard count > 0 else { return nil }
        let target = Int((Double(count) * q).rounded(.up))
        for (i, c) in bucketCounts.enumerated() where c >= target { return bounds[i] }
        return bounds.last
    }
}
