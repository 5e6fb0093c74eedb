/// Element types of the safetensors format (names exactly as they appear in the header).
public enum SafetensorsDType: String, Sendable, Hashable, CaseIterable, Codable {
    case bool = "BOOL"
    case u8 = "U8", i8 = "I8"
    case f8e4m3 = "F8_E4M3", f8e5m2 = "F8_E5M2"
    case u16 = "U16", i16 = "I16", f16 = "F16", bf16 = "BF16"
    case u32 = "U32", i32 = "I32", f32 = "F32"
    case u64 = "U64", i64 = "I64", f64 = "F64"

    /// Bytes per element.
    public var byteSize: Int {
        switch self {
        case .bool, .u8, .i8, .f8e4m3, .f8e5m2: return 1
        case .u16, .i16, .f16, .bf16: return 2
        case .u32, .i32, .f32: return 4
        case .u64, .i64, .f64: return 8
        }
    }
}

/// Where one tensor lives in a safetensors buffer.
public struct SafetensorsTensorInfo: Sendable, Hashable {
    public let name: String
    public let dtype: SafetensorsDType
    /// Outermost dimension first (row-major, as PyTorch writes it). Empty for a scalar.
    public let shape: [Int]
    /// Byte range within the whole buffer (not relative to the data section).
    public let byteRange: Range<Int>

    public init(name: String, dtype: SafetensorsDType, shape: [Int], byteRange: Range<Int>) {
        self.name = name
        self.dtype = dtype
        self.shape = shape
        self.byteRange = byteRange
    }

    /// Number of elements (1 for a scalar).
    public var elementCount: Int { shape.reduce(1, *) }
}
