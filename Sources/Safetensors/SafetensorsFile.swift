import ServeCore

/// A parsed safetensors buffer: an 8-byte little-endian header length, a JSON header, then the
/// tensor data. Validation happens once in `init`; afterwards every accessor is in bounds.
///
/// Checks (each a typed `SafetensorsError`): header length within `maxHeaderBytes` and the
/// buffer; valid UTF-8 JSON of the documented schema; known dtypes; non-negative shapes whose
/// byte size (no overflow) equals the `data_offsets` span; offsets inside the data section; no two
/// tensors overlapping. Gaps between tensors are tolerated (they are harmless to readers).
public struct SafetensorsFile: Sendable {
    /// Default cap on the header (the reference implementation uses 100 MB).
    public static let defaultMaxHeaderBytes = 100_000_000

    public let bytes: ReadOnlyBytes
    public let tensors: [String: SafetensorsTensorInfo]
    /// The optional `__metadata__` string map.
    public let metadata: [String: String]
    /// Where the data section starts in `bytes` (8 + header length).
    public let dataOffset: Int

    public init(bytes: ReadOnlyBytes, maxHeaderBytes: Int = SafetensorsFile.defaultMaxHeaderBytes) throws(SafetensorsError) {
        let buffer = bytes.buffer
        guard buffer.count >= 8 else { throw .truncatedPrefix(byteCount: buffer.count) }
        var declared: UInt64 = 0
        for i in 0..<8 { declared |= UInt64(buffer[i]) << (8 * UInt64(i)) }
        guard declared <= UInt64(maxHeaderBytes) else { throw .headerTooLarge(declared: declared, limit: maxHeaderBytes) }
        let headerLength = Int(declared)
        guard headerLength <= buffer.count - 8 else { throw .truncatedHeader(declared: declared, available: buffer.count - 8) }

        let header = UnsafeRawBufferPointer(rebasing: buffer[8..<(8 + headerLength)])
        let json = try HeaderJSONParser.parse(header)
        guard case .object(let entries) = json else { throw .invalidHeader(key: "", reason: "top level is not an object") }

        let dataOffset = 8 + headerLength
        let dataBytes = buffer.count - dataOffset
        var tensors: [String: SafetensorsTensorInfo] = [:]
        var metadata: [String: String] = [:]
        for (key, value) in entries {
            if key == "__metadata__" {
                metadata = try Self.parseMetadata(value)
            } else {
                tensors[key] = try Self.parseTensor(name: key, value, dataOffset: dataOffset, dataBytes: dataBytes)
            }
        }
        try Self.checkNoOverlap(Array(tensors.values))
        self.bytes = bytes
        self.tensors = tensors
        self.metadata = metadata
        self.dataOffset = dataOffset
    }

    /// The tensor's raw little-endian bytes (not necessarily aligned: read with `loadUnaligned`).
    /// `info` must come from this file's `tensors` (its range was validated against this buffer;
    /// a foreign range outside it yields an empty buffer). Valid while `bytes` is alive.
    public func data(of info: SafetensorsTensorInfo) -> UnsafeRawBufferPointer {
        guard info.byteRange.lowerBound >= 0, info.byteRange.upperBound <= bytes.buffer.count else {
            return UnsafeRawBufferPointer(start: nil, count: 0)
        }
        return UnsafeRawBufferPointer(rebasing: bytes.buffer[info.byteRange])
    }

    /// The named tensor's raw bytes, or `tensorNotFound`.
    public func data(named name: String) throws(SafetensorsError) -> UnsafeRawBufferPointer {
        data(of: try info(name))
    }

    /// The named tensor's info, or `tensorNotFound`.
    public func info(_ name: String) throws(SafetensorsError) -> SafetensorsTensorInfo {
        guard let info = tensors[name] else { throw .tensorNotFound(name: name) }
        return info
    }

    // MARK: - Header schema

