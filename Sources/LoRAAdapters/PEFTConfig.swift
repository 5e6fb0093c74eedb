import Foundation

/// The fields of PEFT's `adapter_config.json` that change the math (others are ignored).
public struct PEFTConfig: Sendable, Equatable, Codable {
    /// `target_modules`: a list of module names (suffix match) or one regex (full match).
    public enum Targets: Sendable, Equatable, Codable {
        case names([String])
        case regex(String)

        public init(from decoder: any Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let s = try? c.decode(String.self) { self = .regex(s); return }
            self = .names(try c.decode([String].self))
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.singleValueContainer()
            switch self {
            case let .names(n): try c.encode(n)
            case let .regex(r): try c.encode(r)
            }
        }
    }

    public var r: Int
    public var lora_alpha: Float
    public var use_rslora: Bool?
    public var rank_pattern: [String: Int]?
    public var alpha_pattern: [String: Float]?
    public var target_modules: Targets?
    public var fan_in_fan_out: Bool?
    public var base_model_name_or_path: String?
    public var peft_type: String?
    public var bias: String?

    public init(r: Int, lora_alpha: Float, target_modules: Targets?, use_rslora: Bool? = false,
                base_model_name_or_path: String? = nil) {
        self.r = r
        self.lora_alpha = lora_alpha
        self.target_modules = target_modules
        self.use_rslora = use_rslora
        self.base_model_name_or_path = base_model_name_or_path
        self.peft_type = "LORA"
        self.bias = "none"
        self.fan_in_fan_out = false
    }

    public static func decode(_ bytes: [UInt8]) throws(AdapterError) -> PEFTConfig {
        let config: PEFTConfig
        do { config = try JSONDecoder().decode(PEFTConfig.self, from: Data(bytes)) } catch {
            throw .invalidConfig(Self.describe(error))
        }
        try config.validate()
        return config
    }

    func validate() throws(AdapterError) {
        if let type = peft_type, type.uppercased() != "LORA" { throw .invalidConfig("peft_type is \(type); only LORA is supported") }
        guard r >= 1 else { throw .invalidConfig("r = \(r) must be at least 1") }
        guard lora_alpha.isFinite else { throw .invalidConfig("lora_alpha is not finite") }
        if fan_in_fan_out == true {
            throw .invalidConfig("fan_in_fan_out = true is for Conv1D (GPT-2 style) layers; Llama projections are Linear")
        }
        if let bias, bias != "none" { throw .invalidConfig("bias = \(bias): trained biases are not supported (use bias = none)") }
        for (pattern, rank) in rank_pattern ?? [:] where rank < 1 {
            throw .invalidConfig("rank_pattern[\(pattern)] = \(rank) must be at least 1")
        }
    }

    /// PEFT's pattern rule: a key matches a module path when the path ends with `.key` (regex).
    static func patternValue<V>(_ patterns: [String: V]?, modulePath: String) -> V? {
        guard let patterns else { return nil }
        for key in patterns.keys.sorted() {
            if let regex = try? NSRegularExpression(pattern: "^(?:.*\\.)?(?:\(key))$"),
               regex.firstMatch(in: modulePath, range: NSRange(modulePath.startIndex..., in: modulePath)) != nil {
                return patterns[key]
            }
        }
        return nil
    }

    /// Whether `modulePath` (e.g. `model.layers.3.self_attn.q_proj`) is targeted.
    func targets(modulePath: String) -> Bool {
        switch target_modules {
        case nil: return true
        case let .names(names): return names.contains { modulePath == $0 || modulePath.hasSuffix("." + $0) }
        case let .regex(pattern):
            guard let regex = try? NSRegularExpression(pattern: "^(?:\(pattern))$") else { return false }
            return regex.firstMatch(in: modulePath, range: NSRange(modulePath.startIndex..., in: modulePath)) != nil
        }
    }

    private static func describe(_ error: any Error) -> String {
        switch error {
        case let DecodingError.keyNotFound(key, _): "missing field \(key.stringValue)"
        case let DecodingError.typeMismatch(_, context): "wrong type at \(context.codingPath.map(\.stringValue).joined(separator: ".")): \(context.debugDescription)"
        case let DecodingError.valueNotFound(_, context): "null at \(context.codingPath.map(\.stringValue).joined(separator: "."))"
        case let DecodingError.dataCorrupted(context): "malformed JSON: \(context.debugDescription)"
        default: "\(error)"
        }
    }
}
