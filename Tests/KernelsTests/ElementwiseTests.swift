import Testing
import Kernels
#if canImport(Glibc)
import Glibc
#endif

/// Element-wise kernels vs ReferenceOps (Double maths). Tolerances are relative to the size of the
/// values involved: the optimised versions use Float sums (≈ count·ε relative) and polynomial
/// exp/erf approximations (≤ 2e-7 absolute for erf, a few ulps relative for exp).
@Suite("Ops element-wise")
struct ElementwiseTests {
    static let counts = [1, 7, 8, 33, 64, 384, 576, 1536]

    func close(_ a: [Float], _ b: [Float], rel: Float, abs absTol: Float) -> Bool {
        zip(a, b).allSatisfy { abs($0 - $1) <= absTol + rel * max(abs($0), abs($1)) }
    }

    @Test(arguments: counts)
    func rmsNorm(count: Int) {
        var rng = TestRNG(seed: UInt64(count))
        let x = randomFloats(count, in: -3...3, rng: &rng), w = randomFloats(count, rng: &rng)
        var out = [Float](repeating: 0, count: count), expected = out
        Ops.rmsNorm(x, weight: w, count: count, eps: 1e-5, out: &out)
        ReferenceOps.rmsNorm(x, weight: w, count: count, eps: 1e-5, out: &expected)
        #expect(close(out, expected, rel: 1e-5, abs: 1e-6))
    }

    @Test(arguments: counts)
    func layerNorm(count: Int) {
        var rng = TestRNG(seed: UInt64(count) + 1)
        let x = randomFloats(count, in: 5...9, rng: &rng), w = randomFloats(count, rng: &rng), b = randomFloats(count, rng: &rng)
        var out = [Float](repeating: 0, count: count), expected = out
        Ops.layerNorm(x, weight: w, bias: b, count: count, eps: 1e-12, out: &out)
        ReferenceOps.layerNorm(x, weight: w, bias: b, count: count, eps: 1e-12, out: &expected)
        // A count of 1 normalises 0/0-ish: both give bias exactly (x − mean = 0).
        #expect(close(out, expected, rel: 1e-4, abs: 1e-4))
    }

    @Test(arguments: counts)
    func softmax(count: Int) {
        var rng = TestRNG(seed: UInt64(count) + 2)
        var x = randomFloats(count, in: -30...30, rng: &rng)
        if count > 3 { x[2] = -.infinity }   // masked position
        var expected = x
        Ops.softmax(&x, count: count)
        ReferenceOps.softmax(&expected, count: count)
        #expect(close(x, expected, rel: 1e-5, abs: 1e-7))
        if count > 3 { #expect(x[2] == 0) }
        #expect(abs(x.reduce(0, +) - 1) < 1e-5)
    }

    @Test(arguments: counts)
    func siluMul(count: Int) {
        var rng = TestRNG(seed: UInt64(count) + 3)
        let g = randomFloats(count, in: -20...20, rng: &rng), u = randomFloats(count, in: -2...2, rng: &rng)
        var out = [Float](repeating: 0, count: count), expected = out
        Ops.siluMul(gate: g, up: u, out: &out, count: count)
        ReferenceOps.siluMul(gate: g, up: u, out: &expected, count: count)
        #expect(close(out, expected, rel: 2e-6, abs: 1e-7))
    }

    @Test(arguments: counts)
    func gelu(count: Int) {
        var rng = TestRNG(seed: UInt64(count) + 4)
        var x = randomFloats(count, in: -6...6, rng: &rng)
        var expected = x
        Ops.gelu(&x, count: count)
        ReferenceOps.gelu(&expected, count: count)
        // erf approximation: ≤ 1.5e-7 absolute, times 0.5·|x| ≤ 3.
        #expect(close(x, expected, rel: 2e-6, abs: 1e-6))
    }

    @Test(arguments: counts)
    func dotAxpyAdd(count: Int) {
        var rng = TestRNG(seed: UInt64(count) + 5)
        let a = randomFloats(count, rng: &rng), b = randomFloats(count, rng: &rng)
        let absSum = zip(a, b).reduce(Float(0)) { $0 + abs($1.0 * $1.1) }
        let d = Ops.dot(a, b, count: count), expected = ReferenceOps.dot(a, b, count: count)
        #expect(abs(d - expected) <= Float(count) * floatEps * absSum + 1e-7)

        var y = b, yExpected = b
        Ops.axpy(0.75, x: a, y: &y, count: count)
        ReferenceOps.axpy(0.75, x: a, y: &yExpected, count: count)
        #expect(close(y, yExpected, rel: 2 * floatEps, abs: 1e-7))   // FMA vs two roundings

        var s = [Float](repeating: 0, count: count), sExpected = s
        Ops.add(a, b, out: &s, count: count)
        ReferenceOps.add(a, b, out: &sExpected, count: count)
        #expect(s == sExpected)
    }
}

@Suite("Ops.ropeAdjacent")
struct RopeTests {
    @Test("hand-computed rotation")
    func handComputed() {
        // headDim 4, 1 head, position 2, base 100: θ0 = 2, θ1 = 2·100^(−1/2) = 0.2.
        var x: [Float] = [1, 0, 0, 1]
        Ops.ropeAdjacent(&x, headDim: 4, heads: 1, position: 2, freqBase: 100)
        let expected: [Float] = [Float(cos(2.0)), Float(sin(2.0)), -Float(sin(0.2)), Float(cos(0.2))]
        for i in 0..<4 { #expect(abs(x[i] - expected[i]) < 1e-6) }
    }

    @Test("matches the reference", arguments: [(64, 9, 0), (64, 3, 1), (64, 9, 777), (64, 3, 8191), (8, 2, 5)])
    func matchesReference(shape: (Int, Int, Int)) {
        let (headDim, heads, position) = shape
        var rng = TestRNG(seed: UInt64(position))
        var x = randomFloats(headDim * heads, rng: &rng)
        var expected = x
        Ops.ropeAdjacent(&x, headDim: headDim, heads: heads, position: position, freqBase: 100_000)
        ReferenceOps.ropeAdjacent(&expected, headDim: headDim, heads: heads, position: position, freqBase: 100_000)
        // Angles up to 8191 rad: float cos/sin of a Double-computed angle, ≈ 1e-6 absolute.
        for i in x.indices { #expect(abs(x[i] - expected[i]) < 5e-6) }
    }

    @Test("a shared cos/sin table gives the same result")
    func sharedTable() {
        var rng = TestRNG(seed: 3)
        let original = randomFloats(64 * 3, rng: &rng)
        var direct = original, viaTable = original
        Ops.ropeAdjacent(&direct, headDim: 64, heads: 3, position: 4321, freqBase: 100_000)
        var table = [Float](repeating: 0, count: 64)
        Ops.ropeCosSin(position: 4321, headDim: 64, freqBase: 100_000, into: &table)
        Ops.ropeAdjacent(&viaTable, headDim: 64, heads: 3, cosSin: table)
        #expect(direct == viaTable)
    }
}
