import Engine
import Logging
import OpenAIWire
import ServeCore
import Synchronization

/// Hands out request ids, unique for the life of the process.
final class RequestIDSource: Sendable {
    private let next = Mutex<UInt64>(1)
    func take() -> RequestID {
        RequestID(next.withLock { value in
            defer { value += 1 }
            return value
        })
    }
}

/// What the inference routes share: model resolution, context checks, admission and submission.
struct GenerationRunner: Sendable {
    let service: any InferenceService
    let gate: AdmissionGate
    let counters: ServerCounters
    let ids: RequestIDSource
    let connections: ConnectionRegistry
    let config: WorkerConfig

    /// `nil` for the base model, the adapter for an adapter name, else 404 `model_not_found`.
    func resolveAdapter(model: String) async throws(APIError) -> AdapterID? {
        if model == service.baseModelName { return nil }
        let known = await service.adapters()
        guard known.contains(where: { $0.name == model }) else {
            throw WorkerErrorMapping.apiError(for: ServiceError.unknownAdapter(model))
        }
        return AdapterID(model)
    }

    /// 400 when the prompt plus `max_tokens` does not fit the context (vLLM's message).
    func checkContext(promptTokens: Int, maxTokens: Int) throws(APIError) {
        let context = service.contextLength
        guard promptTokens + maxTokens <= context else {
            throw WorkerErrorMapping.apiError(for: ServiceError.contextOverflow(promptTokens: promptTokens, maxTokens: maxTokens, contextLength: context))
        }
    }

    /// Admits `prompts.count × n` engine requests and submits them; choice `p·n + i` is prompt `p`'s
    /// `i`-th sample (OpenAI's index order). On any failure nothing stays admitted or running.
    func start(prompts: [[TokenID]], n: Int, adapter: AdapterID?, sampling: SamplingParameters, logprobs: Int,
               logger: Logger) async throws(APIError) -> GenerationFanIn {
        let total = prompts.count * n
        guard gate.tryAcquire(total) else {
            counters.record { $0.rejectedQueueFull += 1 }
            throw .rateLimited("The server is at capacity (\(gate.capacity) requests admitted); retry after \(config.retryAfterSeconds) s.",
                               retryAfterSeconds: config.retryAfterSeconds)
        }
        var streams: [AsyncThrowingStream<GenerationEvent, any Error>] = []
        streams.reserveCapacity(total)
        do {
            for (p, prompt) in prompts.enumerated() {
                for i in 0..<n {
                    var choiceSampling = sampling
                    choiceSampling.seed = SamplingMapping.seed(sampling.seed, choice: i)
                    let request = GenerationRequest(id: ids.take(), adapter: adapter, promptTokens: prompt, sampling: choiceSampling, logprobs: logprobs)
                    logger.debug("submitting", metadata: ["request_id": "\(request.id)", "adapter": "\(adapter?.rawValue ?? "-")", "choice": "\(p * n + i)"])
                    streams.append(try await service.submit(request))
                }
            }
        } catch {
            let submitted = streams.count
            let gate = self.gate
            let partial = GenerationFanIn(streams: streams, onAllEnded: { gate.release(submitted) })
            partial.cancel()
            gate.release(total - submitted)
            if case .queueFull = error { counters.record { $0.rejectedQueueFull += 1 } }
            throw WorkerErrorMapping.apiError(for: error)
        }
        let gate = self.gate
        return GenerationFanIn(streams: streams, onAllEnded: { gate.release(total) })
    }
}
