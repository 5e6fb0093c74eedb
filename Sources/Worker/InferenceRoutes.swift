import Engine
import Foundation
import Hummingbird
import Logging
import OpenAIWire
import ServeCore
import Tokenizers

/// `POST /v1/completions` and `POST /v1/chat/completions`.
struct InferenceRoutes: Sendable {
    let runner: GenerationRunner
    let access: AccessControl
    let config: WorkerConfig
    /// Unix seconds (OpenAI `created`).
    let now: @Sendable () -> Double

    private var service: any InferenceService { runner.service }

    func completions(_ request: Request, context: WorkerRequestContext) async throws -> Response {
        try access.authorizeAPI(request)
        let body = try await JSONBody.collect(request, limit: config.maxRequestBodyBytes)
        let wire = try JSONBody.decode(CompletionRequest.self, from: body)
        var logger = context.logger
        logger[metadataKey: "adapter"] = "\(wire.model)"
        let adapter = try await runner.resolveAdapter(model: wire.model)
        let (prompts, promptTexts) = try tokenizePrompts(wire.prompt)
        let n = try SamplingMapping.choiceCount(n: wire.n, prompts: prompts.count, limit: config.maxChoicesPerRequest)
        let maxTokens = wire.max_tokens ?? config.defaultCompletionMaxTokens
        guard maxTokens >= 1 else { throw APIError.badRequest("max_tokens must be >= 1, got \(maxTokens).", param: "max_tokens") }
        for prompt in prompts { try runner.checkContext(promptTokens: prompt.count, maxTokens: maxTokens) }
        let sampling = try SamplingMapping.parameters(
            SamplingFields(temperature: wire.temperature, topP: wire.top_p, topK: wire.top_k, minP: wire.min_p,
                           repetitionPenalty: wire.repetition_penalty, presencePenalty: wire.presence_penalty,
                           frequencyPenalty: wire.frequency_penalty, seed: wire.seed, stop: wire.stop, ignoreEOS: wire.ignore_eos),
            maxTokens: maxTokens)
        let topCount = try checkedLogprobs(wire.logprobs, param: "logprobs")
        let echo = wire.echo ?? false
        if echo, topCount != nil {
            throw APIError.badRequest("echo together with logprobs is not supported (prompt logprobs are not computed).", param: "echo")
        }
        let fanIn = try await runner.start(prompts: prompts, n: n, adapter: adapter, sampling: sampling,
                                           logprobs: topCount.map { max(1, $0) } ?? 0, logger: logger)
        let choiceCount = prompts.count * n
        let formatter = CompletionFormatter(
            id: "cmpl-" + Self.randomID(), created: Int(now()), model: wire.model, choiceCount: choiceCount,
            echo: echo ? (0..<choiceCount).map { promptTexts[$0 / n] } : nil, logprobs: logprobFormatting(topCount))
        if wire.stream ?? false {
            return SSEStreamer(fanIn: fanIn, formatter: formatter, n: n, includeUsage: wire.stream_options?.include_usage ?? false,
                               counters: runner.counters, logger: logger)
                .response(subscription: watchClient(context, fanIn))
        }
        let results = try await collect(fanIn, context: context)
        return JSONResponse.make(formatter.response(results, usage: usage(results, n: n)))
    }

