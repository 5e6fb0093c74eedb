extension SafetensorsFile {
    /// The named tensor's elements as `Float`, converting F16, BF16 and F64 (row-major order).
    public func floats(_ name: String) throws(SafetensorsError) -> [Float] {
        let info = try info(name)
        let raw = data(of: info)
        let count = info.elementCount
        switch info.dtype {
        case .f32:
            return [Float](unsafeUninitializedCapacity: count) { out, initialized in
                // The data section may be unaligned (header lengths are arbitrary): copy bytes.
                // Safetensors is little-endian, as is every host this project targets.
                if count > 0, let base = out.baseAddress, let src = raw.baseAddress {
                    UnsafeMutableRawPointer(base).copyMemory(from: src, byteCount: count * 4)
                }
                initialized = count
            }
        case .f16:
            return (0..<count).map { i in
                Float(Float16(bitPattern: UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))))
            }
        case .bf16:
            return (0..<count).map { i in
                Self.floatFromBF16(UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)))
            }
        case .f64:
            return (0..<count).map { i in
                Float(Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self))))
            }
        default:
            throw .unsupportedConversion(tensor: name, dtype: info.dtype)
        }
    }

    /// bfloat16 is the top half of an IEEE-754 binary32.
    @inlinable
    public static func floatFromBF16(_ bits: UInt16) -> Float { Float(bitPattern: UInt32(bits) << 16) }

    /// Round-to-nearest-even conversion to bfloat16 (NaN stays NaN).
    @inlinable
    public static func bf16FromFloat(_ value: Float) -> UInt16 {
        let bits = value.bitPattern
        if value.isNaN { return UInt16(bits >> 16) | 0x0040 }
        let rounding = 0x7FFF + ((bits >> 16) & 1)
        return UInt16((bits &+ rounding) >> 16)
    }
}
