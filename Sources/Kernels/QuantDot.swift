#if arch(x86_64)
import _Builtin_intrinsics.intel

/// Integer dot products of one quantised weight row with one `QuantizedRow` (AVX2: vpmaddubsw).
/// Each returns Σ_k w[k]·x̂[k] where x̂ is the int8-quantised activation.
enum QuantDot {
    @inline(__always)
    static func load128(_ p: UnsafeRawPointer) -> __m128i { p.loadUnaligned(as: __m128i.self) }
    @inline(__always)
    static func load256(_ p: UnsafeRawPointer) -> __m256i { p.loadUnaligned(as: __m256i.self) }

    /// 32 nibbles of a Q4 block as unsigned bytes in element order (low nibbles first).
    @inline(__always)
    static func unpackNibbles(_ p: UnsafeRawPointer) -> __m256i {
        let qs = load128(p)
        let mask = _mm_set1_epi8(0x0F)
        return _mm256_set_m128i(_mm_and_si128(_mm_srli_epi16(qs, 4), mask), _mm_and_si128(qs, mask))
    }

    /// Σ over 32 lanes of u8 × s8 products, as 8 float partial sums.
    @inline(__always)
    static func productsU8S8(_ u: __m256i, _ s: __m256i) -> __m256 {
        _mm256_cvtepi32_ps(_mm256_madd_epi16(_mm256_maddubs_epi16(u, s), _mm256_set1_epi16(1)))
    }

    /// Q4_1 (w = d·q + m) and Q4_0 (m = −8d, `hasMin == false`).
    @inline(__always)
    static func q4(_ row: UnsafeRawPointer, hasMin: Bool, _ x: QuantizedRow, blocks: Int) -> Float {
        let stride = hasMin ? 20 : 18
        let qOffset = hasMin ? 4 : 2
        var acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps()
        var mins: Float = 0
        var b = 0
        while b + 2 <= blocks {
            let p0 = row + b * stride, p1 = p0 + stride
            let d0 = HalfFloat.f16(p0), d1 = HalfFloat.f16(p1)
            let m0 = hasMin ? HalfFloat.f16(p0 + 2) : -8 * d0
            let m1 = hasMin ? HalfFloat.f16(p1 + 2) : -8 * d1
            let x0 = load256(x.q + 32 * b), x1 = load256(x.q + 32 * b + 32)
            acc0 = _mm256_fmadd_ps(_mm256_set1_ps(d0 * x.d[b]), productsU8S8(unpackNibbles(p0 + qOffset), x0), acc0)
            acc1 = _mm256_fmadd_ps(_mm256_set1_ps(d1 * x.d[b + 1]), productsU8S8(unpackNibbles(p1 + qOffset), x1), acc1)
            mins += m0 * x.s[b] + m1 * x.s[b + 1]
            b += 2
        }
        if b < blocks {
            let p0 = row + b * stride
            let d0 = HalfFloat.f16(p0)
            let m0 = hasMin ? HalfFloat.f16(p0 + 2) : -8 * d0
            acc0 = _mm256_fmadd_ps(_mm256_set1_ps(d0 * x.d[b]), productsU8S8(unpackNibbles(p0 + qOffset), load256(x.q + 32 * b)), acc0)
            mins += m0 * x.s[b]
        }
        return SIMD8<Float>(_mm256_add_ps(acc0, acc1)).sum() + mins
    }

    /// Q8_0 (w = d·q, q signed): |w| × sign-transferred x keeps vpmaddubsw's unsigned operand.
    @inline(__always)
    static func q8(_ row: UnsafeRawPointer, _ x: QuantizedRow, blocks: Int) -> Float {
        var acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps()
        var b = 0
        while b + 2 <= blocks {
            let p0 = row + b * 34, p1 = p0 + 34
            let w0 = load256(p0 + 2), w1 = load256(p1 + 2)
            let x0 = load256(x.q + 32 * b), x1 = load256(x.q + 32 * b + 32)
            let d0 = HalfFloat.f16(p0) * x.d[b], d1 = HalfFloat.f16(p1) * x.d[b + 1]
            acc0 = _mm256_fmadd_ps(_mm256_set1_ps(d0), productsU8S8(_mm256_sign_epi8(w0, w0), _mm256_sign_epi8(x0, w0)), acc0)
            acc1 = _mm256_fmadd_ps(_mm256_set1_ps(d1), productsU8S8(_mm256_sign_epi8(w1, w1), _mm256_sign_epi8(x1, w1)), acc1)
            b += 2
        }
        if b < blocks {
            let p0 = row + b * 34
            let w0 = load256(p0 + 2), x0 = load256(x.q + 32 * b)
            acc0 = _mm256_fmadd_ps(_mm256_set1_ps(HalfFloat.f16(p0) * x.d[b]), productsU8S8(_mm256_sign_epi8(w0, w0), _mm256_sign_epi8(x0, w0)), acc0)
        }
        return SIMD8<Float>(_mm256_add_ps(acc0, acc1)).sum()
    }
}
#else
/// Portable fallback with the same contract (used off x86-64).
enum QuantDot {
    static func q4(_ row: UnsafeRawPointer, hasMin: Bool, _ x: QuantizedRow, blocks: Int) -> Float {
        let stride = hasMin ? 20 : 18
        var total: Float = 0
        for b in 0..<blocks {
            let p = row + b * stride
            let d = HalfFloat.f16(p)
            let m = hasMin ? HalfFloat.f16(p + 2) : -8 * d
            let qs = (p + (hasMin ? 4 : 2)).assumingMemoryBound(to: UInt8.self)
            var acc: Int32 = 0
            for j in 0..<16 {
                acc += Int32(qs[j] & 0xF) * Int32(x.q[32 * b + j]) + Int32(qs[j] >> 4) * Int32(x.q[32 * b + j + 16])
            }
            total += d * x.d[b] * Float(acc) + m * x.s[b]
        }
        return total
    }

    static func q8(_ row: UnsafeRawPointer, _ x: QuantizedRow, blocks: Int) -> Float {
        var total: Float = 0
        for b in 0..<blocks {
            let p = row + b * 34
            let qs = (p + 2).assumingMemoryBound(to: Int8.self)
            var acc: Int32 = 0
            for j in 0..<32 { acc += Int32(qs[j]) * Int32(x.q[32 * b + j]) }
            total += HalfFloat.f16(p) * x.d[b] * Float(acc)
        }
        return total
    }
}
#endif
