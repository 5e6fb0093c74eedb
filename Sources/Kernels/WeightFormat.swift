/// Storage format of a weight matrix, as the GGUF/ggml tensor types of the same names.
///
/// Every row is a sequence of whole blocks; `blockElements` weights are stored in `blockBytes` bytes.
public enum WeightFormat: Sendable, Equatable, CaseIterable {
    case f32, f16, bf16, q4_0, q4_1, q8_0, q4_K, q6_K

    /// Weights per block (1 for the plain float formats, 32 for Q4_0/Q4_1/Q8_0, 256 for the K-quants).
    public var blockElements: Int {
        switch self {
        case .f32, .f16, .bf16: return 1
        case .q4_0, .q4_1, .q8_0: return 32
        case .q4_K, .q6_K: return 256
        }
    }

    /// Bytes per block, exactly as ggml lays them out (`block_q4_0` = 18, `block_q4_K` = 144, ...).
    public var blockBytes: Int {
        switch self {
        case .f32: return 4
        case .f16, .bf16: return 2
        case .q4_0: return 18   // f16 d + 16 bytes of nibbles
        case .q4_1: return 20   // f16 d + f16 m + 16 bytes of nibbles
        case .q8_0: return 34   // f16 d + 32 int8
        case .q4_K: return 144  // f16 d + f16 dmin + 12 bytes packed 6-bit scales/mins + 128 bytes nibbles
        case .q6_K: return 210  // 128 bytes low nibbles + 64 bytes high 2 bits + 16 int8 scales + f16 d
        }
    }
}
