#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Plain scalar twins of `Ops`: obvious loops, Double accumulation, no SIMD, no threads.
/// They are the oracle the optimised kernels are tested against.
public enum ReferenceOps {
    /// Dequantises row `row` of `w` into `into[0..<w.cols]`, straight from the ggml block layouts.
    public static func dequantizeRow(_ w: WeightMatrix, row: Int, into out: UnsafeMutablePointer<Float>) {
        let base = w.rowPointer(row)
        let blocks = w.cols / w.format.blockElements
        switch w.format {
        case .f32:
            for i in 0..<w.cols { out[i] = base.loadUnaligned(fromByteOffset: 4 * i, as: Float.self) }
        case .f16:
            for i in 0..<w.cols { out[i] = HalfFloat.f16(base + 2 * i) }
        case .bf16:
            for i in 0..<w.cols { out[i] = HalfFloat.bf16(base + 2 * i) }
        case .q4_0:
            for b in 0..<blocks {
                let p = base + b * 18
                let d = HalfFloat.f16(p)
                let qs = (p + 2).assumingMemoryBound(to: UInt8.self)
                for j in 0..<16 {
                    out[b * 32 + j] = d * Float(Int(qs[j] & 0xF) - 8)
                    out[b * 32 + j + 16] = d * Float(Int(qs[j] >> 4) - 8)
                }
            }
        case .q4_1:
            for b in 0..<blocks {
                let p = base + b * 20
                let d = HalfFloat.f16(p)
                let m = HalfFloat.f16(p + 2)
                let qs = (p + 4).assumingMemoryBound(to: UInt8.self)
                for j in 0..<16 {
                    out[b * 32 + j] = d * Float(qs[j] & 0xF) + m
                    out[b * 32 + j + 16] = d * Float(qs[j] >> 4) + m
                }
            }
        case .q8_0:
            for b in 0..<blocks {
                let p = base + b * 34
                let d = HalfFloat.f16(p)
                let qs = (p + 2).assumingMemoryBound(to: Int8.self)
                for j in 0..<32 { out[b * 32 + j] = d * Float(qs[j]) }
            }
        case .q4_K:
            for b in 0..<blocks { dequantizeQ4K(base + b * 144, into: out + b * 256) }
        case .q6_K:
            for b in 0..<blocks { dequantizeQ6K(base + b * 210, into: out + b * 256) }
        }
    }

    /// ggml `dequantize_row_q4_K` for one 256-element super-block.
    static func dequantizeQ4K(_ p: UnsafeRawPointer, into y: UnsafeMutablePointer<Float>) {
        let d = HalfFloat.f16(p)
        let dmin = HalfFloat.f16(p + 2)
        let scales = (p + 4).assumingMemoryBound(to: UInt8.self)
        let qs = (p + 16).assumingMemoryBound(to: UInt8.self)
        var out = 0
        for chunk in 0..<4 {   // 64 elements each: 32 low nibbles, then 32 high nibbles
            let (sc1, m1) = HalfFloat.scaleMinK4(2 * chunk, scales)
            let (sc2, m2) = HalfFloat.scaleMinK4(2 * chunk + 1, scales)
            let q = qs + 32 * chunk
            for l in 0..<32 { y[out + l] = d * Float(sc1) * Float(q[l] & 0xF) - dmin * Float(m1) }
            for l in 0..<32 { y[out + 32 + l] = d * Float(sc2) * Float(q[l] >> 4) - dmin * Float(m2) }
            out += 64
        }
    }

