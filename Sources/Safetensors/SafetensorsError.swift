/// Why a safetensors buffer was rejected or a tensor could not be read.
///
/// Every malformed input maps to one of these cases (never a crash); the context says where.
public enum SafetensorsError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Fewer than the 8 bytes of the header-length prefix.
    case truncatedPrefix(byteCount: Int)
    /// The declared header length is above the reader's limit.
    case headerTooLarge(declared: UInt64, limit: Int)
    /// The declared header length runs past the end of the buffer.
    case truncatedHeader(declared: UInt64, available: Int)
    /// The header is not valid UTF-8 / JSON; `offset` is within the header.
    case invalidJSON(offset: Int, reason: String)
    /// The JSON is valid but not the safetensors schema.
    case invalidHeader(key: String, reason: String)
    case unknownDType(tensor: String, dtype: String)
    /// shape × element size disagrees with `data_offsets`.
    case sizeMismatch(tensor: String, expectedBytes: Int, actualBytes: Int)
    /// `data_offsets` end beyond the data section (or begin > end).
    case offsetOutOfRange(tensor: String, begin: UInt64, end: UInt64, dataBytes: Int)
    /// Two tensors' byte ranges overlap.
    case overlappingTensors(first: String, second: String)
    case tensorNotFound(name: String)
    /// `floats(_:)` was asked for a dtype that is not a floating-point format it converts.
    case unsupportedConversion(tensor: String, dtype: SafetensorsDType)
    /// Writer: a tensor was added twice, or its bytes do not match its shape and dtype.
    case duplicateTensor(name: String)

    public var description: String {
        switch self {
        case .truncatedPrefix(let n):
            return "safetensors: file has \(n) bytes, fewer than the 8-byte header length"
        case .headerTooLarge(let declared, let limit):
            return "safetensors: header length \(declared) exceeds the limit of \(limit) bytes"
        case .truncatedHeader(let declared, let available):
            return "safetensors: header length \(declared) but only \(available) bytes follow the prefix"
        case .invalidJSON(let offset, let reason):
            return "safetensors: invalid JSON header at byte \(offset): \(reason)"
        case .invalidHeader(let key, let reason):
            return "safetensors: invalid header entry '\(key)': \(reason)"
        case .unknownDType(let tensor, let dtype):
            return "safetensors: tensor '\(tensor)' has unknown dtype '\(dtype)'"
        case .sizeMismatch(let tensor, let expected, let actual):
            return "safetensors: tensor '\(tensor)' shape needs \(expected) bytes but data_offsets span \(actual)"
        case .offsetOutOfRange(let tensor, let begin, let end, let dataBytes):
            return "safetensors: tensor '\(tensor)' data_offsets [\(begin), \(end)] outside the \(dataBytes)-byte data section"
        case .overlappingTensors(let first, let second):
            return "safetensors: tensors '\(first)' and '\(second)' overlap"
        case .tensorNotFound(let name):
            return "safetensors: no tensor named '\(name)'"
        case .unsupportedConversion(let tensor, let dtype):
            return "safetensors: tensor '\(tensor)' has dtype \(dtype.rawValue), not convertible to Float"
        case .duplicateTensor(let name):
            return "safetensors: tensor '\(name)' added twice"
        }
    }
}
