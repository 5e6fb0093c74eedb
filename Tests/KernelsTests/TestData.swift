import Kernels

/// Deterministic generator for test data (SplitMix64; no global randomness).
struct TestRNG: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// A weight matrix with its own storage (tests only).
final class OwnedMatrix {
    let bytes: UnsafeMutableRawPointer
    let matrix: WeightMatrix

    init(format: WeightFormat, rows: Int, cols: Int, bytes raw: [UInt8]) throws {
        bytes = .allocate(byteCount: max(raw.count, 1), alignment: 64)
        bytes.copyMemory(from: raw, byteCount: raw.count)
        matrix = try WeightMatrix(format: format, rows: rows, cols: cols, data: bytes)
    }

    deinit { bytes.deallocate() }

    /// Random but well-formed blocks: realistic scales, arbitrary quants.
    static func random(format: WeightFormat, rows: Int, cols: Int, rng: inout TestRNG) throws -> OwnedMatrix {
        let blocks = rows * cols / format.blockElements
        var out: [UInt8] = []
        out.reserveCapacity(blocks * format.blockBytes)
        func half(_ v: Float) { let b = Float16(v).bitPattern; out.append(UInt8(b & 0xFF)); out.append(UInt8(b >> 8)) }
        func randomBytes(_ n: Int) { for _ in 0..<n { out.append(UInt8.random(in: 0...255, using: &rng)) } }
        for _ in 0..<blocks {
            switch format {
            case .f32:
                let b = Float.random(in: -1...1, using: &rng).bitPattern
                for s in stride(from: 0, to: 32, by: 8) { out.append(UInt8((b >> UInt32(s)) & 0xFF)) }
            case .f16: half(Float.random(in: -1...1, using: &rng))
            case .bf16:
                let b = Float.random(in: -1...1, using: &rng).bitPattern >> 16
                out.append(UInt8(b & 0xFF)); out.append(UInt8(b >> 8))
            case .q4_0:
                half(Float.random(in: 0.001...0.05, using: &rng)); randomBytes(16)
            case .q4_1:
                half(Float.random(in: 0.001...0.05, using: &rng)); half(Float.random(in: -0.4...0, using: &rng)); randomBytes(16)
            case .q8_0:
                half(Float.random(in: 0.0005...0.01, using: &rng)); randomBytes(32)
            case .q4_K:
                half(Float.random(in: 0.0001...0.003, using: &rng)); half(Float.random(in: 0.0001...0.003, using: &rng))
                randomBytes(12 + 128)
            case .q6_K:
                randomBytes(128 + 64)
                for _ in 0..<16 { out.append(UInt8(bitPattern: Int8.random(in: -64...64, using: &rng))) }
                half(Float.random(in: 0.0001...0.002, using: &rng))
            }
        }
        return try OwnedMatrix(format: format, rows: rows, cols: cols, bytes: out)
    }
}

func randomFloats(_ count: Int, in range: ClosedRange<Float> = -1...1, rng: inout TestRNG) -> [Float] {
    (0..<count).map { _ in Float.random(in: range, using: &rng) }
}

/// Dequantises the whole matrix with the reference.
func referenceDense(_ w: WeightMatrix) -> [Float] {
    var dense = [Float](repeating: 0, count: w.rows * w.cols)
    dense.withUnsafeMutableBufferPointer { p in
        for r in 0..<w.rows { ReferenceOps.dequantizeRow(w, row: r, into: p.baseAddress! + r * w.cols) }
    }
    return dense
}

/// Unit roundoff of Float.
let floatEps = Float.ulpOfOne / 2