    /// ggml `dequantize_row_q6_K` for one 256-element super-block.
    static func dequantizeQ6K(_ p: UnsafeRawPointer, into y: UnsafeMutablePointer<Float>) {
        let ql0 = p.assumingMemoryBound(to: UInt8.self)
        let qh0 = (p + 128).assumingMemoryBound(to: UInt8.self)
        let sc0 = (p + 192).assumingMemoryBound(to: Int8.self)
        let d = HalfFloat.f16(p + 208)
        for half in 0..<2 {   // 128 elements each
            let ql = ql0 + 64 * half, qh = qh0 + 32 * half, sc = sc0 + 8 * half
            let yy = y + 128 * half
            for l in 0..<32 {
                let s = l / 16
                let q1 = Int((ql[l] & 0xF) | ((qh[l] & 3) << 4)) - 32
                let q2 = Int((ql[l + 32] & 0xF) | (((qh[l] >> 2) & 3) << 4)) - 32
                let q3 = Int((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32
                let q4 = Int((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32
                yy[l] = d * Float(sc[s]) * Float(q1)
                yy[l + 32] = d * Float(sc[s + 2]) * Float(q2)
                yy[l + 64] = d * Float(sc[s + 4]) * Float(q3)
                yy[l + 96] = d * Float(sc[s + 6]) * Float(q4)
            }
        }
    }

    /// y[t*rows + r] = Σ_k W[r,k]·x[t*cols + k] with exact dequantised weights and Double sums.
    public static func matmul(_ w: WeightMatrix, x: UnsafePointer<Float>, tokens: Int, y: UnsafeMutablePointer<Float>) {
        let row = UnsafeMutablePointer<Float>.allocate(capacity: w.cols)
        defer { row.deallocate() }
        for r in 0..<w.rows {
            dequantizeRow(w, row: r, into: row)
            for t in 0..<tokens {
                var s = 0.0
                for k in 0..<w.cols { s += Double(row[k]) * Double(x[t * w.cols + k]) }
                y[t * w.rows + r] = Float(s)
            }
        }
    }

    public static func rmsNorm(_ x: UnsafePointer<Float>, weight: UnsafePointer<Float>, count: Int, eps: Float, out: UnsafeMutablePointer<Float>) {
        var ss = 0.0
        for i in 0..<count { ss += Double(x[i]) * Double(x[i]) }
        let scale = 1.0 / (ss / Double(count) + Double(eps)).squareRoot()
        for i in 0..<count { out[i] = Float(Double(x[i]) * scale) * weight[i] }
    }

    public static func layerNorm(_ x: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>, count: Int, eps: Float, out: UnsafeMutablePointer<Float>) {
        var mean = 0.0
        for i in 0..<count { mean += Double(x[i]) }
        mean /= Double(count)
        var variance = 0.0
        for i in 0..<count { variance += (Double(x[i]) - mean) * (Double(x[i]) - mean) }
        variance /= Double(count)
        let inv = 1.0 / (variance + Double(eps)).squareRoot()
        for i in 0..<count { out[i] = Float((Double(x[i]) - mean) * inv) * weight[i] + bias[i] }
    }

    public static func softmax(_ x: UnsafeMutablePointer<Float>, count: Int) {
        guard count > 0 else { return }
        var mx = x[0]
        for i in 0..<count { mx = max(mx, x[i]) }
        var sum = 0.0
        for i in 0..<count { sum += exp(Double(x[i] - mx)) }
        for i in 0..<count { x[i] = Float(exp(Double(x[i] - mx)) / sum) }
    }

    public static func siluMul(gate: UnsafePointer<Float>, up: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count {
            let g = Double(gate[i])
            out[i] = Float(g / (1 + exp(-g)) * Double(up[i]))
        }
    }

    public static func gelu(_ x: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count {
            let v = Double(x[i])
            x[i] = Float(0.5 * v * (1 + erf(v / 2.0.squareRoot())))
        }
    }

    public static func ropeAdjacent(_ x: UnsafeMutablePointer<Float>, headDim: Int, heads: Int, position: Int, freqBase: Float) {
        for h in 0..<heads {
            for i in 0..<(headDim / 2) {
                let theta = Double(position) * pow(Double(freqBase), -2.0 * Double(i) / Double(headDim))
                let c = cos(theta), s = sin(theta)
                let p = x + h * headDim + 2 * i
                let a = Double(p[0]), b = Double(p[1])
                p[0] = Float(a * c - b * s)
                p[1] = Float(a * s + b * c)
            }
        }
    }

    public static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) -> Float {
        var s = 0.0
        for i in 0..<count { s += Double(a[i]) * Double(b[i]) }
        return Float(s)
    }

    public static func axpy(_ a: Float, x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count { y[i] += a * x[i] }
    }

    public static func add(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count { out[i] = a[i] + b[i] }
    }

    /// C[m×n] = A[m×k] · B[n×k]ᵀ with Double sums.
    public static func gemmNT(a: UnsafePointer<Float>, b: UnsafePointer<Float>, c: UnsafeMutablePointer<Float>, m: Int, n: Int, k: Int) {
        for i in 0..<m {
            for j in 0..<n {
                var s = 0.0
                for p in 0..<k { s += Double(a[i * k + p]) * Double(b[j * k + p]) }
                c[i * n + j] = Float(s)
            }
        }
    }
}
