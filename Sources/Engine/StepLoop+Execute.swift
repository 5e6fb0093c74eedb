import BatchScheduler
import Foundation
import LlamaModel
import LoRAAdapters
import ServeCore

extension StepLoop {
    /// Runs one planned step: feeds every entry's tokens in one batched forward, samples where the
    /// scheduler says, streams tokens, and reports results back to the scheduler.
    func execute(_ step: Step, _ engine: BatchEngine) {
        for id in step.preempted { live[id]?.cache?.truncate(to: 0) }
        // Group by adapter (base first) so each adapter's tokens form one contiguous LoRA segment.
        let entries = step.entries.sorted {
            ($0.adapter?.rawValue ?? "", $0.request.rawValue) < ($1.adapter?.rawValue ?? "", $1.request.rawValue)
        }
        var chunks: [SequenceChunk] = []
        var fed: [(entry: StepEntry, request: LiveRequest)] = []
        var segments: [LoRASegment] = []
        var offset = 0
        for entry in entries {
            guard let request = live[entry.request] else { continue }
            do {
                let cache = try request.cache ?? context.makeCache(capacity: request.promptCount + request.sampling.maxTokens)
                request.cache = cache
                if cache.count > entry.position { cache.truncate(to: entry.position) }
                guard cache.count == entry.position, entry.positions.upperBound <= request.tokens.count else {
                    fail(request, "internal: KV cache at \(cache.count), step feeds position \(entry.position)", engine)
                    continue
                }
                if let name = request.adapterName, request.adapter == nil {
                    request.adapter = engine.registry.prepared(name)
                }
                if let prepared = request.adapter {
                    if let last = segments.last, last.adapter === prepared, last.tokenStart + last.tokenCount == offset {
                        segments[segments.count - 1] = LoRASegment(tokenStart: last.tokenStart, tokenCount: last.tokenCount + entry.tokenCount, adapter: prepared)
                    } else {
                        segments.append(LoRASegment(tokenStart: offset, tokenCount: entry.tokenCount, adapter: prepared))
                    }
                }
                chunks.append(SequenceChunk(cache: cache, tokens: Array(request.tokens[entry.positions]),
                                            logits: entry.samplesNextToken ? .last : .none))
                fed.append((entry, request))
                offset += entry.tokenCount
            } catch {
                fail(request, String(describing: error), engine)
            }
        }
        lora.setSegments(segments)
        context.lora = segments.isEmpty ? nil : lora
        let rows: [Range<Int>]
        do { rows = try context.forward(chunks) } catch {
            for (_, request) in fed { fail(request, error.description, engine) }
            _ = scheduler.update(step, results: fed.map { SequenceResult(id: $0.entry.request, finished: .error) }, now: engine.now)
            return
        }
        var results: [SequenceResult] = []
        for (index, (entry, request)) in fed.enumerated() {
            guard entry.samplesNextToken, let row = rows[index].first else {
                results.append(SequenceResult(id: entry.request))
                continue
            }
            let reason = emitNextToken(request, logits: context.logits(row: row), engine)
            results.append(Self.result(entry.request, reason))
        }
        _ = scheduler.update(step, results: results, now: engine.now)
        for (entry, request) in fed where live[entry.request] === request && !scheduler.contains(entry.request) {
            finish(request, reason: .stop, engine, notify: false)
        }
        publishMetrics(engine)
    }

    /// The scheduler's result for a sampled entry (its FinishReason type is inferred: the module
    /// and its main type share the name `BatchScheduler`, so it cannot be spelled from here).
    static func result(_ id: RequestID, _ reason: FinishReason?) -> SequenceResult {
        switch reason {
        case nil: SequenceResult(id: id)
        case .stop: SequenceResult(id: id, finished: .stop)
        case .length: SequenceResult(id: id, finished: .length)
        case .cancelled: SequenceResult(id: id, finished: .cancelled)
        }
    }

    private func fail(_ request: LiveRequest, _ message: String, _ engine: BatchEngine) {
        request.continuation.finish(throwing: ServiceError.internalError(message))
        _ = scheduler.cancel(request.id)
        finish(request, reason: .cancelled, engine, notify: false)
    }

    /// Removes a request everywhere; with `notify`, ends its stream with a `.finished` event.
    func finish(_ request: LiveRequest, reason: FinishReason, _ engine: BatchEngine, notify: Bool = true) {
        guard live.removeValue(forKey: request.id) != nil else { return }
        if reason == .cancelled { _ = scheduler.cancel(request.id) }
        request.cache = nil
        request.adapter = nil
        if notify {
            request.continuation.yield(.finished(reason: reason, promptTokens: request.promptCount, completionTokens: request.generatedCount))
            request.continuation.finish()
        }
        let now = engine.now
        engine.metricsState.withLock { m in
            m.requestsFinished[reason.rawValue, default: 0] += 1
            m.endToEndLatency.observe(now - request.arrivedAt)
            if let first = request.firstTokenAt, request.generatedCount > 1 {
                m.timePerOutputToken.observe((now - first) / Double(request.generatedCount - 1))
            }
        }
        if let name = request.adapterName { engine.registry.count(generated: name, tokens: request.generatedCount) }
    }

    func publishMetrics(_ engine: BatchEngine) {
        let stats = scheduler.stats
        let running = Set(live.values.filter { $0.cache != nil }.compactMap(\.adapterName)).sorted()
        let waiting = Set(live.values.filter { $0.cache == nil }.compactMap(\.adapterName)).sorted()
        engine.metricsState.withLock { m in
            m.running = stats.running
            m.waiting = stats.waiting + stats.resuming
            m.kvBlocksUsed = stats.kvBlocksUsed
            m.kvBlocksTotal = stats.kvBlocksTotal
            m.preemptions = stats.preemptions
            m.stepCount = Int(stats.steps)
            m.runningAdapters = running
            m.waitingAdapters = waiting
        }
    }
}
