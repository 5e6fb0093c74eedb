import Kernels

/// SplitMix64, so the benchmark data is the same every run.
struct BenchRNG: RandomNumberGenerator {
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

/// Random blocks of a quantised format, owned for the lifetime of the benchmark.
final class BenchWeights {
    let storage: UnsafeMutableRawPointer
    let matrix: WeightMatrix

    init(format: WeightFormat, rows: Int, cols: Int, rng: inout BenchRNG) {
        let blocks = rows * cols / format.blockElements
        let bytes = blocks * format.blockBytes
        storage = .allocate(byteCount: bytes, alignment: 64)
        let u8 = storage.assumingMemoryBound(to: UInt8.self)
        for i in 0..<bytes { u8[i] = UInt8.random(in: 0...255, using: &rng) }
        // Sane f16 scales where the format has them (random bytes could be NaN/inf).
        for b in 0..<blocks {
            let p = storage + b * format.blockBytes
            switch format {
            case .q4_0, .q8_0, .q4_1:
                p.storeBytes(of: Float16(0.01).bitPattern, as: UInt16.self)
                if format == .q4_1 { (p + 2).storeBytes(of: Float16(-0.08).bitPattern, as: UInt16.self) }
            default: break
            }
        }
        do {
            matrix = try WeightMatrix(format: format, rows: rows, cols: cols, data: storage)
        } catch {
            preconditionFailure("benchmark shape \(rows)x\(cols) invalid for \(format): \(error)")
        }
    }

    deinit { storage.deallocate() }
}