    private static func parseMetadata(_ value: HeaderJSON) throws(SafetensorsError) -> [String: String] {
        guard case .object(let entries) = value else { throw .invalidHeader(key: "__metadata__", reason: "not an object") }
        var result: [String: String] = [:]
        for (key, item) in entries {
            guard case .string(let text) = item else { throw .invalidHeader(key: "__metadata__.\(key)", reason: "value is not a string") }
            result[key] = text
        }
        return result
    }

    private static func parseTensor(name: String, _ value: HeaderJSON, dataOffset: Int, dataBytes: Int) throws(SafetensorsError) -> SafetensorsTensorInfo {
        guard case .object(let fields) = value else { throw .invalidHeader(key: name, reason: "not an object") }
        var dtypeText: String?
        var shapeJSON: [HeaderJSON]?
        var offsetsJSON: [HeaderJSON]?
        for (key, field) in fields {
            switch (key, field) {
            case ("dtype", .string(let text)): dtypeText = text
            case ("shape", .array(let items)): shapeJSON = items
            case ("data_offsets", .array(let items)): offsetsJSON = items
            case ("dtype", _), ("shape", _), ("data_offsets", _):
                throw .invalidHeader(key: name, reason: "field '\(key)' has the wrong JSON type")
            default:
                throw .invalidHeader(key: name, reason: "unknown field '\(key)'")
            }
        }
        guard let dtypeText, let shapeJSON, let offsetsJSON else {
            throw .invalidHeader(key: name, reason: "needs dtype, shape and data_offsets")
        }
        guard let dtype = SafetensorsDType(rawValue: dtypeText) else { throw .unknownDType(tensor: name, dtype: dtypeText) }

        var shape: [Int] = []
        var byteCount = dtype.byteSize
        for item in shapeJSON {
            let dim = try unsignedInteger(item, key: name, what: "shape")
            guard dim <= UInt64(Int.max) else { throw .invalidHeader(key: name, reason: "dimension \(dim) too large") }
            let (product, overflow) = byteCount.multipliedReportingOverflow(by: Int(dim))
            guard !overflow else { throw .invalidHeader(key: name, reason: "shape size overflows") }
            byteCount = product
            shape.append(Int(dim))
        }
        guard offsetsJSON.count == 2 else { throw .invalidHeader(key: name, reason: "data_offsets must have 2 entries") }
        let begin = try unsignedInteger(offsetsJSON[0], key: name, what: "data_offsets")
        let end = try unsignedInteger(offsetsJSON[1], key: name, what: "data_offsets")
        guard begin <= end, end <= UInt64(dataBytes) else {
            throw .offsetOutOfRange(tensor: name, begin: begin, end: end, dataBytes: dataBytes)
        }
        let span = Int(end - begin)
        guard span == byteCount else { throw .sizeMismatch(tensor: name, expectedBytes: byteCount, actualBytes: span) }
        let start = dataOffset + Int(begin)
        return SafetensorsTensorInfo(name: name, dtype: dtype, shape: shape, byteRange: start..<(start + span))
    }

    private static func unsignedInteger(_ value: HeaderJSON, key: String, what: String) throws(SafetensorsError) -> UInt64 {
        guard case .number(let text) = value, let number = UInt64(text) else {
            throw .invalidHeader(key: key, reason: "\(what) entries must be non-negative integers")
        }
        return number
    }

    private static func checkNoOverlap(_ infos: [SafetensorsTensorInfo]) throws(SafetensorsError) {
        // Empty tensors occupy no bytes and cannot overlap anything.
        let sorted = infos.filter { !$0.byteRange.isEmpty }
            .sorted { ($0.byteRange.lowerBound, $0.name) < ($1.byteRange.lowerBound, $1.name) }
        for (previous, next) in zip(sorted, sorted.dropFirst()) where next.byteRange.lowerBound < previous.byteRange.upperBound {
            throw .overlappingTensors(first: previous.name, second: next.name)
        }
    }
}
