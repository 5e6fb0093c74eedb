/// Why a GGUF file was rejected (or a writer refused a value). Offsets are absolute file offsets.
public enum GGUFError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file ended inside `context`: `needed` bytes at `offset`, fewer available.
    case truncated(offset: Int, needed: Int, context: String)
    /// The first four bytes are not "GGUF".
    case badMagic(found: UInt32)
    /// Only versions 2 and 3 are read (v1 used 32-bit counts; a byte-swapped 2/3 is a big-endian file).
    case unsupportedVersion(UInt32)
    /// A declared count or size exceeds `GGUFLimits`.
    case limitExceeded(GGUFLimit, value: UInt64, maximum: Int, offset: Int, context: String)
    /// A key, string value or tensor name is not valid UTF-8.
    case invalidUTF8(offset: Int, context: String)
    /// A metadata value type tag outside 0...12.
    case unknownValueType(rawValue: UInt32, offset: Int, key: String)
    /// A bool stored as something other than 0 or 1.
    case invalidBool(rawValue: UInt8, offset: Int, key: String)
    /// The same metadata key appears twice.
    case duplicateKey(String, offset: Int)
    /// `general.alignment` is not an integer that is a positive power of two.
    case invalidAlignment(GGUFValue)
    /// A tensor type id ggml does not define.
    case unknownTensorType(rawValue: UInt32, tensor: String)
    /// A dimension is negative as int64, or the innermost one is not a whole number of blocks.
    case invalidDimensions(tensor: String, dimensions: [UInt64], reason: String)
    /// The element count or byte size of a tensor overflows `Int`.
    case sizeOverflow(tensor: String, dimensions: [UInt64])
    /// Two tensors share a name.
    case duplicateTensor(String)
    /// A tensor offset is not a multiple of the file's alignment.
    case misalignedTensor(tensor: String, offset: UInt64, alignment: Int)
    /// A tensor's bytes do not lie within the data section.
    case tensorOutOfRange(tensor: String, offset: UInt64, byteCount: Int, dataSectionBytes: Int)
    /// Two tensors' byte ranges overlap.
    case overlappingTensors(String, String)
    /// Writer: tensor data length does not match its shape and type.
    case tensorDataSizeMismatch(tensor: String, expected: Int, actual: Int)
    /// Writer: an array mixes element types, which GGUF cannot encode.
    case heterogeneousArray(key: String)

    /// Stable short name of the case, for counting failures by kind.
    public var kind: String {
        switch self {
        case .truncated: "truncated"
        case .badMagic: "badMagic"
        case .unsupportedVersion: "unsupportedVersion"
        case .limitExceeded(let limit, _, _, _, _): "limitExceeded.\(limit.rawValue)"
        case .invalidUTF8: "invalidUTF8"
        case .unknownValueType: "unknownValueType"
        case .invalidBool: "invalidBool"
        case .duplicateKey: "duplicateKey"
        case .invalidAlignment: "invalidAlignment"
        case .unknownTensorType: "unknownTensorType"
        case .invalidDimensions: "invalidDimensions"
        case .sizeOverflow: "sizeOverflow"
        case .duplicateTensor: "duplicateTensor"
        case .misalignedTensor: "misalignedTensor"
        case .tensorOutOfRange: "tensorOutOfRange"
        case .overlappingTensors: "overlappingTensors"
        case .tensorDataSizeMismatch: "tensorDataSizeMismatch"
        case .heterogeneousArray: "heterogeneousArray"
        }
    }

    public var description: String {
        switch self {
        case .truncated(let offset, let needed, let context):
            "GGUF truncated: \(context) needs \(needed) bytes at offset \(offset)"
        case .badMagic(let found):
            "not a GGUF file: magic 0x\(String(found, radix: 16)) (expected 0x46554747 \"GGUF\")"
        case .unsupportedVersion(let version):
            switch version {
            case 1: "GGUF version 1 is not supported (it used 32-bit counts); re-convert the model with a current llama.cpp"
            case 0x0200_0000, 0x0300_0000: "big-endian GGUF (version bytes 0x\(String(version, radix: 16))) is not supported"
            default: "unsupported GGUF version \(version) (supported: 2, 3)"
            }
        case .limitExceeded(let limit, let value, let maximum, let offset, let context):
            "GGUF \(context) at offset \(offset): \(limit.rawValue) \(value) exceeds the limit \(maximum)"
        case .invalidUTF8(let offset, let context):
            "GGUF \(context) at offset \(offset) is not valid UTF-8"
        case .unknownValueType(let raw, let offset, let key):
            "GGUF key '\(key)': unknown value type \(raw) at offset \(offset)"
        case .invalidBool(let raw, let offset, let key):
            "GGUF key '\(key)': bool byte \(raw) at offset \(offset) is neither 0 nor 1"
        case .duplicateKey(let key, let offset):
            "GGUF metadata key '\(key)' appears twice (second at offset \(offset))"
        case .invalidAlignment(let value):
            "GGUF general.alignment \(value) is not a positive power-of-two integer"
        case .unknownTensorType(let raw, let tensor):
            "GGUF tensor '\(tensor)': unknown ggml type \(raw)"
        case .invalidDimensions(let tensor, let dimensions, let reason):
            "GGUF tensor '\(tensor)' dimensions \(dimensions): \(reason)"
        case .sizeOverflow(let tensor, let dimensions):
            "GGUF tensor '\(tensor)' dimensions \(dimensions): size overflows"
        case .duplicateTensor(let name):
            "GGUF tensor name '\(name)' appears twice"
        case .misalignedTensor(let tensor, let offset, let alignment):
            "GGUF tensor '\(tensor)' offset \(offset) is not a multiple of the alignment \(alignment)"
        case .tensorOutOfRange(let tensor, let offset, let byteCount, let dataBytes):
            "GGUF tensor '\(tensor)' bytes [\(offset), +\(byteCount)) exceed the \(dataBytes)-byte data section"
        case .overlappingTensors(let a, let b):
            "GGUF tensors '\(a)' and '\(b)' overlap"
        case .tensorDataSizeMismatch(let tensor, let expected, let actual):
            "GGUF tensor '\(tensor)': shape and type need \(expected) bytes, data has \(actual)"
        case .heterogeneousArray(let key):
            "GGUF key '\(key)': array elements must all have one type"
        }
    }
}
