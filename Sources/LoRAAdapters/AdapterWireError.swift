/// Why a peer adapter stream was rejected. Every malformed, truncated, oversize or corrupted
/// stream ends in one of these (never a crash); nothing is registered.
public enum AdapterWireError: Error, Sendable, Equatable, CustomStringConvertible {
    case badMagic
    case unsupportedVersion(Int)
    case headerTooLarge(bytes: Int, limit: Int)
    case malformedHeader(String)
    case invalidTensor(String)
    case payloadTooLarge(bytes: Int, limit: Int)
    /// The header's `payload_bytes` disagrees with the sum of its tensors' sizes.
    case sizeMismatch(declared: Int, computed: Int)
    case truncated(expectedBytes: Int, receivedBytes: Int)
    case trailingBytes(Int)
    case checksumMismatch(expected: String, actual: String)
    case nonFinite(tensor: String)

    public var description: String {
        switch self {
        case .badMagic: "not a LoRAServe adapter stream (bad magic)"
        case let .unsupportedVersion(v): "unsupported adapter stream version \(v) (this build reads \(AdapterWire.version))"
        case let .headerTooLarge(b, l): "adapter stream header of \(b) bytes exceeds the limit of \(l)"
        case let .malformedHeader(m): "malformed adapter stream header: \(m)"
        case let .invalidTensor(m): "invalid tensor in adapter stream: \(m)"
        case let .payloadTooLarge(b, l): "adapter payload of \(b) bytes exceeds the limit of \(l) bytes"
        case let .sizeMismatch(d, c): "adapter stream declares \(d) payload bytes but its tensors need \(c)"
        case let .truncated(e, r): "adapter stream truncated: expected \(e) payload bytes, received \(r)"
        case let .trailingBytes(n): "adapter stream has \(n) bytes after the declared payload"
        case let .checksumMismatch(e, a): "adapter payload SHA-256 mismatch: header says \(e), payload hashes to \(a)"
        case let .nonFinite(t): "tensor \(t) holds a NaN or infinite value"
        }
    }
}

/// A streaming hash over the payload bytes. The codec is pure and takes the hash from its caller
/// (the engine passes SHA-256), so it needs no dependency beyond this target.
public protocol WireDigest {
    mutating func update(_ bytes: UnsafeRawBufferPointer)
    /// Lower-case hex of the digest (called once, after the last update).
    mutating func finalizeHex() -> String
}
