/// Turns texts into vectors. The real one is all-MiniLM-L6-v2 in BertModel; `HashingEmbedder` is a
/// cheap deterministic stand-in for tests and simulations.
public protocol Embedder: Sendable {
    /// Identifies the vectors this embedder produces; stored with every cache entry.
    var fingerprint: EmbedderFingerprint { get }
    /// One vector of `fingerprint.dimensions` per text, in order.
    func embed(_ texts: [String]) async throws -> [[Float]]
}

/// A bag-of-words embedder: each lower-cased word (and word bigram) adds ±1 to a hashed
/// coordinate (FNV-1a, so results are the same on every platform and run). Texts sharing words
/// get similar vectors; it knows nothing about meaning. For tests and simulations only.
public struct HashingEmbedder: Embedder {
    public let fingerprint: EmbedderFingerprint

    public init(dimensions: Int = 64, modelID: String = "hashing-bow-v1") {
        fingerprint = EmbedderFingerprint(modelID: modelID, dimensions: max(dimensions, 1), normalized: true, maxLength: 512)
    }

    public func embed(_ texts: [String]) async throws -> [[Float]] {
        texts.map(embedOne)
    }

    /// Synchronous form (the protocol's async signature is for real, batched embedders).
    public func embedOne(_ text: String) -> [Float] {
        let d = fingerprint.dimensions
        var v = [Float](repeating: 0, count: d)
        let words = text.lowercased().split { !($0.isLetter || $0.isNumber) }.map(String.init)
        var features = words
        for i in words.indices.dropLast() { features.append(words[i] + " " + words[i + 1]) }
        for f in features {
            let h = Self.fnv1a(f)
            v[Int(h % UInt64(d))] += (h >> 63) == 0 ? 1 : -1
        }
        var ss: Float = 0
        for x in v { ss += x * x }
        if ss == 0 {
            // Empty text: a fixed unit vector, so it is still a valid (if meaningless) embedding.
            v[0] = 1
            return v
        }
        let inv = 1 / ss.squareRoot()
        return v.map { $0 * inv }
    }

    static func fnv1a(_ s: String) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in s.utf8 {
            h ^= UInt64(b)
            h = h &* 0x100_0000_01b3
        }
        return h
    }
}
