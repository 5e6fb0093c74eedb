/// How the next token is chosen from logits (OpenAI/vLLM semantics).
public struct SamplingParameters: Sendable, Codable, Equatable {
    /// 0 means greedy (argmax).
    public var temperature: Float
    /// 0 disables top-k.
    public var topK: Int
    /// 1 disables nucleus sampling.
    public var topP: Float
    /// 0 disables min-p (keep tokens with p >= minP * p_max).
    public var minP: Float
    /// 1 disables the repetition penalty (llama.cpp/CTRL style: divide positive logits, multiply negative ones).
    public var repetitionPenalty: Float
    /// How many of the most recent tokens the repetition penalty looks at.
    public var repetitionWindow: Int
    public var seed: UInt64?
    public var maxTokens: Int
    public var stop: [String]
    /// Keep generating past end-of-generation tokens.
    public var ignoreEOS: Bool

    public init(temperature: Float = 0, topK: Int = 0, topP: Float = 1, minP: Float = 0,
                repetitionPenalty: Float = 1, repetitionWindow: Int = 64, seed: UInt64? = nil,
                maxTokens: Int = 128, stop: [String] = [], ignoreEOS: Bool = false) {
        self.temperature = temperature
        self.topK = topK
        self.topP = topP
        self.minP = minP
        self.repetitionPenalty = repetitionPenalty
        self.repetitionWindow = repetitionWindow
        self.seed = seed
        self.maxTokens = maxTokens
        self.stop = stop
        self.ignoreEOS = ignoreEOS
    }

    public enum ValidationError: Error, Sendable, Equatable, CustomStringConvertible {
        case outOfRange(parameter: String, value: String, allowed: String)
        public var description: String {
            switch self {
            case let .outOfRange(p, v, a): "\(p) = \(v) is out of range (allowed: \(a))"
            }
        }
    }

    /// Throws on values no engine accepts (OpenAI's ranges where they exist).
    public func validate() throws(ValidationError) {
        guard temperature.isFinite, temperature >= 0, temperature <= 100 else {
            throw .outOfRange(parameter: "temperature", value: "\(temperature)", allowed: "0...100")
        }
        guard topK >= 0 else { throw .outOfRange(parameter: "top_k", value: "\(topK)", allowed: ">= 0") }
        guard topP.isFinite, topP > 0, topP <= 1 else {
            throw .outOfRange(parameter: "top_p", value: "\(topP)", allowed: "(0, 1]")
        }
        guard minP.isFinite, minP >= 0, minP <= 1 else {
            throw .outOfRange(parameter: "min_p", value: "\(minP)", allowed: "[0, 1]")
        }
        guard repetitionPenalty.isFinite, repetitionPenalty > 0 else {
            throw .outOfRange(parameter: "repetition_penalty", value: "\(repetitionPenalty)", allowed: "> 0")
        }
        guard maxTokens >= 1 else { throw .outOfRange(parameter: "max_tokens", value: "\(maxTokens)", allowed: ">= 1") }
    }
}
