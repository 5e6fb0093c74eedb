extension SIMD8 where Scalar == Float {
    /// Loads 8 consecutive floats (unaligned).
    @inline(__always)
    init(loading p: UnsafePointer<Float>) {
        self = UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
    }

    @inline(__always)
    init(loading p: UnsafeMutablePointer<Float>) {
        self = UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
    }

    /// Stores 8 consecutive floats (unaligned).
    @inline(__always)
    func store(to p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: self, as: SIMD8<Float>.self)
    }
}
