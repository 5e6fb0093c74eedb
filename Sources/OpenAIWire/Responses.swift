/// Token accounting (OpenAI `usage`).
public struct Usage: Sendable, Equatable, Codable {
    public var prompt_tokens: Int
    public var completion_tokens: Int
    public var total_tokens: Int
    public init(prompt: Int, completion: Int) {
        prompt_tokens = prompt
        completion_tokens = completion
        total_tokens = prompt + completion
    }
}

/// Legacy-completions logprobs block.
public struct CompletionLogprobs: Sendable, Equatable, Codable {
    public var tokens: [String]
    public var token_logprobs: [Float]
    public var top_logprobs: [[String: Float]]?
    public var text_offset: [Int]
    public init(tokens: [String], token_logprobs: [Float], top_logprobs: [[String: Float]]?, text_offset: [Int]) {
        self.tokens = tokens
        self.token_logprobs = token_logprobs
        self.top_logprobs = top_logprobs
        self.text_offset = text_offset
    }
}

public struct CompletionChoice: Sendable, Equatable, Codable {
    public var index: Int
    public var text: String
    public var logprobs: CompletionLogprobs?
    /// `nil` in stream chunks before the last one.
    public var finish_reason: String?
    public init(index: Int, text: String, logprobs: CompletionLogprobs? = nil, finish_reason: String?) {
        self.index = index
        self.text = text
        self.logprobs = logprobs
        self.finish_reason = finish_reason
    }

    // Always emit `finish_reason` (null while streaming), as OpenAI does.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(index, forKey: .index)
        try c.encode(text, forKey: .text)
        try c.encode(logprobs, forKey: .logprobs)
        try c.encode(finish_reason, forKey: .finish_reason)
    }
}

/// `text_completion` object, also used for each streamed chunk (as OpenAI does).
public struct CompletionResponse: Sendable, Equatable, Codable {
    public var id: String
    public var object: String = "text_completion"
    public var created: Int
    public var model: String
    public var choices: [CompletionChoice]
    public var usage: Usage?
    public init(id: String, created: Int, model: String, choices: [CompletionChoice], usage: Usage?) {
        self.id = id
        self.created = created
        self.model = model
        self.choices = choices
        self.usage = usage
    }
}

public struct ChatMessageOut: Sendable, Equatable, Codable {
    public var role: String?
    public var content: String?
    public init(role: String?, content: String?) {
        self.role = role
        self.content = content
    }
}

public struct ChatTopLogprob: Sendable, Equatable, Codable {
    public var token: String
    public var logprob: Float
    public var bytes: [UInt8]?
}

public struct ChatTokenLogprob: Sendable, Equatable, Codable {
    public var token: String
    public var logprob: Float
    public var bytes: [UInt8]?
    public var top_logprobs: [ChatTopLogprob]
}

public struct ChatLogprobs: Sendable, Equatable, Codable {
    public var content: [ChatTokenLogprob]
}

public struct ChatChoice: Sendable, Equatable, Codable {
    public var index: Int
    public var message: ChatMessageOut?
    public var delta: ChatMessageOut?
    public var logprobs: ChatLogprobs?
    public var finish_reason: String?

    public init(index: Int, message: ChatMessageOut? = nil, delta: ChatMessageOut? = nil, logprobs: ChatLogprobs? = nil, finish_reason: String?) {
        self.index = index
        self.message = message
        self.delta = delta
        self.logprobs = logprobs
        self.finish_reason = finish_reason
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(index, forKey: .index)
        try c.encodeIfPresent(message, forKey: .message)
        try c.encodeIfPresent(delta, forKey: .delta)
        try c.encode(logprobs, forKey: .logprobs)
        try c.encode(finish_reason, forKey: .finish_reason)
    }
}

/// `chat.completion` (whole) or `chat.completion.chunk` (streamed).
public struct ChatCompletionResponse: Sendable, Equatable, Codable {
    public var id: String
    public var object: String
    public var created: Int
    public var model: String
    public var choices: [ChatChoice]
    public var usage: Usage?
    public init(id: String, chunk: Bool, created: Int, model: String, choices: [ChatChoice], usage: Usage?) {
        self.id = id
        self.object = chunk ? "chat.completion.chunk" : "chat.completion"
        self.created = created
        self.model = model
        self.choices = choices
        self.usage = usage
    }
}

/// One entry of `GET /v1/models` (vLLM shape: adapters carry `parent` = the base model).
public struct ModelCard: Sendable, Equatable, Codable {
    public var id: String
    public var object: String = "model"
    public var created: Int
    public var owned_by: String
    public var root: String?
    public var parent: String?
    public var max_model_len: Int?
    public init(id: String, created: Int, owned_by: String = "loraserve", root: String? = nil, parent: String? = nil, max_model_len: Int? = nil) {
        self.id = id
        self.created = created
        self.owned_by = owned_by
        self.root = root
        self.parent = parent
        self.max_model_len = max_model_len
    }
}

public struct ModelList: Sendable, Equatable, Codable {
    public var object: String = "list"
    public var data: [ModelCard]
    public init(data: [ModelCard]) { self.data = data }
}
