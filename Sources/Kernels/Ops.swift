#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Optimised CPU kernels (SIMD, and the thread pool for the matrix products). Each function has a
/// scalar twin of the same name in `ReferenceOps` that the tests compare against.
public enum Ops {
    /// out = x / sqrt(mean(x²) + eps) · weight.
    public static func rmsNorm(_ x: UnsafePointer<Float>, weight: UnsafePointer<Float>, count: Int, eps: Float, out: UnsafeMutablePointer<Float>) {
        let ss = dot(x, x, count: count)
        let scale = 1 / (ss / Float(count) + eps).squareRoot()
        var i = 0
        while i + 8 <= count {
            let v = SIMD8<Float>(loading: x + i) * scale * SIMD8<Float>(loading: weight + i)
            v.store(to: out + i)
            i += 8
        }
        while i < count { out[i] = x[i] * scale * weight[i]; i += 1 }
    }

    /// out = (x − mean) / sqrt(var + eps) · weight + bias (biased variance, as BERT/PyTorch).
    public static func layerNorm(_ x: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>, count: Int, eps: Float, out: UnsafeMutablePointer<Float>) {
        guard count > 0 else { return }
        let mean = sum(x, count: count) / Float(count)
        // Two passes (centre, then square) instead of E[x²]−E[x]² to avoid cancellation.
        var acc = SIMD8<Float>()
        var i = 0
        while i + 8 <= count {
            let d = SIMD8<Float>(loading: x + i) - mean
            acc.addProduct(d, d)
            i += 8
        }
        var variance = acc.sum()
        while i < count { let d = x[i] - mean; variance += d * d; i += 1 }
        variance /= Float(count)
        let inv = 1 / (variance + eps).squareRoot()
        i = 0
        while i + 8 <= count {
            let v = (SIMD8<Float>(loading: x + i) - mean) * inv * SIMD8<Float>(loading: weight + i) + SIMD8<Float>(loading: bias + i)
            v.store(to: out + i)
            i += 8
        }
        while i < count { out[i] = (x[i] - mean) * inv * weight[i] + bias[i]; i += 1 }
    }

    /// In-place softmax, max-subtracted for stability.
    public static func softmax(_ x: UnsafeMutablePointer<Float>, count: Int) {
        guard count > 0 else { return }
        var mx = SIMD8<Float>(repeating: -.infinity)
        var i = 0
        while i + 8 <= count { mx = pointwiseMax(mx, SIMD8<Float>(loading: x + i)); i += 8 }
        var m = mx.max()
        while i < count { m = max(m, x[i]); i += 1 }
        var total = SIMD8<Float>()
        i = 0
        while i + 8 <= count {
            let e = FastMath.exp(SIMD8<Float>(loading: x + i) - m)
            e.store(to: x + i)
            total += e
            i += 8
        }
        var s = total.sum()
        while i < count { let e = expf(x[i] - m); x[i] = e; s += e; i += 1 }
        let inv = 1 / s
        i = 0
        while i + 8 <= count { (SIMD8<Float>(loading: x + i) * inv).store(to: x + i); i += 8 }
        while i < count { x[i] *= inv; i += 1 }
    }

    /// out = silu(gate) · up, silu(g) = g / (1 + e^−g).
    public static func siluMul(gate: UnsafePointer<Float>, up: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>, count: Int) {
        var i = 0
        while i + 8 <= count {
            let g = SIMD8<Float>(loading: gate + i)
            let v = g / (1 + FastMath.exp(-g)) * SIMD8<Float>(loading: up + i)
            v.store(to: out + i)
            i += 8
        }
        while i < count { let g = gate[i]; out[i] = g / (1 + expf(-g)) * up[i]; i += 1 }
    }

    /// In-place exact GELU, 0.5·x·(1 + erf(x/√2)) (BERT's, not the tanh approximation).
    public static func gelu(_ x: UnsafeMutablePointer<Float>, count: Int) {
        var i = 0
        while i + 8 <= count {
            let v = SIMD8<Float>(loading: x + i)
            (0.5 * v * (1 + FastMath.erf(v * 0.70710678118654752))).store(to: x + i)
            i += 8
        }
        while i < count { let v = x[i]; x[i] = 0.5 * v * (1 + erff(v * 0.70710678118654752)); i += 1 }
    }

    /// llama.cpp "normal" RoPE: rotates adjacent pairs (x[2i], x[2i+1]) of each of `heads`
    /// consecutive heads by θ = position · freqBase^(−2i/headDim).
    public static func ropeAdjacent(_ x: UnsafeMutablePointer<Float>, headDim: Int, heads: Int, position: Int, freqBase: Float) {
        withUnsafeTemporaryAllocation(of: Float.self, capacity: max(headDim, 2)) { table in
            guard let cosSin = table.baseAddress else { return }
            ropeCosSin(position: position, headDim: headDim, freqBase: freqBase, into: cosSin)
            ropeAdjacent(x, headDim: headDim, heads: heads, cosSin: cosSin)
        }
    }

