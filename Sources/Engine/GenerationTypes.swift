import ServeCore

/// Why a generation ended (OpenAI `finish_reason`).
public enum FinishReason: String, Sendable, Codable, Equatable {
    /// An end-of-generation token or a stop string.
    case stop
    /// `max_tokens` reached.
    case length
    /// The consumer asked to stop (client went away).
    case cancelled
}

/// What one generation produced, with timings measured around the forward passes.
public struct GenerationResult: Sendable, Equatable {
    public var promptTokenIDs: [TokenID]
    public var generatedTokenIDs: [TokenID]
    public var text: String
    public var finishReason: FinishReason
    public var prefillSeconds: Double
    public var decodeSeconds: Double
    /// Forward passes of one token each after the prompt (the first token comes from the prefill).
    public var decodeSteps: Int

    public var prefillTokensPerSecond: Double {
        prefillSeconds > 0 ? Double(promptTokenIDs.count) / prefillSeconds : 0
    }
    public var decodeTokensPerSecond: Double {
        decodeSeconds > 0 ? Double(decodeSteps) / decodeSeconds : 0
    }
}

/// Errors a generation request can hit before or while running.
public enum GenerationError: Error, Sendable, Equatable, CustomStringConvertible {
    case emptyPrompt
    case contextOverflow(promptTokens: Int, maxTokens: Int, contextLength: Int)
    case invalidParameters(String)
    case model(String)

    public var description: String {
        switch self {
        case .emptyPrompt:
            "the prompt is empty (it must contain at least one token)"
        case let .contextOverflow(prompt, maxTokens, context):
            "the prompt (\(prompt) tokens) plus max_tokens (\(maxTokens)) exceeds the model's context length (\(context) tokens)"
        case let .invalidParameters(message):
            "invalid sampling parameters: \(message)"
        case let .model(message):
            "model error: \(message)"
        }
    }
}
