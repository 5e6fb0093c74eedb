import Foundation
import LlamaModel
import ServeCore

extension StepLoop {
    /// Samples one token for `request`, streams it, and says whether the request is now finished.
    func emitNextToken(_ request: LiveRequest, logits: UnsafeMutableBufferPointer<Float>, _ engine: BatchEngine) -> FinishReason? {
        var top: [TokenLogprob] = []
        var original: [Float] = []
        var logSumExp: Float = 0
        if request.logprobs > 0 {
            original = Array(logits)
            logSumExp = Self.logSumExp(logits)
            top = Sampler.topK(UnsafeBufferPointer(logits), k: request.logprobs).map { TokenLogprob(id: $0.token, logprob: $0.logit - logSumExp) }
        }
        let window = request.tokens.suffix(request.sampling.repetitionWindow)
        let token = request.sampler.sample(logits, recent: window)
        let logprob: Float? = original.isEmpty ? nil : original[Int(token)] - logSumExp
        let now = engine.now
        if request.firstTokenAt == nil {
            request.firstTokenAt = now
            let ttft = now - request.arrivedAt
            engine.metricsState.withLock { m in
                m.timeToFirstToken.observe(ttft)
                m.promptTokensTotal += request.promptCount
                if let name = request.adapterName { m.perAdapterTimeToFirstToken[name, default: LatencySummary()].observe(ttft) }
            }
        }
        engine.metricsState.withLock { $0.generationTokensTotal += 1 }
        request.tokens.append(token)

        if !request.sampling.ignoreEOS && tokenizer.isEndOfGeneration(token) {
            let tail = request.text.finish().text
            request.continuation.yield(.token(id: token, text: tail, logprob: logprob, top: top))
            finish(request, reason: .stop, engine)
            return .stop
        }
        let (text, stopped) = request.text.push(token)
        if stopped {
            request.continuation.yield(.token(id: token, text: text, logprob: logprob, top: top))
            finish(request, reason: .stop, engine)
            return .stop
        }
        if request.generatedCount >= request.sampling.maxTokens {
            request.continuation.yield(.token(id: token, text: text + request.text.finish().text, logprob: logprob, top: top))
            finish(request, reason: .length, engine)
            return .length
        }
        request.continuation.yield(.token(id: token, text: text, logprob: logprob, top: top))
        return nil
    }

    static func logSumExp(_ logits: UnsafeMutableBufferPointer<Float>) -> Float {
        var maximum = -Float.infinity
        for v in logits where v > maximum { maximum = v }
        var sum: Float = 0
        for v in logits { sum += expf(v - maximum) }
        return maximum + logf(sum)
    }
}
