#if arch(x86_64)
import _Builtin_intrinsics.intel
#endif

extension Ops {
    /// Dequantises row `row` of `w` into `into[0..<w.cols]` (SIMD for Q4_0/Q4_1/Q8_0/F16/BF16).
    public static func dequantizeRow(_ w: WeightMatrix, row: Int, into out: UnsafeMutablePointer<Float>) {
        let base = w.rowPointer(row)
        let blocks = w.cols / w.format.blockElements
        switch w.format {
        case .f32:
            UnsafeMutableRawPointer(out).copyMemory(from: base, byteCount: 4 * w.cols)
        case .f16:
            var i = 0
            while i + 8 <= w.cols {
                let h = base.loadUnaligned(fromByteOffset: 2 * i, as: SIMD8<Float16>.self)
                SIMD8<Float>(h).store(to: out + i)
                i += 8
            }
            while i < w.cols { out[i] = HalfFloat.f16(base + 2 * i); i += 1 }
        case .bf16:
            var i = 0
            while i + 8 <= w.cols {
                let h = base.loadUnaligned(fromByteOffset: 2 * i, as: SIMD8<UInt16>.self)
                SIMD8<Float>(bitPattern: SIMD8<UInt32>(truncatingIfNeeded: h) &<< 16).store(to: out + i)
                i += 8
            }
            while i < w.cols { out[i] = HalfFloat.bf16(base + 2 * i); i += 1 }
        case .q4_0:
            for b in 0..<blocks {
                let p = base + b * 18
                let d = HalfFloat.f16(p)
                BlockUnpack.nibbles(p + 2, scale: d, offset: -8 * d, into: out + 32 * b)
            }
        case .q4_1:
            for b in 0..<blocks {
                let p = base + b * 20
                BlockUnpack.nibbles(p + 4, scale: HalfFloat.f16(p), offset: HalfFloat.f16(p + 2), into: out + 32 * b)
            }
        case .q8_0:
            for b in 0..<blocks {
                let p = base + b * 34
                BlockUnpack.int8x32(p + 2, scale: HalfFloat.f16(p), into: out + 32 * b)
            }
        case .q4_K:
            for b in 0..<blocks { ReferenceOps.dequantizeQ4K(base + b * 144, into: out + b * 256) }
        case .q6_K:
            for b in 0..<blocks { ReferenceOps.dequantizeQ6K(base + b * 210, into: out + b * 256) }
        }
    }
}

/// SIMD expansion of one 32-weight block to floats.
enum BlockUnpack {
    /// 16 bytes of nibbles (low nibble = element j, high = j+16) → scale·q + offset.
    @inline(__always)
    static func nibbles(_ q: UnsafeRawPointer, scale: Float, offset: Float, into out: UnsafeMutablePointer<Float>) {
        #if arch(x86_64)
        let qs = q.loadUnaligned(as: __m128i.self)
        let mask = _mm_set1_epi8(0x0F)
        let lo = _mm_and_si128(qs, mask)
        let hi = _mm_and_si128(_mm_srli_epi16(qs, 4), mask)
        let s = _mm256_set1_ps(scale), o = _mm256_set1_ps(offset)
        let v0 = _mm256_fmadd_ps(_mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(lo)), s, o)
        let v1 = _mm256_fmadd_ps(_mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(_mm_unpackhi_epi64(lo, lo))), s, o)
        let v2 = _mm256_fmadd_ps(_mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(hi)), s, o)
        let v3 = _mm256_fmadd_ps(_mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(_mm_unpackhi_epi64(hi, hi))), s, o)
        v0.store(to: out)
        v1.store(to: out + 8)
        v2.store(to: out + 16)
        v3.store(to: out + 24)
        #else
        let bytes = q.assumingMemoryBound(to: UInt8.self)
        for j in 0..<16 {
            out[j] = scale * Float(bytes[j] & 0xF) + offset
            out[j + 16] = scale * Float(bytes[j] >> 4) + offset
        }
        #endif
    }

    /// 32 signed bytes → scale·q.
    @inline(__always)
    static func int8x32(_ q: UnsafeRawPointer, scale: Float, into out: UnsafeMutablePointer<Float>) {
        #if arch(x86_64)
        let a = q.loadUnaligned(as: __m128i.self)
        let b = q.loadUnaligned(fromByteOffset: 16, as: __m128i.self)
        let s = _mm256_set1_ps(scale)
        _mm256_mul_ps(_mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(a)), s).store(to: out)
        _mm256_mul_ps(_mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_unpackhi_epi64(a, a))), s).store(to: out + 8)
        _mm256_mul_ps(_mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(b)), s).store(to: out + 16)
        _mm256_mul_ps(_mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_unpackhi_epi64(b, b))), s).store(to: out + 24)
        #else
        let bytes = q.assumingMemoryBound(to: Int8.self)
        for j in 0..<32 { out[j] = scale * Float(bytes[j]) }
        #endif
    }
}
