/// The vector arithmetic of the indexes. Local to this module (rather than `Kernels.Ops.dot`) so the
/// compiler can inline it into the HNSW and brute-force inner loops; `scalarDot` is its reference twin.
public enum VectorMath {
    /// Σ a[i]·b[i] with four independent SIMD8 accumulators (hides FMA latency).
    @inlinable
    public static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) -> Float {
        var s0 = SIMD8<Float>(), s1 = SIMD8<Float>(), s2 = SIMD8<Float>(), s3 = SIMD8<Float>()
        var i = 0
        while i + 32 <= count {
            s0.addProduct(load8(a + i), load8(b + i))
            s1.addProduct(load8(a + i + 8), load8(b + i + 8))
            s2.addProduct(load8(a + i + 16), load8(b + i + 16))
            s3.addProduct(load8(a + i + 24), load8(b + i + 24))
            i += 32
        }
        while i + 8 <= count {
            s0.addProduct(load8(a + i), load8(b + i))
            i += 8
        }
        var s = ((s0 + s1) + (s2 + s3)).sum()
        while i < count { s += a[i] * b[i]; i += 1 }
        return s
    }

    /// Unaligned SIMD8 load (the storage is only Float-aligned).
    @inlinable @inline(__always)
    static func load8(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
    }

    /// Reference twin of `dot`: a plain loop, accumulated in Double.
    public static func scalarDot(_ a: [Float], _ b: [Float]) -> Float {
        var s = 0.0
        for i in 0..<min(a.count, b.count) { s += Double(a[i]) * Double(b[i]) }
        return Float(s)
    }

    /// Dot product of two equal-length arrays (convenience for non-hot paths).
    public static func dot(_ a: [Float], _ b: [Float]) -> Float {
        let n = min(a.count, b.count)
        return a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                guard let ba = pa.baseAddress, let bb = pb.baseAddress else { return 0 }
                return dot(ba, bb, count: n)
            }
        }
    }

    /// The vector scaled to unit L2 norm. Throws on non-finite values or a zero vector, which have
    /// no direction and would poison every cosine computed against them.
    public static func normalized(_ v: [Float]) throws(CacheError) -> [Float] {
        var ss = 0.0
        for x in v {
            guard x.isFinite else { throw .invalidVector(reason: "non-finite component") }
            ss += Double(x) * Double(x)
        }
        guard ss > 0 else { throw .invalidVector(reason: "zero vector") }
        let inv = Float(1 / ss.squareRoot())
        return v.map { $0 * inv }
    }
}
