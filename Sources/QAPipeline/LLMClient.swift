/// A chat LLM as the QA pipeline sees it: one system + user turn in, text and token counts out.
/// Implementations: `EngineLLMClient` (in-process `InferenceService`), `OpenAIChatClient` (any
/// OpenAI-compatible server), and `MemoizingLLMClient` (evaluation reuse).
public protocol LLMClient: Sendable {
    /// Generates greedily until the model stops or `maxTokens` is reached.
    func complete(system: String, user: String, maxTokens: Int) async throws -> LLMCompletion
}

/// What one LLM call produced; the token counts are what a cache hit saves.
public struct LLMCompletion: Sendable, Equatable, Codable {
    public var text: String
    public var promptTokens: Int
    public var completionTokens: Int
    /// Wall-clock seconds the call took when it was really made (a memoised replay reports the
    /// original duration, so evaluation latencies stay meaningful).
    public var seconds: Double

    public init(text: String, promptTokens: Int, completionTokens: Int, seconds: Double = 0) {
        self.text = text
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.seconds = seconds
    }

    public var totalTokens: Int { promptTokens + completionTokens }
}
