/// OpenAI's `prompt`: a string, an array of strings, an array of token ids, or an array of arrays.
public enum PromptInput: Sendable, Equatable, Codable {
    case text(String)
    case texts([String])
    case tokens([Int32])
    case tokenBatches([[Int32]])

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let s = try? c.decode(String.self) { self = .text(s); return }
        if let a = try? c.decode([String].self) { self = .texts(a); return }
        if let t = try? c.decode([Int32].self) { self = .tokens(t); return }
        if let b = try? c.decode([[Int32]].self) { self = .tokenBatches(b); return }
        throw DecodingError.dataCorruptedError(in: c, debugDescription: "prompt must be a string, an array of strings, or token ids")
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case let .text(s): try c.encode(s)
        case let .texts(a): try c.encode(a)
        case let .tokens(t): try c.encode(t)
        case let .tokenBatches(b): try c.encode(b)
        }
    }

    /// Number of prompts this input holds (each gets `n` choices).
    public var count: Int {
        switch self {
        case .text, .tokens: 1
        case let .texts(a): a.count
        case let .tokenBatches(b): b.count
        }
    }
}

/// OpenAI's `stop`: a string or an array of strings (up to 4 in OpenAI; we accept more).
public struct StopSequences: Sendable, Equatable, Codable {
    public var values: [String]
    public init(_ values: [String]) { self.values = values }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { values = []; return }
        if let s = try? c.decode(String.self) { values = [s]; return }
        values = try c.decode([String].self)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(values)
    }
}

/// Chat message content: a string or an array of parts (only `text` parts are supported).
public struct MessageContent: Sendable, Equatable, Codable {
    public var text: String
    public init(_ text: String) { self.text = text }

    private struct Part: Codable { let type: String; let text: String? }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { text = ""; return }
        if let s = try? c.decode(String.self) { text = s; return }
        let parts = try c.decode([Part].self)
        guard parts.allSatisfy({ $0.type == "text" }) else {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "only text content parts are supported")
        }
        text = parts.compactMap(\.text).joined()
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(text)
    }
}
