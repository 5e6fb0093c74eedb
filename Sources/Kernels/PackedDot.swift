#if arch(x86_64)
import _Builtin_intrinsics.intel

/// Integer dot products of one `PackedWeights` row with one `PairedActivation` (AVX2).
/// Per group of 8 blocks the per-block int32 sums come out of a 3-level `vphaddd` tree as one
/// vector in lane order, so scales, offsets and the float conversion are applied once per 8 blocks.
enum PackedDot {
    @inline(__always)
    static func load256(_ p: UnsafeRawPointer) -> __m256i { p.loadUnaligned(as: __m256i.self) }

    /// Q4_0 / Q4_1: Σ_b d_b·xd_b·Σ(q·x̂) + m_b·xs_b.
    @inline(__always)
    static func q4(_ row: UnsafeRawPointer, _ x: PairedActivation, _ layout: PackedWeights.Layout) -> Float {
        let mask = _mm256_set1_epi8(0x0F), ones = _mm256_set1_epi16(1)
        let zero = _mm256_setzero_si256()
        var acc = _mm256_setzero_ps()
        @inline(__always)
        func pair(_ w: UnsafeRawPointer, _ xp: UnsafeRawPointer) -> __m256i {
            let v = load256(w)
            let lo = _mm256_and_si256(v, mask), hi = _mm256_and_si256(_mm256_srli_epi16(v, 4), mask)
            // Each maddubs lane ≤ 2·15·127 = 3810, so two of them still fit in int16.
            let s16 = _mm256_add_epi16(_mm256_maddubs_epi16(lo, load256(xp)), _mm256_maddubs_epi16(hi, load256(xp + 32)))
            return _mm256_madd_epi16(s16, ones)
        }
        for g in 0..<layout.groups {
            let header = row + g * layout.groupBytes
            let data = header + layout.headerBytes
            let xp = UnsafeRawPointer(x.q + 256 * g)
            let np = min(4, layout.pairs - 4 * g)
            let q0 = pair(data, xp)
            let q1 = np > 1 ? pair(data + 32, xp + 64) : zero
            let q2 = np > 2 ? pair(data + 64, xp + 128) : zero
            let q3 = np > 3 ? pair(data + 96, xp + 192) : zero
            let sums = _mm256_hadd_epi32(_mm256_hadd_epi32(q0, q1), _mm256_hadd_epi32(q2, q3))
            let dv = _mm256_cvtph_ps(header.loadUnaligned(as: __m128i.self))
            let mv = _mm256_cvtph_ps(header.loadUnaligned(fromByteOffset: 16, as: __m128i.self))
            let xd = UnsafeRawPointer(x.d + 8 * g).loadUnaligned(as: __m256.self)
            let xs = UnsafeRawPointer(x.s + 8 * g).loadUnaligned(as: __m256.self)
            acc = _mm256_fmadd_ps(_mm256_mul_ps(dv, xd), _mm256_cvtepi32_ps(sums), acc)
            acc = _mm256_fmadd_ps(mv, xs, acc)
        }
        return SIMD8<Float>(acc).sum()
    }

