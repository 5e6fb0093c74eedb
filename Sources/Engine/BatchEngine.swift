import Foundation
import Kernels
import LlamaModel
import LoRAAdapters
import ModelStore
import ServeCore
import Synchronization
import Tokenizers

/// The worker's engine: one step loop (on its own thread) runs continuous batches that mix the base
/// model and any adapters, each token paying for its own adapter's rank (`exact`) or as other
/// engines do (`padded`, `batch-max`). Handlers talk to it through `InferenceService`.
public final class BatchEngine: InferenceService {
    public let model: LoadedLlama
    public let config: EngineConfig
    /// Where `load_lora_adapter` paths must live (nil = anywhere).
    public let adapterRoot: String?
    let registry: AdapterRegistry
    let inbox = EngineInbox()
    let metricsState = Mutex(EngineMetrics())
    let nextID = Atomic<UInt64>(1)
    let clock = ContinuousClock()
    let startedAt: ContinuousClock.Instant
    /// The drift test's diagnostic hook on the step loop (`SchedulerTap`); nil in service.
    let tap = Mutex<SchedulerTap?>(nil)
    /// The step-loop thread's CPU clock, read when metrics are asked for (not on every step).
    private let loopClock = ThreadCPUClock()
    private let loop: StepLoop

    public init(model: LoadedLlama, config: EngineConfig, adapterRoot: String?) throws(ServiceError) {
        try config.validate()
        self.model = model
        self.config = config
        self.adapterRoot = adapterRoot
        registry = AdapterRegistry(config: config)
        startedAt = clock.now
        let context: LlamaContext
        do {
            context = try LlamaContext(weights: model.weights, maxBatchTokens: config.scheduler.maxBatchTokens,
                                       maxLogitRows: config.scheduler.maxRunningSequences, pool: ThreadPool(threadCount: config.threads))
        } catch { throw .internalError(String(describing: error)) }
        loop = try StepLoop(config: config, context: context, tokenizer: model.tokenizer)
        loop.engine = self
        metricsState.withLock {
            $0.kvBlocksTotal = config.scheduler.kvBlockCount
            $0.maxActiveAdapters = config.maxActiveAdapters
        }
        let loop = self.loop, loopClock = self.loopClock
        let thread = Thread {
            loopClock.bindToCurrentThread()
            loop.run()
        }
        thread.name = "loraserve-step-loop"
        thread.start()
    }

    deinit { inbox.post(.stop) }

    /// Stops the step loop; in-flight streams end with `.shuttingDown`.
    public func shutdown() { inbox.post(.stop) }

    var now: Double { (clock.now - startedAt).seconds }

    var shape: BaseModelShape { model.shape }

    // MARK: InferenceService

    public var baseModelName: String { config.baseModelName }
    public var contextLength: Int { min(model.weights.config.contextLength, config.scheduler.maxModelLength) }

    public func tokenize(_ text: String) -> [TokenID] { model.tokenizer.encode(text, parseSpecial: true) }

    public func tokenText(_ id: TokenID) -> String { model.tokenizer.decode([id]) }

    public func renderChat(_ messages: [ChatMessage]) throws(ServiceError) -> String {
        guard let template = model.chatTemplate else { throw .invalidRequest("this model has no chat template; use /v1/completions") }
        return template.render(messages, addGenerationPrompt: true)
    }

    public func submit(_ request: GenerationRequest) async throws(ServiceError) -> AsyncThrowingStream<GenerationEvent, any Error> {
        do { try request.sampling.validate() } catch { throw .invalidRequest(error.description) }
        guard !request.promptTokens.isEmpty else { throw .invalidRequest("the prompt is empty") }
        guard request.promptTokens.allSatisfy({ $0 >= 0 && Int($0) < model.tokenizer.vocabularySize }) else {
            throw .invalidRequest("prompt token ids must be in 0..<\(model.tokenizer.vocabularySize)")
        }
        guard request.promptTokens.count + request.sampling.maxTokens <= contextLength else {
            throw .contextOverflow(promptTokens: request.promptTokens.count, maxTokens: request.sampling.maxTokens, contextLength: contextLength)
        }
        if let adapter = request.adapter, !registry.contains(adapter.rawValue) { throw .unknownAdapter(adapter.rawValue) }
        let (stream, continuation) = AsyncThrowingStream<GenerationEvent, any Error>.makeStream()
        let id = request.id
        let inbox = self.inbox
        continuation.onTermination = { termination in
            if case .cancelled = termination { inbox.post(.cancel(id)) }
        }
        let seed = LiveRequestSeed(request: request, continuation: continuation, arrivedAt: now)
        let admission: ServiceError? = await withCheckedContinuation { (done: CheckedContinuation<ServiceError?, Never>) in
            inbox.post(.submit(seed, admitted: { done.resume(returning: $0) }))
        }
        if let admission { throw admission }
        return stream
    }

    /// A fresh request id (unique in this process).
    public func makeRequestID() -> RequestID { RequestID(nextID.wrappingAdd(1, ordering: .relaxed).oldValue) }

    public func loadAdapter(name: String, path: String) async throws(ServiceError) -> AdapterInfo {
        guard !name.isEmpty, name != baseModelName else { throw .invalidRequest("invalid lora_name '\(name)'") }
        guard !registry.contains(name) else { throw .adapterExists(name) }
        let started = clock.now
        let root = adapterRoot, shape = self.shape, maxRank = config.maxLoRARank
        // Parsing happens here, on the caller's task: never on the step loop.
        let result: Result<LoRAAdapter, AdapterError> = await Task.detached {
            do throws(AdapterError) { return .success(try AdapterFiles.load(path: path, root: root, base: shape, maxRank: maxRank)) }
            catch { return .failure(error) }
        }.value
        switch result {
        case let .failure(error): throw .adapterInvalid("Failed to load LoRA adapter '\(name)': \(error.description)")
        case let .success(adapter):
            return try registry.register(name: name, path: path, adapter: adapter, loadSeconds: (clock.now - started).seconds)
        }
    }

    public func unloadAdapter(name: String) async throws(ServiceError) {
        // Running requests keep their weights (LiveRequest.adapter) until they finish.
        try registry.remove(name: name)
    }

    public func pin(_ name: String, _ pinned: Bool) throws(ServiceError) { try registry.setPinned(name, pinned) }

    public func adapters() async -> [AdapterInfo] { registry.infos() }

    public func metrics() async -> EngineMetrics {
        var m = metricsState.withLock { $0 }
        m.loopThreadCPUSeconds = loopClock.seconds()
        return m
    }
}
