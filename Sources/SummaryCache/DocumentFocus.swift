/// Where in a document a question points: the document's units (sentences, or clauses of long
/// sentences) embedded once per document version, and a question's *focus* = softmax over the
/// cosines between the question and each unit.
///
/// Why: a query-aware summary keeps the part of the document its question needs. A paraphrase asks
/// for the same information, so it points at the same units; a near-miss from the same paragraph
/// ("How many ships carried Robert's army?" for "How many men were in Robert's army?") often points
/// elsewhere, although the two questions are close neighbours in embedding space (shared topic
/// words). The focus guard compares the two focus distributions (`FocusGuard`). It costs one
/// matrix–vector product per question and document (units × dimensions), no LLM call; the cached
/// question's focus is computed from its stored vector, so entries need no extra field.
public struct DocumentFocus: Sendable, Equatable {
    /// L2-normalised unit vectors, row-major (`count` × `dimensions`).
    public let vectors: [Float]
    public let dimensions: Int
    /// The units' texts, in the same order (empty when the caller kept only vectors); a verifier
    /// that reads evidence gets the unit closest to the cached question (`closestUnit`).
    public let units: [String]

    /// `unitVectors`: one embedding per unit, in document order (normalised here); `units`: their
    /// texts (empty, or one per vector). Throws on a length mismatch or a zero/non-finite vector.
    public init(unitVectors: [[Float]], dimensions: Int, units: [String] = []) throws(CacheError) {
        guard dimensions > 0 else {
            throw .invalidConfig(parameter: "dimensions", value: "\(dimensions)", allowed: ">= 1")
        }
        var flat: [Float] = []
        flat.reserveCapacity(unitVectors.count * dimensions)
        for v in unitVectors {
            guard v.count == dimensions else { throw .dimensionMismatch(expected: dimensions, actual: v.count) }
            flat += try VectorMath.normalized(v)
        }
        guard units.isEmpty || units.count == unitVectors.count else {
            throw .invalidConfig(parameter: "units", value: "\(units.count) texts for \(unitVectors.count) vectors",
                                 allowed: "none or one per vector")
        }
        vectors = flat
        self.dimensions = dimensions
        self.units = units
    }

    /// The text of the unit most similar to `q` (first on ties); nil without texts or on a
    /// dimension mismatch.
    public func closestUnit(_ q: [Float]) -> String? {
        guard !units.isEmpty, let c = try? cosines(q), let best = c.indices.max(by: { c[$0] < c[$1] || (c[$0] == c[$1] && $0 > $1) }) else {
            return nil
        }
        return units[best]
    }

    /// Number of units.
    public var count: Int { vectors.count / dimensions }

    /// Cosine of the (normalised) question vector `q` with every unit.
    public func cosines(_ q: [Float]) throws(CacheError) -> [Float] {
        guard q.count == dimensions else { throw .dimensionMismatch(expected: dimensions, actual: q.count) }
        var out = [Float](repeating: 0, count: count)
        let d = dimensions
        vectors.withUnsafeBufferPointer { m in
            q.withUnsafeBufferPointer { x in
                guard let mb = m.baseAddress, let xb = x.baseAddress else { return }
                for i in 0..<out.count { out[i] = VectorMath.dot(mb + i * d, xb, count: d) }
            }
        }
        return out
    }

    /// Softmax of the cosines at `temperature` (> 0): the question's focus over the units.
    public func distribution(_ q: [Float], temperature: Float) throws(CacheError) -> [Float] {
        Self.softmax(try cosines(q), temperature: temperature)
    }

    static func softmax(_ x: [Float], temperature: Float) -> [Float] {
        guard let m = x.max() else { return [] }
        let t = max(temperature, 1e-6)
        let e = x.map { expf(($0 - m) / t) }
        let s = e.reduce(0, +)
        return e.map { $0 / s }
    }

    /// Bhattacharyya coefficient Σ √(pᵢ qᵢ) of two distributions over the same units: 1 for the
    /// same focus, 0 for disjoint ones.
    public static func overlap(_ p: [Float], _ q: [Float]) -> Float {
        var s: Float = 0
        for (a, b) in zip(p, q) { s += (a * b).squareRoot() }
        return min(1, s)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
