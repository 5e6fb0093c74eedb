/// One activation row quantised to int8 blocks of 32 in the paired order of `PackedWeights`:
/// pair p (blocks 2p, 2p+1) is 64 bytes [a0..15, b0..15, a16..31, b16..31]; per group of 8 blocks
/// the scales `d` = max|x_block|/127 and sums `s` = d·Σq are 8 floats in the header's lane order.
/// Missing blocks (odd block count, last partial group) are zero.
struct PairedActivation {
    let q: UnsafeMutablePointer<Int8>
    let d: UnsafeMutablePointer<Float>
    let s: UnsafeMutablePointer<Float>

    static func scratchBytes(_ layout: PackedWeights.Layout) -> Int { 64 * layout.pairs + 2 * 32 * layout.groups + 64 }

    init(scratch: UnsafeMutableRawPointer, layout: PackedWeights.Layout) {
        q = scratch.assumingMemoryBound(to: Int8.self)
        d = (scratch + 64 * layout.pairs).assumingMemoryBound(to: Float.self)
        s = d + 8 * layout.groups
    }

    func quantize(_ x: UnsafePointer<Float>, layout: PackedWeights.Layout) {
        // Zero the padding the loop below may not write.
        (q + 64 * (layout.pairs - 1)).initialize(repeating: 0, count: 64)
        (d + 8 * (layout.groups - 1)).initialize(repeating: 0, count: 8)
        (s + 8 * (layout.groups - 1)).initialize(repeating: 0, count: 8)
        for b in 0..<layout.blocks {
            let xb = x + 32 * b
            let v0 = SIMD8<Float>(loading: xb), v1 = SIMD8<Float>(loading: xb + 8)
            let v2 = SIMD8<Float>(loading: xb + 16), v3 = SIMD8<Float>(loading: xb + 24)
            let amax = pointwiseMax(pointwiseMax(QuantizedRow.absolute(v0), QuantizedRow.absolute(v1)),
                                    pointwiseMax(QuantizedRow.absolute(v2), QuantizedRow.absolute(v3))).max()
            let inv: Float = amax > 0 ? 127 / amax : 0
            let (bytes, total) = QuantizedRow.round32(v0 * inv, v1 * inv, v2 * inv, v3 * inv)
            let pairBase = UnsafeMutableRawPointer(q + 64 * (b / 2) + 16 * (b & 1))
            pairBase.storeBytes(of: bytes.lowHalf, as: SIMD16<Int8>.self)
            (pairBase + 32).storeBytes(of: bytes.highHalf, as: SIMD16<Int8>.self)
            let slot = 8 * (b / 8) + PackedWeights.Layout.lane(b % 8)
            d[slot] = amax / 127
            s[slot] = amax / 127 * Float(total)
        }
    }
}