    /// Fills `into[2i] = cos θ_i`, `into[2i+1] = sin θ_i` for i < headDim/2 (θ as in
    /// `ropeAdjacent`), so one table can rotate both q and k of a token.
    public static func ropeCosSin(position: Int, headDim: Int, freqBase: Float, into cosSin: UnsafeMutablePointer<Float>) {
        // Angles in Double: position·freq reaches thousands of radians, where Float would lose
        // ~1e-4 of phase.
        let step = pow(Double(freqBase), -2.0 / Double(headDim))
        var scale = 1.0
        for i in 0..<(headDim / 2) {
            let theta = Double(position) * scale
            cosSin[2 * i] = Float(cos(theta))
            cosSin[2 * i + 1] = Float(sin(theta))
            scale *= step
        }
    }

    /// `ropeAdjacent` with a table from `ropeCosSin`.
    public static func ropeAdjacent(_ x: UnsafeMutablePointer<Float>, headDim: Int, heads: Int, cosSin: UnsafePointer<Float>) {
        let pairs = headDim / 2
        for h in 0..<heads {
            let p = x + h * headDim
            var i = 0
            // 4 pairs at a time: even lanes get a·c − b·s, odd lanes a·s + b·c.
            while i + 4 <= pairs {
                let v = SIMD8<Float>(loading: p + 2 * i)
                let cs = SIMD8<Float>(loading: cosSin + 2 * i)
                let c = SIMD8<Float>(cs[0], cs[0], cs[2], cs[2], cs[4], cs[4], cs[6], cs[6])
                let s = SIMD8<Float>(-cs[1], cs[1], -cs[3], cs[3], -cs[5], cs[5], -cs[7], cs[7])
                let swapped = SIMD8<Float>(v[1], v[0], v[3], v[2], v[5], v[4], v[7], v[6])
                (v * c + swapped * s).store(to: p + 2 * i)
                i += 4
            }
            while i < pairs {
                let c = cosSin[2 * i], s = cosSin[2 * i + 1]
                let a = p[2 * i], b = p[2 * i + 1]
                p[2 * i] = a * c - b * s
                p[2 * i + 1] = a * s + b * c
                i += 1
            }
        }
    }

    /// Σ a[i]·b[i].
    public static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) -> Float {
        var s0 = SIMD8<Float>(), s1 = SIMD8<Float>(), s2 = SIMD8<Float>(), s3 = SIMD8<Float>()
        var i = 0
        while i + 32 <= count {
            s0.addProduct(SIMD8<Float>(loading: a + i), SIMD8<Float>(loading: b + i))
            s1.addProduct(SIMD8<Float>(loading: a + i + 8), SIMD8<Float>(loading: b + i + 8))
            s2.addProduct(SIMD8<Float>(loading: a + i + 16), SIMD8<Float>(loading: b + i + 16))
            s3.addProduct(SIMD8<Float>(loading: a + i + 24), SIMD8<Float>(loading: b + i + 24))
            i += 32
        }
        while i + 8 <= count {
            s0.addProduct(SIMD8<Float>(loading: a + i), SIMD8<Float>(loading: b + i))
            i += 8
        }
        var s = ((s0 + s1) + (s2 + s3)).sum()
        while i < count { s += a[i] * b[i]; i += 1 }
        return s
    }

    static func sum(_ a: UnsafePointer<Float>, count: Int) -> Float {
        var acc = SIMD8<Float>()
        var i = 0
        while i + 8 <= count { acc += SIMD8<Float>(loading: a + i); i += 8 }
        var s = acc.sum()
        while i < count { s += a[i]; i += 1 }
        return s
    }

    /// y += a·x.
    public static func axpy(_ a: Float, x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>, count: Int) {
        var i = 0
        while i + 8 <= count {
            var v = SIMD8<Float>(loading: y + i)
            v.addProduct(a, SIMD8<Float>(loading: x + i))
            v.store(to: y + i)
            i += 8
        }
        while i < count { y[i] += a * x[i]; i += 1 }
    }

    /// out = a + b (out may alias a or b).
    public static func add(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>, count: Int) {
        var i = 0
        while i + 8 <= count {
            (SIMD8<Float>(loading: a + i) + SIMD8<Float>(loading: b + i)).store(to: out + i)
            i += 8
        }
        while i < count { out[i] = a[i] + b[i]; i += 1 }
    }
}
