/// Register-blocked F32 micro-kernels in "dot" form: both operands are row-major along k, so no
/// packing or transposition is needed; each accumulator is a SIMD8 partial sum reduced at the end.
///
/// `c[t*ldc + r] = Σ_k w[r*ldw + k] · x[t*ldx + k]`.
enum GemmMicroKernel {
    /// 4 weight rows × 3 tokens: 12 accumulators + 3 activation vectors + 1 weight vector = 16
    /// AVX2 registers; 7 loads per 12 FMAs.
    @inline(__always)
    static func kernel4x3(_ w: UnsafePointer<Float>, _ ldw: Int, _ x: UnsafePointer<Float>, _ ldx: Int, _ k: Int,
                          _ c: UnsafeMutablePointer<Float>, _ ldc: Int) {
        let w0 = w, w1 = w + ldw, w2 = w + 2 * ldw, w3 = w + 3 * ldw
        let x0 = x, x1 = x + ldx, x2 = x + 2 * ldx
        var a00 = SIMD8<Float>(), a01 = SIMD8<Float>(), a02 = SIMD8<Float>()
        var a10 = SIMD8<Float>(), a11 = SIMD8<Float>(), a12 = SIMD8<Float>()
        var a20 = SIMD8<Float>(), a21 = SIMD8<Float>(), a22 = SIMD8<Float>()
        var a30 = SIMD8<Float>(), a31 = SIMD8<Float>(), a32 = SIMD8<Float>()
        var i = 0
        while i + 8 <= k {
            let v0 = SIMD8<Float>(loading: x0 + i), v1 = SIMD8<Float>(loading: x1 + i), v2 = SIMD8<Float>(loading: x2 + i)
            var u = SIMD8<Float>(loading: w0 + i)
            a00.addProduct(u, v0); a01.addProduct(u, v1); a02.addProduct(u, v2)
            u = SIMD8<Float>(loading: w1 + i)
            a10.addProduct(u, v0); a11.addProduct(u, v1); a12.addProduct(u, v2)
            u = SIMD8<Float>(loading: w2 + i)
            a20.addProduct(u, v0); a21.addProduct(u, v1); a22.addProduct(u, v2)
            u = SIMD8<Float>(loading: w3 + i)
            a30.addProduct(u, v0); a31.addProduct(u, v1); a32.addProduct(u, v2)
            i += 8
        }
        var s = (a00.sum(), a01.sum(), a02.sum(), a10.sum(), a11.sum(), a12.sum(),
                 a20.sum(), a21.sum(), a22.sum(), a30.sum(), a31.sum(), a32.sum())
        while i < k {
            s.0 += w0[i] * x0[i]; s.1 += w0[i] * x1[i]; s.2 += w0[i] * x2[i]
            s.3 += w1[i] * x0[i]; s.4 += w1[i] * x1[i]; s.5 += w1[i] * x2[i]
            s.6 += w2[i] * x0[i]; s.7 += w2[i] * x1[i]; s.8 += w2[i] * x2[i]
            s.9 += w3[i] * x0[i]; s.10 += w3[i] * x1[i]; s.11 += w3[i] * x2[i]
            i += 1
        }
        c[0] = s.0; c[ldc] = s.1; c[2 * ldc] = s.2
        c[1] = s.3; c[1 + ldc] = s.4; c[1 + 2 * ldc] = s.5
        c[2] = s.6; c[2 + ldc] = s.7; c[2 + 2 * ldc] = s.8
        c[3] = s.9; c[3 + ldc] = s.10; c[3 + 2 * ldc] = s.11
    }

    /// 4 weight rows × 1 token (token tails).
    @inline(__always)
    static func kernel4x1(_ w: UnsafePointer<Float>, _ ldw: Int, _ x: UnsafePointer<Float>, _ k: Int,
                          _ c: UnsafeMutablePointer<Float>) {
        let w0 = w, w1 = w + ldw, w2 = w + 2 * ldw, w3 = w + 3 * ldw
        var a0 = SIMD8<Float>(), a1 = SIMD8<Float>(), a2 = SIMD8<Float>(), a3 = SIMD8<Float>()
        var i = 0
        while i + 8 <= k {
            let v = SIMD8<Float>(loading: x + i)
            a0.addProduct(SIMD8<Float>(loading: w0 + i), v)
            a1.addProduct(SIMD8<Float>(loading: w1 + i), v)
            a2.addProduct(SIMD8<Float>(loading: w2 + i), v)
            a3.addProduct(SIMD8<Float>(loading: w3 + i), v)
            i += 8
        }
        var s = (a0.sum(), a1.sum(), a2.sum(), a3.sum())
        while i < k {
            s.0 += w0[i] * x[i]; s.1 += w1[i] * x[i]; s.2 += w2[i] * x[i]; s.3 += w3[i] * x[i]
            i += 1
        }
        c[0] = s.0; c[1] = s.1; c[2] = s.2; c[3] = s.3
    }

    /// A block of `rows` weight rows × `tokens` tokens, any sizes.
    static func block(w: UnsafePointer<Float>, ldw: Int, rows: Int, x: UnsafePointer<Float>, ldx: Int, tokens: Int,
                      k: Int, c: UnsafeMutablePointer<Float>, ldc: Int) {
        var t = 0
        while t + 3 <= tokens {
            var r = 0
            while r + 4 <= rows {
                kernel4x3(w + r * ldw, ldw, x + t * ldx, ldx, k, c + t * ldc + r, ldc)
                r += 4
            }
            while r < rows {
                for tt in t..<(t + 3) { c[tt * ldc + r] = Ops.dot(w + r * ldw, x + tt * ldx, count: k) }
                r += 1
            }
            t += 3
        }
        while t < tokens {
            var r = 0
            while r + 4 <= rows {
                kernel4x1(w + r * ldw, ldw, x + t * ldx, k, c + t * ldc + r)
                r += 4
            }
            while r < rows {
                c[t * ldc + r] = Ops.dot(w + r * ldw, x + t * ldx, count: k)
                r += 1
            }
            t += 1
        }
    }
}