    func chat(_ request: Request, context: WorkerRequestContext) async throws -> Response {
        try access.authorizeAPI(request)
        let body = try await JSONBody.collect(request, limit: config.maxRequestBodyBytes)
        let wire = try JSONBody.decode(ChatCompletionRequest.self, from: body)
        var logger = context.logger
        logger[metadataKey: "adapter"] = "\(wire.model)"
        let adapter = try await runner.resolveAdapter(model: wire.model)
        guard !wire.messages.isEmpty else { throw APIError.badRequest("`messages` must not be empty.", param: "messages") }
        let rendered: String
        do {
            rendered = try service.renderChat(wire.messages.map { ChatMessage(role: $0.role, content: $0.content.text) })
        } catch {
            throw WorkerErrorMapping.apiError(for: error)
        }
        let prompt = service.tokenize(rendered)
        guard !prompt.isEmpty else { throw APIError.badRequest("The rendered conversation is empty.", param: "messages") }
        let n = try SamplingMapping.choiceCount(n: wire.n, prompts: 1, limit: config.maxChoicesPerRequest)
        // vLLM's default: whatever the context leaves after the prompt.
        let maxTokens = wire.maxTokens ?? max(1, service.contextLength - prompt.count)
        guard maxTokens >= 1 else { throw APIError.badRequest("max_tokens must be >= 1, got \(maxTokens).", param: "max_tokens") }
        try runner.checkContext(promptTokens: prompt.count, maxTokens: maxTokens)
        let sampling = try SamplingMapping.parameters(
            SamplingFields(temperature: wire.temperature, topP: wire.top_p, topK: wire.top_k, minP: wire.min_p,
                           repetitionPenalty: wire.repetition_penalty, presencePenalty: wire.presence_penalty,
                           frequencyPenalty: wire.frequency_penalty, seed: wire.seed, stop: wire.stop, ignoreEOS: wire.ignore_eos),
            maxTokens: maxTokens)
        if wire.top_logprobs != nil, wire.logprobs != true {
            throw APIError.badRequest("top_logprobs requires logprobs to be true.", param: "top_logprobs")
        }
        let topCount = wire.logprobs == true ? try checkedLogprobs(wire.top_logprobs ?? 0, param: "top_logprobs") : nil
        let fanIn = try await runner.start(prompts: [prompt], n: n, adapter: adapter, sampling: sampling,
                                           logprobs: topCount.map { max(1, $0) } ?? 0, logger: logger)
        let formatter = ChatFormatter(id: "chatcmpl-" + Self.randomID(), created: Int(now()), model: wire.model, choiceCount: n,
                                      logprobs: logprobFormatting(topCount))
        if wire.stream ?? false {
            return SSEStreamer(fanIn: fanIn, formatter: formatter, n: n, includeUsage: wire.stream_options?.include_usage ?? false,
                               counters: runner.counters, logger: logger)
                .response(subscription: watchClient(context, fanIn))
        }
        let results = try await collect(fanIn, context: context)
        return JSONResponse.make(formatter.response(results, usage: usage(results, n: n)))
    }

    // MARK: - Shared steps

    /// Token ids per prompt, and each prompt's text (for `echo`).
    private func tokenizePrompts(_ input: PromptInput) throws(APIError) -> ([[TokenID]], [String]) {
        let prompts: [[TokenID]]
        let texts: [String]
        switch input {
        case let .text(text):
            prompts = [service.tokenize(text)]
            texts = [text]
        case let .texts(list):
            prompts = list.map { service.tokenize($0) }
            texts = list
        case let .tokens(ids):
            prompts = [ids]
            texts = [ids.map { service.tokenText($0) }.joined()]
        case let .tokenBatches(batches):
            prompts = batches
            texts = batches.map { $0.map { service.tokenText($0) }.joined() }
        }
        guard !prompts.isEmpty else { throw .badRequest("The prompt list is empty.", param: "prompt") }
        for (index, prompt) in prompts.enumerated() {
            guard !prompt.isEmpty else { throw .badRequest("Prompt \(index) is empty (it must contain at least one token).", param: "prompt") }
            if let bad = prompt.first(where: { $0 < 0 }) { throw .badRequest("Prompt \(index) holds an invalid token id \(bad).", param: "prompt") }
        }
        return (prompts, texts)
    }

    private func checkedLogprobs(_ value: Int?, param: String) throws(APIError) -> Int? {
        guard let value else { return nil }
        guard (0...config.maxLogprobs).contains(value) else {
            throw .badRequest("\(param) must be between 0 and \(config.maxLogprobs), got \(value).", param: param)
        }
        return value
    }

    private func logprobFormatting(_ topCount: Int?) -> LogprobFormatting? {
        let service = self.service
        return topCount.map { LogprobFormatting(topCount: $0, tokenText: { service.tokenText($0) }) }
    }

    /// Cancels the fan-in when the request's client goes away (if `cancelOnClientDisconnect`).
    private func watchClient(_ context: WorkerRequestContext, _ fanIn: GenerationFanIn) -> DisconnectSubscription {
        guard config.cancelOnClientDisconnect else { return DisconnectSubscription(watch: nil, token: nil) }
        return runner.connections.subscribe(context.channel) { fanIn.cancel() }
    }

    /// Waits for every choice while watching the connection, so a client that gives up stops its
    /// generation even before a token is produced.
    private func collect(_ fanIn: GenerationFanIn, context: WorkerRequestContext) async throws -> [ChoiceResult] {
        let subscription = watchClient(context, fanIn)
        defer {
            subscription.cancel()
            fanIn.cancel()
        }
        do {
            return try await GenerationCollector.collect(fanIn)
        } catch is CancellationError {
            runner.counters.record { $0.clientDisconnects += 1 }
            throw CancellationError()
        }
    }

    private func usage(_ results: [ChoiceResult], n: Int) -> Usage {
        let prompt = results.enumerated().filter { $0.offset % n == 0 }.map(\.element.promptTokens)
        return GenerationCollector.usage(promptTokens: prompt, completionTokens: results.map(\.completionTokens).reduce(0, +))
    }

    static func randomID() -> String {
        UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
    }
}
