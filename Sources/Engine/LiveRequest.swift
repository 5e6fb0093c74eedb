import LlamaModel
import LoRAAdapters
import ServeCore
import Tokenizers

/// One in-flight request, owned by the step loop.
final class LiveRequest {
    let id: RequestID
    let adapterName: String?
    let promptCount: Int
    let sampling: SamplingParameters
    let logprobs: Int
    let continuation: AsyncThrowingStream<GenerationEvent, any Error>.Continuation
    let arrivedAt: Double
    /// Prompt followed by generated tokens: position p of the sequence holds `tokens[p]`.
    var tokens: [TokenID]
    var cache: KVCache?
    var sampler: Sampler
    var text: TextStream
    /// The adapter's weights, held from first use to the end so unloads and evictions can't pull
    /// them from under a running request.
    var adapter: PreparedAdapter?
    var firstTokenAt: Double?

    init(seed: LiveRequestSeed, tokenizer: BPETokenizer) {
        let r = seed.request
        id = r.id
        adapterName = r.adapter?.rawValue
        promptCount = r.promptTokens.count
        sampling = r.sampling
        logprobs = r.logprobs
        continuation = seed.continuation
        arrivedAt = seed.arrivedAt
        tokens = r.promptTokens
        // Unseeded requests get their own random stream; seeded ones are reproducible.
        sampler = Sampler(parameters: r.sampling, defaultSeed: UInt64.random(in: .min ... .max))
        text = TextStream(tokenizer: tokenizer, stops: r.sampling.stop)
    }

    var generatedCount: Int { tokens.count - promptCount }
}
