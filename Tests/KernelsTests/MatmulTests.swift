import Testing
import Kernels

/// Ops.matmul against ReferenceOps.matmul (exact dequantised weights, Double sums).
///
/// Tolerances, per output y[t,r]:
/// - F32 paths: |Δ| ≤ cols·ε·Σ_k|W[r,k]·x[k]| + 1e-6 (worst-case float summation error bound;
///   ε = 2⁻²⁴).
/// - int8-activation path (Q4_0/Q4_1/Q8_0, tokens < 4): additionally Σ_k |W[r,k]|·d_b/2 · 1.01,
///   where d_b = max|x in k's 32-block|/127 is the activation quantisation step (rounding to
///   nearest moves each x by at most d_b/2). This is the same approximation llama.cpp makes.
@Suite("Ops.matmul")
struct MatmulTests {
    static let shapes: [(rows: Int, cols: Int)] = [(1, 32), (3, 64), (17, 96), (192, 576), (17, 1536), (5, 256), (3, 512)]
    static let tokenCounts = [1, 2, 3, 5, 64]

    static let cases: [(WeightFormat, Int, Int)] = WeightFormat.allCases.flatMap { format in
        shapes.filter { $0.cols % format.blockElements == 0 }.map { (format, $0.rows, $0.cols) }
    }

    @Test("optimised matmul matches the reference", arguments: cases, [1, 2])
    func matchesReference(testCase: (WeightFormat, Int, Int), threads: Int) throws {
        let (format, rows, cols) = testCase
        var rng = TestRNG(seed: UInt64(rows * 7919 + cols * 31 + threads))
        let owned = try OwnedMatrix.random(format: format, rows: rows, cols: cols, rng: &rng)
        let w = owned.matrix
        let dense = referenceDense(w)
        let pool = ThreadPool(threadCount: threads)
        for tokens in Self.tokenCounts {
            // Skip the largest combinations: the tolerance loop runs unoptimised in debug tests.
            if tokens == 64 && rows * cols > 20_000 { continue }
            let x = randomFloats(tokens * cols, in: -2...2, rng: &rng)
            var y = [Float](repeating: .nan, count: tokens * rows)
            var expected = [Float](repeating: .nan, count: tokens * rows)
            Ops.matmul(w, x: x, tokens: tokens, y: &y, pool: pool)
            ReferenceOps.matmul(w, x: x, tokens: tokens, y: &expected)
            let integerPath = (format == .q4_0 || format == .q4_1 || format == .q8_0) && tokens < 4
            let worst = Self.worstError(y, expected, dense: dense, x: x, rows: rows, cols: cols, tokens: tokens, integerPath: integerPath)
            #expect(worst <= 1, "format \(format) \(rows)x\(cols) tokens \(tokens): error/tolerance \(worst)")
        }
    }

    /// max over outputs of |y − expected| / tolerance (≤ 1 passes); see the suite comment.
    static func worstError(_ y: [Float], _ expected: [Float], dense: [Float], x: [Float], rows: Int, cols: Int,
                           tokens: Int, integerPath: Bool) -> Float {
        // Raw pointers: this loop runs unoptimised in debug test builds.
        dense.withUnsafeBufferPointer { dp in
            x.withUnsafeBufferPointer { xp in
                guard let d = dp.baseAddress, let xs = xp.baseAddress else { return Float.infinity }
                var worst: Float = 0
                for t in 0..<tokens {
                    for r in 0..<rows {
                        var absProducts: Float = 0, quantBound: Float = 0
                        var k0 = 0
                        while k0 < cols {
                            let k1 = min(cols, k0 + 32)
                            var amax: Float = 0, absW: Float = 0
                            for k in k0..<k1 {
                                let xv = xs[t * cols + k], wv = d[r * cols + k]
                                amax = max(amax, abs(xv))
                                absW += abs(wv)
                                absProducts += abs(wv * xv)
                            }
                            quantBound += absW * amax / 127 / 2
                            k0 = k1
                        }
                        var tolerance = Float(cols) * floatEps * absProducts + 1e-6
                        if integerPath { tolerance += quantBound * 1.01 }
                        worst = max(worst, abs(y[t * rows + r] - expected[t * rows + r]) / tolerance)
                    }
                }
                return worst
            }
        }
    }

