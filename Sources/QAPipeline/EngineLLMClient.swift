import Engine
import Foundation
import Synchronization
import ServeCore
import Tokenizers

/// `LLMClient` over an in-process `InferenceService` (the batching engine): renders the chat
/// template, generates greedily and stops at the end-of-generation token. Concurrent calls are
/// batched by the engine.
public struct EngineLLMClient: LLMClient {
    public let service: any InferenceService
    private let ids: RequestIDSource

    public init(service: any InferenceService) {
        self.service = service
        self.ids = RequestIDSource()
    }

    public func complete(system: String, user: String, maxTokens: Int) async throws -> LLMCompletion {
        let started = ContinuousClock.now
        let prompt: String
        do {
            prompt = try service.renderChat([ChatMessage(role: "system", content: system), ChatMessage(role: "user", content: user)])
        } catch { throw QAPipelineError.llm(error.description) }
        var tokens = service.tokenize(prompt)
        // Keep the end of the prompt (question, "Answer:") when a document is too long for the
        // context: drop from the front of the user text rather than failing the request.
        let budget = service.contextLength - maxTokens
        if tokens.count > budget, budget > 0 { tokens = Array(tokens.suffix(budget)) }
        let request = GenerationRequest(id: ids.next(), adapter: nil, promptTokens: tokens,
                                        sampling: SamplingParameters(temperature: 0, maxTokens: maxTokens))
        let stream: AsyncThrowingStream<GenerationEvent, any Error>
        do { stream = try await service.submit(request) } catch { throw QAPipelineError.llm(error.description) }
        var text = ""
        var promptTokens = tokens.count, completionTokens = 0
        for try await event in stream {
            switch event {
            case let .token(_, piece, _, _): text += piece
            case let .finished(_, p, c): promptTokens = p; completionTokens = c
            }
        }
        let seconds = (ContinuousClock.now - started).seconds
        return LLMCompletion(text: text.trimmingCharacters(in: .whitespacesAndNewlines), promptTokens: promptTokens,
                             completionTokens: completionTokens, seconds: seconds)
    }
}

/// Request ids unique within this client (the engine only needs them unique among live requests;
/// the high bit keeps them apart from ids the HTTP front end hands out).
final class RequestIDSource: Sendable {
    private let counter = Mutex<UInt64>(0)
    func next() -> RequestID {
        counter.withLock { value in
            value += 1
            return RequestID((1 << 62) | value)
        }
    }
}
