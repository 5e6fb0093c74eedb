/// Builds a safetensors buffer (for fixtures, tools and generated adapters).
///
/// Tensors are stored in insertion order; the header lists them sorted by name with a
/// `__metadata__` map when one is set, padded with spaces so the data section starts 8-byte
/// aligned (as the reference writer does).
public struct SafetensorsWriter: Sendable {
    private struct Entry: Sendable {
        let name: String
        let dtype: SafetensorsDType
        let shape: [Int]
        let bytes: [UInt8]
    }

    private var entries: [Entry] = []
    private var names: Set<String> = []
    public var metadata: [String: String] = [:]

    public init(metadata: [String: String] = [:]) { self.metadata = metadata }

    /// Adds a tensor from raw little-endian bytes; their count must equal shape × dtype size.
    public mutating func add(name: String, dtype: SafetensorsDType, shape: [Int], bytes: [UInt8]) throws(SafetensorsError) {
        guard shape.allSatisfy({ $0 >= 0 }) else { throw .invalidHeader(key: name, reason: "negative dimension") }
        var expected = dtype.byteSize
        for dim in shape {
            let (product, overflow) = expected.multipliedReportingOverflow(by: dim)
            guard !overflow else { throw .invalidHeader(key: name, reason: "shape size overflows") }
            expected = product
        }
        guard expected == bytes.count else {
            throw .sizeMismatch(tensor: name, expectedBytes: expected, actualBytes: bytes.count)
        }
        guard name != "__metadata__", names.insert(name).inserted else { throw .duplicateTensor(name: name) }
        entries.append(Entry(name: name, dtype: dtype, shape: shape, bytes: bytes))
    }

    /// Adds float values stored as F32, F16 or BF16 (F16/BF16 rounded to nearest even).
    public mutating func add(name: String, shape: [Int], floats: [Float], as dtype: SafetensorsDType = .f32) throws(SafetensorsError) {
        var bytes: [UInt8] = []
        switch dtype {
        case .f32:
            bytes.reserveCapacity(floats.count * 4)
            for v in floats { Self.append(v.bitPattern, to: &bytes) }
        case .f16:
            bytes.reserveCapacity(floats.count * 2)
            for v in floats { Self.append(Float16(v).bitPattern, to: &bytes) }
        case .bf16:
            bytes.reserveCapacity(floats.count * 2)
            for v in floats { Self.append(SafetensorsFile.bf16FromFloat(v), to: &bytes) }
        default:
            throw .unsupportedConversion(tensor: name, dtype: dtype)
        }
        try add(name: name, dtype: dtype, shape: shape, bytes: bytes)
    }

    /// The complete file contents.
    public func serialized() -> [UInt8] {
        var offsets: [String: (Int, Int)] = [:]
        var position = 0
        for entry in entries {
            offsets[entry.name] = (position, position + entry.bytes.count)
            position += entry.bytes.count
        }
        var header = "{"
        var first = true
        if !metadata.isEmpty {
            header += "\"__metadata__\":{"
            header += metadata.sorted { $0.key < $1.key }
                .map { "\(Self.quoted($0.key)):\(Self.quoted($0.value))" }
                .joined(separator: ",")
            header += "}"
            first = false
        }
        for entry in entries.sorted(by: { $0.name < $1.name }) {
            let (begin, end) = offsets[entry.name] ?? (0, 0)
            if !first { header += "," }
            first = false
            let shape = entry.shape.map(String.init).joined(separator: ",")
            header += "\(Self.quoted(entry.name)):{\"dtype\":\"\(entry.dtype.rawValue)\",\"shape\":[\(shape)],\"data_offsets\":[\(begin),\(end)]}"
        }
        header += "}"
        var headerBytes = Array(header.utf8)
        while (8 + headerBytes.count) % 8 != 0 { headerBytes.append(0x20) }

        var out: [UInt8] = []
        out.reserveCapacity(8 + headerBytes.count + position)
        Self.append(UInt64(headerBytes.count), to: &out)
        out += headerBytes
        for entry in entries { out += entry.bytes }
        return out
    }

    private static func append<T: FixedWidthInteger>(_ value: T, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    /// JSON string literal with the escapes RFC 8259 requires.
    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
