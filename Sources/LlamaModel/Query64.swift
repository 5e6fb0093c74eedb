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
    func partial<E: KVElement>(_ k: UnsafePointer<E>) -> SIMD8<Float> {
        var a = q0 * E.load8(k)
        var b = q1 * E.load8(k + 8)
        a.addProduct(q2, E.load8(k + 16))
        b.addProduct(q3, E.load8(k + 24))
        a.addProduct(q4, E.load8(k + 32))
        b.addProduct(q5, E.load8(k + 40))
        a.addProduct(q6, E.load8(k + 48))
        b.addProduct(q7, E.load8(k + 56))
        return a + b
    }

    /// The score of one key row.
    @inline(__always)
    func score<E: KVElement>(_ k: UnsafePointer<E>) -> Float { partial(k).sum() }

    /// Scores of 8 consecutive key rows (row stride 64), lane i for row i.
    @inline(__always)
    func scores8<E: KVElement>(_ k: UnsafePointer<E>) -> SIMD8<Float> {
        #if arch(x86_64)
        // hadd tree: after two levels, u0's low 128 bits hold rows 0–3 summed over lanes 0–3 and
        // its high 128 bits the same rows over lanes 4–7; adding the halves gives the totals.
        let t0 = _mm256_hadd_ps(partial(k), partial(k + 64))
        let t1 = _mm256_hadd_ps(partial(k + 128), partial(k + 192))
        let u0 = _mm256_hadd_ps(t0, t1)
        let t2 = _mm256_hadd_ps(partial(k + 256), partial(k + 320))
        let t3 = _mm256_hadd_ps(partial(k + 384), partial(k + 448))
        let u1 = _mm256_hadd_ps(t2, t3)
        // (`__m256` is imported as `SIMD8<Float>`, so no conversions are needed.)
        return SIMD8(lowHalf: u0.lowHalf + u0.highHalf, highHalf: u1.lowHalf + u1.highHalf)
        #else
        var s = SIMD8<Float>()
        for i in 0..<8 { s[i] = score(k + 64 * i) }
        return s
        #endif
    }

    /// Lane-wise maximum (the stdlib's generic `pointwiseMax` is not inlined here).
    @inline(__always)
    static func max8(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float> {
        #if arch(x86_64)
        return _mm256_max_ps(a, b)
        #else
        return pointwiseMax(a, b)
        #endif
    }
}
