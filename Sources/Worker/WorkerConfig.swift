/// How a worker's HTTP front end is set up. Engine settings (active adapters, ranks, compute mode)
/// belong to the engine's own configuration; this is only the server's part.
public struct WorkerConfig: Sendable, Codable, Equatable {
    /// Interface to bind (`127.0.0.1` keeps the worker private to the host).
    public var host: String
    /// TCP port; 0 lets the OS choose (tests).
    public var port: Int
    /// When set, `load_lora_adapter` / `unload_lora_adapter` need `Authorization: Bearer <adminToken>`.
    public var adminToken: String?
    /// When set, adapter paths must resolve (after symlinks and `..`) inside this directory;
    /// relative `lora_path`s are taken relative to it.
    public var adapterRoot: String?
    /// When non-empty, every `/v1/...` call needs `Authorization: Bearer <one of these>` (vLLM `--api-key`).
    /// The admin token is accepted too.
    public var apiKeys: [String]
    /// Most engine requests (choices) admitted at once, running or waiting; beyond it the server
    /// answers 429 with `Retry-After` before touching the engine.
    public var maxQueuedRequests: Int
    /// `Retry-After` seconds sent with 429 answers the server itself produces.
    public var retryAfterSeconds: Int
    /// Largest request body accepted (413 beyond).
    public var maxRequestBodyBytes: Int
    /// Most choices one HTTP request may ask for (prompts × n).
    public var maxChoicesPerRequest: Int
    /// Most top log-probabilities per token (`logprobs` / `top_logprobs`), vLLM's default cap.
    public var maxLogprobs: Int
    /// `max_tokens` when a completions request gives none (OpenAI's legacy default).
    public var defaultCompletionMaxTokens: Int
    /// Cancel a request as soon as its client's connection closes (inbound side), even before the
    /// first token. Without it, only a failed stream write cancels.
    public var cancelOnClientDisconnect: Bool
    /// Sender-side cap on peer adapter transfers (`GET /v1/adapters/{name}/weights`), in bytes per
    /// second summed over every transfer this worker serves; nil = unlimited.
    public var peerRateLimitBytesPerSecond: Int?
    /// Largest adapter payload `POST /v1/adapters/fetch` accepts from a peer (declared size is
    /// checked before any weight is buffered).
    public var peerMaxAdapterBytes: Int

    public init(host: String = "127.0.0.1", port: Int = 8000, adminToken: String? = nil, adapterRoot: String? = nil,
                apiKeys: [String] = [], maxQueuedRequests: Int = 256, retryAfterSeconds: Int = 1,
                maxRequestBodyBytes: Int = 2 << 20, maxChoicesPerRequest: Int = 64, maxLogprobs: Int = 20,
                defaultCompletionMaxTokens: Int = 16, cancelOnClientDisconnect: Bool = true,
                peerRateLimitBytesPerSecond: Int? = nil, peerMaxAdapterBytes: Int = 512 << 20) {
        self.host = host
        self.port = port
        self.adminToken = adminToken
        self.adapterRoot = adapterRoot
        self.apiKeys = apiKeys
        self.maxQueuedRequests = maxQueuedRequests
        self.retryAfterSeconds = retryAfterSeconds
        self.maxRequestBodyBytes = maxRequestBodyBytes
        self.maxChoicesPerRequest = maxChoicesPerRequest
        self.maxLogprobs = maxLogprobs
        self.defaultCompletionMaxTokens = defaultCompletionMaxTokens
        self.cancelOnClientDisconnect = cancelOnClientDisconnect
        self.peerRateLimitBytesPerSecond = peerRateLimitBytesPerSecond
        self.peerMaxAdapterBytes = peerMaxAdapterBytes
    }

    public enum ValidationError: Error, Sendable, Equatable, CustomStringConvertible {
        case invalid(field: String, value: String, allowed: String)
        public var description: String {
            switch self {
            case let .invalid(field, value, allowed): "worker config: \(field) = \(value) is invalid (allowed: \(allowed))"
            }
        }
    }

    public func validate() throws(ValidationError) {
        guard (0...65535).contains(port) else { throw .invalid(field: "port", value: "\(port)", allowed: "0...65535") }
        guard !host.isEmpty else { throw .invalid(field: "host", value: "\"\"", allowed: "a hostname or address") }
        if let adminToken, adminToken.isEmpty {
            throw .invalid(field: "adminToken", value: "\"\"", allowed: "nil or a non-empty token")
        }
        if apiKeys.contains(where: \.isEmpty) { throw .invalid(field: "apiKeys", value: "\"\"", allowed: "non-empty keys") }
        if let adapterRoot, !adapterRoot.hasPrefix("/") {
            throw .invalid(field: "adapterRoot", value: adapterRoot, allowed: "an absolute path")
        }
        guard maxQueuedRequests >= 1 else { throw .invalid(field: "maxQueuedRequests", value: "\(maxQueuedRequests)", allowed: ">= 1") }
        guard retryAfterSeconds >= 0 else { throw .invalid(field: "retryAfterSeconds", value: "\(retryAfterSeconds)", allowed: ">= 0") }
        guard maxRequestBodyBytes >= 1024 else {
            throw .invalid(field: "maxRequestBodyBytes", value: "\(maxRequestBodyBytes)", allowed: ">= 1024")
        }
        guard maxChoicesPerRequest >= 1 else {
            throw .invalid(field: "maxChoicesPerRequest", value: "\(maxChoicesPerRequest)", allowed: ">= 1")
        }
        guard maxLogprobs >= 0 else { throw .invalid(field: "maxLogprobs", value: "\(maxLogprobs)", allowed: ">= 0") }
        if let rate = peerRateLimitBytesPerSecond, rate < 1024 {
            throw .invalid(field: "peerRateLimitBytesPerSecond", value: "\(rate)", allowed: "nil or >= 1024")
        }
        guard peerMaxAdapterBytes >= 1 else { throw .invalid(field: "peerMaxAdapterBytes", value: "\(peerMaxAdapterBytes)", allowed: ">= 1") }
        guard defaultCompletionMaxTokens >= 1 else {
            throw .invalid(field: "defaultCompletionMaxTokens", value: "\(defaultCompletionMaxTokens)", allowed: ">= 1")
        }
    }
}
