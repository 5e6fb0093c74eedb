import Foundation

/// Seeded synthetic embeddings for index tests and benchmarks.
///
/// Sentence embeddings are not uniform noise: they concentrate near a low-dimensional manifold
/// (topics, i.e. clusters, in a space of much lower intrinsic dimension than the vector length).
/// `clustered` models that: latent points drawn around cluster centres in `intrinsicDimensions`
/// dimensions, mapped into `dimensions` by a fixed random linear map, plus a little isotropic
/// noise, then normalised. Setting `intrinsicDimensions = dimensions` gives the (much harder, and
/// unlike real embeddings) isotropic case.
public struct SyntheticVectors: Sendable {
    public let dimensions: Int
    public let intrinsicDimensions: Int
    /// Row-major `dimensions × intrinsicDimensions` map from latent space to embedding space.
    let basis: [Float]
    /// Latent cluster centres, `clusters × intrinsicDimensions`.
    let centres: [[Float]]
    /// Standard deviation of a point around its centre, per latent component.
    public let spread: Float
    /// Norm of the isotropic noise added in embedding space (relative to a unit-norm signal).
    public let noise: Float

    public init(dimensions: Int, intrinsicDimensions: Int = 32, clusters: Int, spread: Float = 0.5,
                noise: Float = 0.05, using rng: inout some RandomNumberGenerator) {
        let r = max(1, min(intrinsicDimensions, dimensions))
        self.dimensions = dimensions
        self.intrinsicDimensions = r
        self.spread = spread
        self.noise = noise
        let scale = 1 / Float(r).squareRoot()
        self.basis = (0..<(dimensions * r)).map { _ in Self.gaussian(using: &rng) * scale }
        self.centres = (0..<max(clusters, 1)).map { _ in (0..<r).map { _ in Self.gaussian(using: &rng) } }
    }

    /// `count` unit vectors, each around a uniformly chosen cluster centre.
    public func sample(count: Int, using rng: inout some RandomNumberGenerator) -> [[Float]] {
        (0..<count).map { _ in sampleOne(using: &rng) }
    }

    public func sampleOne(using rng: inout some RandomNumberGenerator) -> [Float] {
        let r = intrinsicDimensions
        let c = centres[Int(rng.next() % UInt64(centres.count))]
        let z = (0..<r).map { c[$0] + spread * Self.gaussian(using: &rng) }
        var v = [Float](repeating: 0, count: dimensions)
        for i in 0..<dimensions {
            var s: Float = 0
            for j in 0..<r { s += basis[i * r + j] * z[j] }
            v[i] = s
        }
        v = Self.normalize(v)
        let sigma = noise / Float(dimensions).squareRoot()
        for i in 0..<dimensions { v[i] += sigma * Self.gaussian(using: &rng) }
        return Self.normalize(v)
    }

    /// Standard normal sample (Box–Muller).
    public static func gaussian(using rng: inout some RandomNumberGenerator) -> Float {
        let u1 = 1 - Double(rng.next() >> 11) * 0x1p-53
        let u2 = Double(rng.next() >> 11) * 0x1p-53
        return Float((-2 * Foundation.log(u1)).squareRoot() * Foundation.cos(2 * Double.pi * u2))
    }

    static func normalize(_ v: [Float]) -> [Float] {
        var ss: Float = 0
        for x in v { ss += x * x }
        guard ss > 0 else { return v }
        let inv = 1 / ss.squareRoot()
        return v.map { $0 * inv }
    }
}