    /// Q8_0: Σ_b d_b·xd_b·Σ(q·x̂), signs moved onto x so vpmaddubsw sees |q|.
    @inline(__always)
    static func q8(_ row: UnsafeRawPointer, _ x: PairedActivation, _ layout: PackedWeights.Layout) -> Float {
        let ones = _mm256_set1_epi16(1)
        let zero = _mm256_setzero_si256()
        var acc = _mm256_setzero_ps()
        @inline(__always)
        func half(_ w: __m256i, _ xv: __m256i) -> __m256i {
            _mm256_madd_epi16(_mm256_maddubs_epi16(_mm256_sign_epi8(w, w), _mm256_sign_epi8(xv, w)), ones)
        }
        @inline(__always)
        func pair(_ w: UnsafeRawPointer, _ xp: UnsafeRawPointer) -> __m256i {
            _mm256_add_epi32(half(load256(w), load256(xp)), half(load256(w + 32), load256(xp + 32)))
        }
        for g in 0..<layout.groups {
            let header = row + g * layout.groupBytes
            let data = header + layout.headerBytes
            let xp = UnsafeRawPointer(x.q + 256 * g)
            let np = min(4, layout.pairs - 4 * g)
            let q0 = pair(data, xp)
            let q1 = np > 1 ? pair(data + 64, xp + 64) : zero
            let q2 = np > 2 ? pair(data + 128, xp + 128) : zero
            let q3 = np > 3 ? pair(data + 192, xp + 192) : zero
            let sums = _mm256_hadd_epi32(_mm256_hadd_epi32(q0, q1), _mm256_hadd_epi32(q2, q3))
            let dv = _mm256_cvtph_ps(header.loadUnaligned(as: __m128i.self))
            let xd = UnsafeRawPointer(x.d + 8 * g).loadUnaligned(as: __m256.self)
            acc = _mm256_fmadd_ps(_mm256_mul_ps(dv, xd), _mm256_cvtepi32_ps(sums), acc)
        }
        return SIMD8<Float>(acc).sum()
    }
    /// Four activation rows against one weight row: the weight pairs are unpacked (Q4) or
    /// sign-split (Q8) once and the group header converted once for all four tokens.
    @inline(__always)
    static func x4(_ row: UnsafeRawPointer, _ xs: (PairedActivation, PairedActivation, PairedActivation, PairedActivation),
                   _ layout: PackedWeights.Layout, isQ8: Bool) -> SIMD4<Float> {
        let mask = _mm256_set1_epi8(0x0F), ones = _mm256_set1_epi16(1)
        let zero = _mm256_setzero_si256()
        var acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps(), acc2 = _mm256_setzero_ps(), acc3 = _mm256_setzero_ps()
        let q0 = UnsafeRawPointer(xs.0.q), q1 = UnsafeRawPointer(xs.1.q), q2 = UnsafeRawPointer(xs.2.q), q3 = UnsafeRawPointer(xs.3.q)
        for g in 0..<layout.groups {
            let header = row + g * layout.groupBytes
            let data = header + layout.headerBytes
            let np = min(4, layout.pairs - 4 * g)
            var h0 = (zero, zero), h1 = (zero, zero), h2 = (zero, zero), h3 = (zero, zero)
            for p in 0..<4 {
                var s0 = zero, s1 = zero, s2 = zero, s3 = zero
                if p < np {
                    let xo = 256 * g + 64 * p
                    if isQ8 {
                        let wa = load256(data + 64 * p), wb = load256(data + 64 * p + 32)
                        let ua = _mm256_sign_epi8(wa, wa), ub = _mm256_sign_epi8(wb, wb)
                        @inline(__always)
                        func dot(_ x: UnsafeRawPointer) -> __m256i {
                            _mm256_add_epi32(
                                _mm256_madd_epi16(_mm256_maddubs_epi16(ua, _mm256_sign_epi8(load256(x + xo), wa)), ones),
                                _mm256_madd_epi16(_mm256_maddubs_epi16(ub, _mm256_sign_epi8(load256(x + xo + 32), wb)), ones))
                        }
                        s0 = dot(q0); s1 = dot(q1); s2 = dot(q2); s3 = dot(q3)
                    } else {
                        let v = load256(data + 32 * p)
                        let lo = _mm256_and_si256(v, mask), hi = _mm256_and_si256(_mm256_srli_epi16(v, 4), mask)
                        @inline(__always)
                        func dot(_ x: UnsafeRawPointer) -> __m256i {
                            _mm256_madd_epi16(_mm256_add_epi16(_mm256_maddubs_epi16(lo, load256(x + xo)),
                                                               _mm256_maddubs_epi16(hi, load256(x + xo + 32))), ones)
                        }
                        s0 = dot(q0); s1 = dot(q1); s2 = dot(q2); s3 = dot(q3)
                    }
                }
                // Fold pairs (0,1) and (2,3) as soon as both exist to keep few registers live.
                if p & 1 == 0 {
                    if p == 0 { h0.0 = s0; h1.0 = s1; h2.0 = s2; h3.0 = s3 } else { h0.1 = s0; h1.1 = s1; h2.1 = s2; h3.1 = s3 }
                } else if p == 1 {
                    h0.0 = _mm256_hadd_epi32(h0.0, s0); h1.0 = _mm256_hadd_epi32(h1.0, s1)
                    h2.0 = _mm256_hadd_epi32(h2.0, s2); h3.0 = _mm256_hadd_epi32(h3.0, s3)
                } else {
                    h0.1 = _mm256_hadd_epi32(h0.1, s0); h1.1 = _mm256_hadd_epi32(h1.1, s1)
                    h2.1 = _mm256_hadd_epi32(h2.1, s2); h3.1 = _mm256_hadd_epi32(h3.1, s3)
                }
            }
            let dv = _mm256_cvtph_ps(header.loadUnaligned(as: __m128i.self))
            @inline(__always)
            func finish(_ h: (__m256i, __m256i), _ x: PairedActivation, _ acc: inout __m256) {
                let sums = _mm256_cvtepi32_ps(_mm256_hadd_epi32(h.0, h.1))
                let xd = UnsafeRawPointer(x.d + 8 * g).loadUnaligned(as: __m256.self)
                acc = _mm256_fmadd_ps(_mm256_mul_ps(dv, xd), sums, acc)
            }
            finish(h0, xs.0, &acc0); finish(h1, xs.1, &acc1); finish(h2, xs.2, &acc2); finish(h3, xs.3, &acc3)
            if !isQ8 {
                let mv = _mm256_cvtph_ps(header.loadUnaligned(fromByteOffset: 16, as: __m128i.self))
                acc0 = _mm256_fmadd_ps(mv, UnsafeRawPointer(xs.0.s + 8 * g).loadUnaligned(as: __m256.self), acc0)
                acc1 = _mm256_fmadd_ps(mv, UnsafeRawPointer(xs.1.s + 8 * g).loadUnaligned(as: __m256.self), acc1)
                acc2 = _mm256_fmadd_ps(mv, UnsafeRawPointer(xs.2.s + 8 * g).loadUnaligned(as: __m256.self), acc2)
                acc3 = _mm256_fmadd_ps(mv, UnsafeRawPointer(xs.3.s + 8 * g).loadUnaligned(as: __m256.self), acc3)
            }
        }
        return SIMD4<Float>(SIMD8<Float>(acc0).sum(), SIMD8<Float>(acc1).sum(), SIMD8<Float>(acc2).sum(), SIMD8<Float>(acc3).sum())
    }
}
#else
/// Portable fallback with the same contract (used off x86-64).
enum PackedDot {
    static func q4(_ row: UnsafeRawPointer, _ x: PairedActivation, _ layout: PackedWeights.Layout) -> Float {
        generic(row, x, layout, isQ8: false)
    }

