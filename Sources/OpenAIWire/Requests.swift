/// `stream_options` (OpenAI): ask for a final usage chunk in streams.
public struct StreamOptions: Sendable, Equatable, Codable {
    public var include_usage: Bool?
    public init(include_usage: Bool? = nil) { self.include_usage = include_usage }
}

/// `POST /v1/completions` body. Field names are the wire names (snake_case) on purpose.
public struct CompletionRequest: Sendable, Equatable, Codable {
    public var model: String
    public var prompt: PromptInput
    public var max_tokens: Int?
    public var temperature: Float?
    public var top_p: Float?
    public var n: Int?
    public var stream: Bool?
    public var stream_options: StreamOptions?
    public var stop: StopSequences?
    public var seed: UInt64?
    public var logprobs: Int?
    public var echo: Bool?
    public var presence_penalty: Float?
    public var frequency_penalty: Float?
    public var user: String?
    // vLLM extensions.
    public var top_k: Int?
    public var min_p: Float?
    public var repetition_penalty: Float?
    public var ignore_eos: Bool?

    public init(model: String, prompt: PromptInput, max_tokens: Int? = nil, temperature: Float? = nil, stream: Bool? = nil) {
        self.model = model
        self.prompt = prompt
        self.max_tokens = max_tokens
        self.temperature = temperature
        self.stream = stream
    }
}

public struct ChatMessageWire: Sendable, Equatable, Codable {
    public var role: String
    public var content: MessageContent
    public var name: String?
    public init(role: String, content: String) {
        self.role = role
        self.content = MessageContent(content)
    }
}

/// `POST /v1/chat/completions` body.
public struct ChatCompletionRequest: Sendable, Equatable, Codable {
    public var model: String
    public var messages: [ChatMessageWire]
    public var max_tokens: Int?
    public var max_completion_tokens: Int?
    public var temperature: Float?
    public var top_p: Float?
    public var n: Int?
    public var stream: Bool?
    public var stream_options: StreamOptions?
    public var stop: StopSequences?
    public var seed: UInt64?
    public var logprobs: Bool?
    public var top_logprobs: Int?
    public var presence_penalty: Float?
    public var frequency_penalty: Float?
    public var user: String?
    public var top_k: Int?
    public var min_p: Float?
    public var repetition_penalty: Float?
    public var ignore_eos: Bool?

    public init(model: String, messages: [ChatMessageWire], max_tokens: Int? = nil, stream: Bool? = nil) {
        self.model = model
        self.messages = messages
        self.max_tokens = max_tokens
        self.stream = stream
    }

    /// `max_completion_tokens` is the newer name; either is accepted.
    public var maxTokens: Int? { max_completion_tokens ?? max_tokens }
}

/// vLLM's `POST /v1/load_lora_adapter`.
public struct LoadLoRARequest: Sendable, Equatable, Codable {
    public var lora_name: String
    public var lora_path: String
    public init(lora_name: String, lora_path: String) {
        self.lora_name = lora_name
        self.lora_path = lora_path
    }
}

/// vLLM's `POST /v1/unload_lora_adapter`.
public struct UnloadLoRARequest: Sendable, Equatable, Codable {
    public var lora_name: String
    public init(lora_name: String) { self.lora_name = lora_name }
}
