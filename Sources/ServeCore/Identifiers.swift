/// Names an adapter as clients do in the OpenAI `model` field.
public struct AdapterID: Hashable, Sendable, Codable, CustomStringConvertible, Comparable {
    public let rawValue: String
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }
    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
}

/// Names a worker (engine process) in a cluster.
public struct WorkerID: Hashable, Sendable, Codable, CustomStringConvertible, Comparable {
    public let rawValue: String
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }
    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
}

/// Identifies one request for its whole life (admission to last token).
public struct RequestID: Hashable, Sendable, Codable, CustomStringConvertible, Comparable {
    public let rawValue: UInt64
    public init(_ rawValue: UInt64) { self.rawValue = rawValue }
    public var description: String { "req-\(rawValue)" }
    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
}

/// A token id in the base model's vocabulary.
public typealias TokenID = Int32

/// A LoRA rank (the inner dimension r of B·A). Always ≥ 1.
public struct Rank: Hashable, Sendable, Codable, Comparable, CustomStringConvertible {
    public let value: Int
    public init?(_ value: Int) {
        guard value >= 1 else { return nil }
        self.value = value
    }
    public var description: String { "r\(value)" }
    public static func < (a: Self, b: Self) -> Bool { a.value < b.value }
}
