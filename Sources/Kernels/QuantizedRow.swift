#if arch(x86_64)
import _Builtin_intrinsics.intel
#endif

/// One activation row quantised to int8 in blocks of 32 (ggml's Q8_0/Q8_1 for activations):
/// `q[k] = round(x[k] / d[b])`, `d[b] = max|x in block b| / 127`, `s[b] = d[b]·Σq` (the sum of the
/// quantised block, so Q4_0/Q4_1 offsets are applied to the same values the products use).
struct QuantizedRow {
    let q: UnsafeMutablePointer<Int8>
    let d: UnsafeMutablePointer<Float>
    let s: UnsafeMutablePointer<Float>

    /// Bytes of scratch needed for `cols` columns (cols % 32 == 0), 32-byte aligned pieces.
    static func scratchBytes(cols: Int) -> Int { cols + 2 * 4 * (cols / 32) + 64 }

    init(scratch: UnsafeMutableRawPointer, cols: Int) {
        q = scratch.assumingMemoryBound(to: Int8.self)
        d = (scratch + cols).assumingMemoryBound(to: Float.self)
        s = d + cols / 32
    }

    /// Quantises `x[0..<cols]`.
    func quantize(_ x: UnsafePointer<Float>, cols: Int) {
        for b in 0..<(cols / 32) {
            let xb = x + 32 * b
            let v0 = SIMD8<Float>(loading: xb), v1 = SIMD8<Float>(loading: xb + 8)
            let v2 = SIMD8<Float>(loading: xb + 16), v3 = SIMD8<Float>(loading: xb + 24)
            let amax = pointwiseMax(pointwiseMax(Self.absolute(v0), Self.absolute(v1)),
                                    pointwiseMax(Self.absolute(v2), Self.absolute(v3))).max()
            let scale = amax / 127
            let inv: Float = amax > 0 ? 127 / amax : 0
            let (bytes, total) = Self.round32(v0 * inv, v1 * inv, v2 * inv, v3 * inv)
            UnsafeMutableRawPointer(q + 32 * b).storeBytes(of: bytes, as: SIMD32<Int8>.self)
            d[b] = scale
            s[b] = scale * Float(total)
        }
    }

    /// Rounds 32 values already scaled into [−127, 127] to int8 (nearest even), returning them in
    /// order and their sum.
    @inline(__always)
    static func round32(_ v0: SIMD8<Float>, _ v1: SIMD8<Float>, _ v2: SIMD8<Float>, _ v3: SIMD8<Float>) -> (SIMD32<Int8>, Int32) {
        #if arch(x86_64)
        // cvtps rounds to nearest even; |v| ≤ 127 so the saturating packs never clip.
        let i0 = _mm256_cvtps_epi32(v0), i1 = _mm256_cvtps_epi32(v1)
        let i2 = _mm256_cvtps_epi32(v2), i3 = _mm256_cvtps_epi32(v3)
        // packs interleave 128-bit lanes; the permute restores element order.
        let p01 = _mm256_packs_epi32(i0, i1), p23 = _mm256_packs_epi32(i2, i3)
        let p = _mm256_permutevar8x32_epi32(_mm256_packs_epi16(p01, p23), _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7))
        let sum16 = _mm256_maddubs_epi16(_mm256_set1_epi8(1), p)
        let sum32 = unsafeBitCast(_mm256_madd_epi16(sum16, _mm256_set1_epi16(1)), to: SIMD8<Int32>.self)
        return (unsafeBitCast(p, to: SIMD32<Int8>.self), sum32.wrappedSum())
        #else
        var out = SIMD32<Int8>()
        var total: Int32 = 0
        let all = [v0, v1, v2, v3]
        for j in 0..<32 {
            let v = Int8(all[j / 8][j % 8].rounded(.toNearestOrEven))
            out[j] = v
            total += Int32(v)
        }
        return (out, total)
        #endif
    }

    @inline(__always)
    static func absolute(_ v: SIMD8<Float>) -> SIMD8<Float> { v.replacing(with: -v, where: v .< 0) }
}
