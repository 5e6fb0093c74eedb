import Testing
import Kernels

/// One block of each format with hand-chosen fields, checked against values worked out by hand
/// from the ggml block definitions (not from our own code).
@Suite("Ops.dequantizeRow")
struct DequantizeTests {
    func half(_ v: Float) -> [UInt8] { let b = Float16(v).bitPattern; return [UInt8(b & 0xFF), UInt8(b >> 8)] }

    func dequantized(_ format: WeightFormat, cols: Int, _ bytes: [UInt8]) throws -> (fast: [Float], reference: [Float]) {
        let m = try OwnedMatrix(format: format, rows: 1, cols: cols, bytes: bytes)
        var fast = [Float](repeating: .nan, count: cols), reference = fast
        Ops.dequantizeRow(m.matrix, row: 0, into: &fast)
        ReferenceOps.dequantizeRow(m.matrix, row: 0, into: &reference)
        return (fast, reference)
    }

    @Test func q4_0() throws {
        // d = 0.5; byte j = j | (15 − j) << 4 → w[j] = 0.5·(j − 8), w[j+16] = 0.5·(7 − j).
        let bytes = half(0.5) + (0..<16).map { UInt8($0 | ((15 - $0) << 4)) }
        let (fast, reference) = try dequantized(.q4_0, cols: 32, bytes)
        let low: [Float] = (0..<16).map { (j: Int) -> Float in 0.5 * Float(j - 8) }
        let high: [Float] = (0..<16).map { (j: Int) -> Float in 0.5 * Float(7 - j) }
        let expected = low + high
        #expect(fast == expected)
        #expect(reference == expected)
    }

    @Test func q4_1() throws {
        // d = 0.25, m = −1; w[j] = 0.25·j − 1, w[j+16] = 0.25·(15 − j) − 1.
        let bytes = half(0.25) + half(-1) + (0..<16).map { UInt8($0 | ((15 - $0) << 4)) }
        let (fast, reference) = try dequantized(.q4_1, cols: 32, bytes)
        let low: [Float] = (0..<16).map { (j: Int) -> Float in 0.25 * Float(j) - 1 }
        let high: [Float] = (0..<16).map { (j: Int) -> Float in 0.25 * Float(15 - j) - 1 }
        let expected = low + high
        #expect(fast == expected)
        #expect(reference == expected)
    }

    @Test func q8_0() throws {
        // d = 0.125, q[j] = j − 16.
        let bytes = half(0.125) + (0..<32).map { UInt8(bitPattern: Int8($0 - 16)) }
        let (fast, reference) = try dequantized(.q8_0, cols: 32, bytes)
        let expected: [Float] = (0..<32).map { (j: Int) -> Float in 0.125 * Float(j - 16) }
        #expect(fast == expected)
        #expect(reference == expected)
    }

    @Test func f16AndBF16AndF32() throws {
        let values: [Float] = [1.5, -2.25, 0, 65504, 0.099975586, -3, 7.5, 1024, -0.5]
        let f16 = try dequantized(.f16, cols: values.count, values.flatMap { half($0) })
        #expect(f16.fast == values)
        #expect(f16.reference == values)
        let bf: [Float] = [3.0, -1.0, 0.5, 1.5e10, -7.0, 2.0, 0.25, 100.0, -0.125]
        let bfBytes = bf.flatMap { v -> [UInt8] in let b = v.bitPattern >> 16; return [UInt8(b & 0xFF), UInt8(b >> 8)] }
        let b16 = try dequantized(.bf16, cols: bf.count, bfBytes)
        #expect(b16.fast == bf.map { Float(bitPattern: $0.bitPattern & 0xFFFF_0000) })
        #expect(b16.reference == b16.fast)
        let f32 = try dequantized(.f32, cols: 3, [Float(1.25), -8, 3].flatMap { v in withUnsafeBytes(of: v) { Array($0) } })
        #expect(f32.fast == [1.25, -8, 3])
    }

    @Test func q4_K() throws {
        // d = 1, dmin = 0.5. Scale bytes: [0..3] = 2 with bit 6 set on byte 0, [4..7] = 1, [8..11] = 0x13.
        // Sub-blocks 0–3: scale = byte & 63 = 2, min = byte[j+4] & 63 = 1.
        // Sub-block 4: scale = (0x13 & 15) | (byte0 >> 6) << 4 = 3 + 16 = 19, min = 1; 5–7: scale 3, min 1.
        // qs all 0x52: low nibble 2 (first 32 of each 64), high nibble 5 (second 32).
        let scales: [UInt8] = [2 | 64, 2, 2, 2, 1, 1, 1, 1, 0x13, 0x13, 0x13, 0x13]
        let bytes = half(1) + half(0.5) + scales + [UInt8](repeating: 0x52, count: 128)
        let (fast, reference) = try dequantized(.q4_K, cols: 256, bytes)
        var expected = [Float]()
        let subScale: [Float] = [2, 2, 2, 2, 19, 3, 3, 3]
        for sub in 0..<8 {
            let q: Float = sub % 2 == 0 ? 2 : 5
            expected += [Float](repeating: subScale[sub] * q - 0.5, count: 32)
        }
        #expect(reference == expected)
        #expect(fast == expected)
    }

    @Test func q6_K() throws {
        // ql all 0x21 (low 1, high 2); qh all 0xE4 (2-bit fields 0,1,2,3); scales[i] = i + 1; d = 0.5.
        // Per 128-element half h, l in 0..<32, s = l/16 + 8h:
        //   y[l] = d·sc[s]·((1|0<<4) − 32 = −31), y[l+32] = d·sc[s+2]·(17 − 32 = −15),
        //   y[l+64] = d·sc[s+4]·(34 − 32 = 2),   y[l+96] = d·sc[s+6]·(50 − 32 = 18).
        let bytes = [UInt8](repeating: 0x21, count: 128) + [UInt8](repeating: 0xE4, count: 64)
            + (1...16).map { UInt8($0) } + half(0.5)
        let (fast, reference) = try dequantized(.q6_K, cols: 256, bytes)
        var expected = [Float](repeating: 0, count: 256)
        for h in 0..<2 {
            for l in 0..<32 {
                let s = l / 16 + 8 * h
                expected[128 * h + l] = 0.5 * Float(s + 1) * -31
                expected[128 * h + l + 32] = 0.5 * Float(s + 3) * -15
                expected[128 * h + l + 64] = 0.5 * Float(s + 5) * 2
                expected[128 * h + l + 96] = 0.5 * Float(s + 7) * 18
            }
        }
        #expect(reference == expected)
        #expect(fast == expected)
    }

    @Test("fast equals reference on random blocks", arguments: WeightFormat.allCases)
    func randomBlocks(format: WeightFormat) throws {
        var rng = TestRNG(seed: 7)
        let cols = format.blockElements == 256 ? 512 : 96
        let m = try OwnedMatrix.random(format: format, rows: 3, cols: cols, rng: &rng)
        for r in 0..<3 {
            var fast = [Float](repeating: .nan, count: cols), reference = fast
            Ops.dequantizeRow(m.matrix, row: r, into: &fast)
            ReferenceOps.dequantizeRow(m.matrix, row: r, into: &reference)
            // Fast paths use one FMA (d·q + m) where the reference rounds twice: allow 1 ulp of |w|.
            for i in 0..<cols { #expect(abs(fast[i] - reference[i]) <= 2 * floatEps * max(abs(reference[i]), 1e-6) + 1e-7) }
        }
    }
}
