import OpenAIWire
import ServeCore

/// The sampling fields shared by `/v1/completions` and `/v1/chat/completions`, as sent.
struct SamplingFields: Sendable {
    var temperature: Float?
    var topP: Float?
    var topK: Int?
    var minP: Float?
    var repetitionPenalty: Float?
    var presencePenalty: Float?
    var frequencyPenalty: Float?
    var seed: UInt64?
    var stop: StopSequences?
    var ignoreEOS: Bool?
}

/// OpenAI/vLLM request fields → engine `SamplingParameters`, with 400s that name the parameter.
enum SamplingMapping {
    /// OpenAI's default temperature (the engine's own default is greedy).
    static let defaultTemperature: Float = 1

    static func parameters(_ fields: SamplingFields, maxTokens: Int) throws(APIError) -> SamplingParameters {
        if let p = fields.presencePenalty, p != 0 {
            throw .badRequest("presence_penalty is not supported by this server (use repetition_penalty).", param: "presence_penalty")
        }
        if let f = fields.frequencyPenalty, f != 0 {
            throw .badRequest("frequency_penalty is not supported by this server (use repetition_penalty).", param: "frequency_penalty")
        }
        var topK = fields.topK ?? 0
        // vLLM spells "disabled" as -1; the engine as 0.
        if topK == -1 { topK = 0 }
        guard topK >= 0 else { throw .badRequest("top_k must be -1 (disabled) or >= 1, got \(topK).", param: "top_k") }
        let stop = (fields.stop?.values ?? []).filter { !$0.isEmpty }
        let sampling = SamplingParameters(
            temperature: fields.temperature ?? defaultTemperature, topK: topK, topP: fields.topP ?? 1, minP: fields.minP ?? 0,
            repetitionPenalty: fields.repetitionPenalty ?? 1, seed: fields.seed, maxTokens: maxTokens, stop: stop,
            ignoreEOS: fields.ignoreEOS ?? false)
        do {
            try sampling.validate()
        } catch {
            switch error {
            case let .outOfRange(parameter, _, _): throw .badRequest(error.description, param: parameter)
            }
        }
        return sampling
    }

    /// `n` checked against the server's per-request choice limit.
    static func choiceCount(n: Int?, prompts: Int, limit: Int) throws(APIError) -> Int {
        let n = n ?? 1
        guard n >= 1 else { throw .badRequest("n must be >= 1, got \(n).", param: "n") }
        guard prompts >= 1 else { throw .badRequest("The prompt is empty.", param: "prompt") }
        let (total, overflow) = n.multipliedReportingOverflow(by: prompts)
        guard !overflow, total <= limit else {
            throw .badRequest("n × prompts = \(overflow ? Int.max : total) choices exceeds this server's limit of \(limit).", param: "n")
        }
        return n
    }

    /// The seed of choice `index` among `n`: distinct per choice so `n` seeded samples differ, and
    /// the same request with the same seed reproduces them all.
    static func seed(_ base: UInt64?, choice index: Int) -> UInt64? {
        base.map { $0 &+ UInt64(index) }
    }
}