    @Test("packed weights match the reference", arguments: cases.filter { [.q4_0, .q4_1, .q8_0, .f16].contains($0.0) }, [1, 2])
    func packedMatchesReference(testCase: (WeightFormat, Int, Int), threads: Int) throws {
        let (format, rows, cols) = testCase
        var rng = TestRNG(seed: UInt64(rows * 31 + cols + threads))
        let owned = try OwnedMatrix.random(format: format, rows: rows, cols: cols, rng: &rng)
        let packed = Ops.pack(owned.matrix)
        #expect(packed.isRepacked == (format != .f16))
        let pool = ThreadPool(threadCount: threads)
        let dense = referenceDense(owned.matrix)
        for tokens in rows * cols > 20_000 ? [1, 2, 5] : [1, 2, 4, 5, 8, 47, 48, 49] {
            let x = randomFloats(tokens * cols, in: -2...2, rng: &rng)
            var y = [Float](repeating: .nan, count: tokens * rows), expected = y
            Ops.matmul(packed, x: x, tokens: tokens, y: &y, pool: pool)
            ReferenceOps.matmul(owned.matrix, x: x, tokens: tokens, y: &expected)
            // Repacked formats use int8 activations below 48 tokens.
            let integerPath = packed.isRepacked && tokens < 48
            let worst = Self.worstError(y, expected, dense: dense, x: x, rows: rows, cols: cols, tokens: tokens, integerPath: integerPath)
            #expect(worst <= 1, "packed \(format) \(rows)x\(cols) tokens \(tokens): error/tolerance \(worst)")
        }
    }

    @Test("pool nil equals single-threaded pool bit for bit")
    func noPoolSameResult() throws {
        var rng = TestRNG(seed: 99)
        let owned = try OwnedMatrix.random(format: .q4_1, rows: 40, cols: 576, rng: &rng)
        for tokens in [1, 7] {
            let x = randomFloats(tokens * 576, rng: &rng)
            var a = [Float](repeating: 0, count: tokens * 40), b = a
            Ops.matmul(owned.matrix, x: x, tokens: tokens, y: &a, pool: nil)
            Ops.matmul(owned.matrix, x: x, tokens: tokens, y: &b, pool: ThreadPool(threadCount: 2))
            #expect(a == b)
        }
    }
}

@Suite("Ops.gemmNT")
struct GemmTests {
    @Test("matches the reference", arguments: [(1, 1, 1), (1, 5, 64), (3, 17, 33), (64, 64, 64), (7, 100, 576), (65, 9, 13), (2, 3, 0)], [1, 2])
    func matchesReference(shape: (Int, Int, Int), threads: Int) {
        let (m, n, k) = shape
        var rng = TestRNG(seed: UInt64(m * 1000 + n * 10 + k))
        let a = randomFloats(m * k, rng: &rng), b = randomFloats(n * k, rng: &rng)
        var c = [Float](repeating: .nan, count: m * n), expected = c
        Ops.gemmNT(a: a, b: b, c: &c, m: m, n: n, k: k, pool: ThreadPool(threadCount: threads))
        ReferenceOps.gemmNT(a: a, b: b, c: &expected, m: m, n: n, k: k)
        for i in 0..<m {
            for j in 0..<n {
                var absSum: Float = 0
                for p in 0..<k { absSum += abs(a[i * k + p] * b[j * k + p]) }
                #expect(abs(c[i * n + j] - expected[i * n + j]) <= Float(max(k, 1)) * floatEps * absSum + 1e-6)
            }
        }
    }
}
