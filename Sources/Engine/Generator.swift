import Kernels
import LlamaModel
import ServeCore
import Tokenizers

/// Single-stream generation: prefill the prompt in chunks, then decode one token per forward pass,
/// streaming text as soon as it is complete UTF-8 and not a possible stop-string prefix.
///
/// Owns a `LlamaContext` (scratch buffers, one owner); not thread-safe. The batched, multi-adapter
/// step loop of the worker builds on the same `LlamaContext.forward`.
public final class Generator {
    public let weights: LlamaWeights
    public let tokenizer: BPETokenizer
    public let context: LlamaContext
    public let maxBatchTokens: Int

    public init(weights: LlamaWeights, tokenizer: BPETokenizer, threads: Int, maxBatchTokens: Int = 512) throws(GenerationError) {
        self.weights = weights
        self.tokenizer = tokenizer
        self.maxBatchTokens = max(1, maxBatchTokens)
        do {
            context = try LlamaContext(weights: weights, maxBatchTokens: self.maxBatchTokens, maxLogitRows: 1,
                                       pool: ThreadPool(threadCount: max(1, threads)))
        } catch { throw .model(error.description) }
    }

    /// Generates from `prompt`. `onText` receives each newly emitted piece of text and returns
    /// `false` to cancel (the result then ends with `.cancelled`).
    public func generate(prompt: [TokenID], parameters: SamplingParameters,
                         onText: (String) -> Bool = { _ in true }) throws(GenerationError) -> GenerationResult {
        do { try parameters.validate() } catch { throw .invalidParameters(error.description) }
        guard !prompt.isEmpty else { throw .emptyPrompt }
        let contextLength = weights.config.contextLength
        guard prompt.count + parameters.maxTokens <= contextLength else {
            throw .contextOverflow(promptTokens: prompt.count, maxTokens: parameters.maxTokens, contextLength: contextLength)
        }
        let cache: KVCache
        do { cache = try context.makeCache(capacity: prompt.count + parameters.maxTokens) } catch { throw .model(error.description) }

        var result = GenerationResult(promptTokenIDs: prompt, generatedTokenIDs: [], text: "", finishReason: .length,
                                      prefillSeconds: 0, decodeSeconds: 0, decodeSteps: 0)
        let clock = ContinuousClock()
        let prefillStart = clock.now
        var offset = 0
        while offset < prompt.count {
            let end = min(offset + maxBatchTokens, prompt.count)
            let chunk = SequenceChunk(cache: cache, tokens: Array(prompt[offset..<end]), logits: end == prompt.count ? .last : .none)
            do { try context.forward([chunk]) } catch { throw .model(error.description) }
            offset = end
        }
        result.prefillSeconds = (clock.now - prefillStart).seconds

        var sampler = Sampler(parameters: parameters, defaultSeed: UInt64.random(in: .min ... .max))
        var text = TextStream(tokenizer: tokenizer, stops: parameters.stop)
        var history = prompt
        var stoppedByString = false
        let decodeStart = clock.now
        while result.generatedTokenIDs.count < parameters.maxTokens {
            let window = history.suffix(parameters.repetitionWindow)
            let token = sampler.sample(context.logits(row: 0), recent: window)
            if !parameters.ignoreEOS && tokenizer.isEndOfGeneration(token) {
                result.generatedTokenIDs.append(token)
                result.finishReason = .stop
                break
            }
            result.generatedTokenIDs.append(token)
            history.append(token)
            let (emit, stopped) = text.push(token)
            result.text += emit
            if !emit.isEmpty && !onText(emit) { result.finishReason = .cancelled; break }
            if stopped { result.finishReason = .stop; stoppedByString = true; break }
            guard result.generatedTokenIDs.count < parameters.maxTokens else { break }
            do { try context.forward([SequenceChunk(cache: cache, tokens: [token], logits: .last)]) } catch {
                throw .model(error.description)
            }
            result.decodeSteps += 1
        }
        result.decodeSeconds = (clock.now - decodeStart).seconds
        if !stoppedByString && result.finishReason != .cancelled {
            // Text held back as incomplete UTF-8 or as a possible stop-string prefix is output after all.
            let (tail, stopped) = text.finish()
            if stopped { result.finishReason = .stop }
            result.text += tail
            if !tail.isEmpty { _ = onText(tail) }
        }
        return result
    }
}

extension Duration {
    /// This duration in seconds as a Double.
    public var seconds: Double {
        let (s, attoseconds) = components
        return Double(s) + Double(attoseconds) * 1e-18
    }
}
