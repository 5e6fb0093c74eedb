import BatchScheduler
import Foundation
import LlamaModel
import LoRAAdapters
import ServeCore
import Tokenizers

/// The engine's single owner of scheduler, KV caches and model scratch: drain messages, plan a step
/// with the real `BatchScheduler`, run one batched forward (LoRA segments grouped by adapter),
/// sample, stream, update the scheduler. Repeat.
final class StepLoop: @unchecked Sendable {
    // @unchecked Sendable: every mutable property is touched only by the loop thread once `run()`
    // starts; `engine` is assigned once, before the thread starts.
    weak var engine: BatchEngine?
    var scheduler: BatchScheduler
    let context: LlamaContext
    let tokenizer: BPETokenizer
    let lora: LoRABatch
    var live: [RequestID: LiveRequest] = [:]

    init(config: EngineConfig, context: LlamaContext, tokenizer: BPETokenizer) throws(ServiceError) {
        do { scheduler = try BatchScheduler(config: config.scheduler) } catch { throw .invalidRequest(error.description) }
        self.context = context
        self.tokenizer = tokenizer
        lora = LoRABatch(mode: config.loraCompute, maxTokens: config.scheduler.maxBatchTokens, maxRank: config.maxLoRARank)
    }

    func run() {
        while let engine {
            let idle = live.isEmpty
            let waitingOnly = !idle && scheduler.stats.running == 0
            let messages = engine.inbox.drain(waitingUpTo: idle ? 0.25 : (waitingOnly ? 0.002 : 0))
            for message in messages {
                if !handle(message, engine) { shutDown(); return }
            }
            if !messages.isEmpty { publishMetrics(engine) }
            guard !live.isEmpty else { continue }
            requestAdapters(engine)
            let registry = engine.registry
            let tap = engine.tap.withLock { $0 }
            if let tap, !tap.mayPlan(live: live.count, adaptersReady: { allAdaptersPrepared(registry) }) { continue }
            let held = Set(live.values.compactMap { $0.adapter == nil ? nil : $0.adapterName })
            let step = scheduler.plan(now: engine.now) { held.contains($0.rawValue) || registry.prepared($0.rawValue) != nil }
            guard !step.isEmpty else { continue }
            tap?.record(step)
            let started = ContinuousClock.now
            execute(step, engine)
            tap?.recordTime((ContinuousClock.now - started).seconds)
        }
    }

    /// Returns false on `.stop`.
    private func handle(_ message: EngineMessage, _ engine: BatchEngine) -> Bool {
        switch message {
        case let .submit(seed, admitted):
            let r = seed.request
            let spec = RequestSpec(id: r.id, adapter: r.adapter, promptTokenCount: r.promptTokens.count,
                                   maxNewTokens: r.sampling.maxTokens, arrivedAt: seed.arrivedAt,
                                   rank: r.adapter.flatMap { engine.registry.rank(of: $0.rawValue) } ?? 0)
            do {
                try scheduler.submit(spec, now: engine.now)
            } catch {
                switch error {
                case let .queueFull(seconds): admitted(.queueFull(retryAfterSeconds: max(1, Int(seconds.rounded(.up)))))
                case let .tooLong(limit, requested): admitted(.contextOverflow(promptTokens: r.promptTokens.count, maxTokens: requested - r.promptTokens.count, contextLength: limit))
                case let .invalid(reason): admitted(.invalidRequest(reason))
                }
                return true
            }
            live[r.id] = LiveRequest(seed: seed, tokenizer: tokenizer)
            if let name = r.adapter?.rawValue { engine.registry.count(request: name, promptTokens: r.promptTokens.count) }
            admitted(nil)
        case let .cancel(id):
            if let request = live[id] { finish(request, reason: .cancelled, engine) }
        case .wake:
            break
        case .stop:
            return false
        }
        return true
    }

    /// Starts off-loop loads for adapters that waiting requests need and that are not active.
    private func requestAdapters(_ engine: BatchEngine) {
        let inUse = Set(scheduler.activeAdapters.map(\.rawValue))
        for adapter in scheduler.wantedAdapters {
            let name = adapter.rawValue
            if live.values.contains(where: { $0.adapterName == name && $0.adapter != nil }) { continue }
            switch engine.registry.planActivation(name, inUse: inUse) {
            case .ready, .wait: continue
            case .unknown:
                for request in live.values where request.adapterName == name && request.adapter == nil {
                    request.continuation.finish(throwing: ServiceError.unknownAdapter(name))
                    finish(request, reason: .cancelled, engine, notify: false)
                }
            case let .activate(host, path):
                AdapterActivation.start(name: name, host: host, path: path, engine: engine, inUse: inUse)
            }
        }
    }

    /// Every live request's adapter is prepared (a `SchedulerTap` hold waits for this).
    private func allAdaptersPrepared(_ registry: AdapterRegistry) -> Bool {
        live.values.allSatisfy { request in request.adapterName.map { registry.prepared($0) != nil } ?? true }
    }

    private func shutDown() {
        for request in live.values { request.continuation.finish(throwing: ServiceError.shuttingDown) }
        live.removeAll()
    }
}
