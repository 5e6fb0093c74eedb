/// Scalar readers for the 16-bit float fields of ggml blocks (little-endian, unaligned).
enum HalfFloat {
    @inline(__always)
    static func f16(_ p: UnsafeRawPointer) -> Float {
        Float(Float16(bitPattern: p.loadUnaligned(as: UInt16.self)))
    }

    @inline(__always)
    static func bf16(_ p: UnsafeRawPointer) -> Float {
        Float(bitPattern: UInt32(p.loadUnaligned(as: UInt16.self)) << 16)
    }

    /// ggml's `get_scale_min_k4`: the j-th 6-bit (scale, min) pair of a Q4_K block's 12 bytes.
    @inline(__always)
    static func scaleMinK4(_ j: Int, _ q: UnsafePointer<UInt8>) -> (scale: UInt8, min: UInt8) {
        if j < 4 {
            return (q[j] & 63, q[j + 4] & 63)
        }
        let scale = (q[j + 4] & 0xF) | ((q[j - 4] >> 6) << 4)
        let min = (q[j + 4] >> 4) | ((q[j] >> 6) << 4)
        return (scale, min)
    }
}