    static func q8(_ row: UnsafeRawPointer, _ x: PairedActivation, _ layout: PackedWeights.Layout) -> Float {
        generic(row, x, layout, isQ8: true)
    }

    static func x4(_ row: UnsafeRawPointer, _ xs: (PairedActivation, PairedActivation, PairedActivation, PairedActivation),
                   _ layout: PackedWeights.Layout, isQ8: Bool) -> SIMD4<Float> {
        SIMD4(generic(row, xs.0, layout, isQ8: isQ8), generic(row, xs.1, layout, isQ8: isQ8),
              generic(row, xs.2, layout, isQ8: isQ8), generic(row, xs.3, layout, isQ8: isQ8))
    }

    static func generic(_ row: UnsafeRawPointer, _ x: PairedActivation, _ layout: PackedWeights.Layout, isQ8: Bool) -> Float {
        var total: Float = 0
        for b in 0..<layout.blocks {
            let g = b / 8, lane = PackedWeights.Layout.lane(b % 8)
            let header = row + g * layout.groupBytes
            let pairStart = header + layout.headerBytes + (b / 2 - 4 * g) * layout.pairBytes
            let second = b & 1
            let xq = x.q + 64 * (b / 2) + 16 * second
            var acc: Int32 = 0
            for j in 0..<16 {
                let wl: Int32, wh: Int32
                if isQ8 {
                    wl = Int32(pairStart.load(fromByteOffset: 16 * second + j, as: Int8.self))
                    wh = Int32(pairStart.load(fromByteOffset: 32 + 16 * second + j, as: Int8.self))
                } else {
                    let byte = pairStart.load(fromByteOffset: 16 * second + j, as: UInt8.self)
                    wl = Int32(byte & 0xF)
                    wh = Int32(byte >> 4)
                }
                acc += wl * Int32(xq[j]) + wh * Int32(xq[32 + j])
            }
            let d = HalfFloat.f16(header + 2 * lane), m = isQ8 ? 0 : HalfFloat.f16(header + 16 + 2 * lane)
            total += d * x.d[8 * g + lane] * Float(acc) + (isQ8 ? 0 : m * x.s[8 * g + lane])
        }
        return total
    }
}
#endif
