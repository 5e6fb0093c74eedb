#if arch(x86_64)
import _Builtin_intrinsics.intel
#endif

/// A pre-scaled 64-wide query held in eight SIMD8 registers, scored against key rows.
struct Query64 {
    let q0, q1, q2, q3, q4, q5, q6, q7: SIMD8<Float>

    @inline(__always)
    init(_ p: UnsafePointer<Float>, scale: Float) {
        q0 = AttentionMath.load(p) * scale; q1 = AttentionMath.load(p + 8) * scale
        q2 = AttentionMath.load(p + 16) * scale; q3 = AttentionMath.load(p + 24) * scale
        q4 = AttentionMath.load(p + 32) * scale; q5 = AttentionMath.load(p + 40) * scale
        q6 = AttentionMath.load(p + 48) * scale; q7 = AttentionMath.load(p + 56) * scale
    }

    /// Lane-wise partial products of one key row (sum the lanes for the score).
    @inline(__always)
    func partial(_ k: UnsafePointer<Float>) -> SIMD8<Float> {
        var a = q0 * AttentionMath.load(k)
        var b = q1 * AttentionMath.load(k + 8)
        a.addProduct(q2, AttentionMath.load(k + 16))
        b.addProduct(q3, AttentionMath.load(k + 24))
        a.addProduct(q4, AttentionMath.load(k + 32))
        b.addProduct(q5, AttentionMath.load(k + 40))
        a.addProduct(q6, AttentionMath.load(k + 48))
        b.addProduct(q7, AttentionMath.load(k + 56))
        return a + b
    }

    /// The score of one key row.
    @inline(__always)
    func score(_ k: UnsafePointer<Float>) -> Float { partial(k).sum() }

    /// Scores of 8 consecutive key rows (row stride 64), lane i for row i.
    @inline(__always)
    func scores8(_ k: UnsafePointer<Float>) -> SIMD8<Float> {
        #if arch(x86_64)
        // hadd tree: after two levels each 128-bit lane holds 4 row sums of that lane's half;
        // adding the two halves gives the 8 totals in order.
        let t0 = _mm256_hadd_ps(m(partial(k)), m(partial(k + 64)))
        let t1 = _mm256_hadd_ps(m(partial(k + 128)), m(partial(k + 192)))
        let u0 = _mm256_hadd_ps(t0, t1)
        let t2 = _mm256_hadd_ps(m(partial(k + 256)), m(partial(k + 320)))
        let t3 = _mm256_hadd_ps(m(partial(k + 384)), m(partial(k + 448)))
        let u1 = _mm256_hadd_ps(t2, t3)
        let low = _mm256_permute2f128_ps(u0, u1, 0x20)
        let high = _mm256_permute2f128_ps(u0, u1, 0x31)
        return unsafeBitCast(_mm256_add_ps(low, high), to: SIMD8<Float>.self)
        #else
        var s = SIMD8<Float>()
        for i in 0..<8 { s[i] = score(k + 64 * i) }
        return s
        #endif
    }

    #if arch(x86_64)
    @inline(__always)
    private func m(_ v: SIMD8<Float>) -> __m256 { unsafeBitCast(v, to: __m256.self) }
    #endif
}
