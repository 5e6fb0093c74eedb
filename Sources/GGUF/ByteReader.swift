/// A bounds-checked little-endian cursor over a byte buffer. Every read checks
/// `count <= buffer.count - offset` (no overflow: `offset <= buffer.count` always holds).
struct ByteReader {
    let buffer: UnsafeRawBufferPointer
    private(set) var offset: Int = 0

    init(_ buffer: UnsafeRawBufferPointer) { self.buffer = buffer }

    var remaining: Int { buffer.count - offset }

    mutating func skip(_ count: Int, _ context: @autoclosure () -> String) throws(GGUFError) -> UnsafeRawBufferPointer {
        guard count >= 0, count <= remaining else {
            throw .truncated(offset: offset, needed: count, context: context())
        }
        let slice = UnsafeRawBufferPointer(rebasing: buffer[offset..<(offset + count)])
        offset += count
        return slice
    }

    @inline(__always)
    private mutating func load<T: FixedWidthInteger>(_: T.Type, _ context: () -> String) throws(GGUFError) -> T {
        let size = MemoryLayout<T>.size
        guard size <= remaining else {
            throw .truncated(offset: offset, needed: size, context: context())
        }
        let value = buffer.loadUnaligned(fromByteOffset: offset, as: T.self)
        offset += size
        return T(littleEndian: value)
    }

    mutating func u8(_ context: @autoclosure () -> String) throws(GGUFError) -> UInt8 { try load(UInt8.self, context) }
    mutating func u16(_ context: @autoclosure () -> String) throws(GGUFError) -> UInt16 { try load(UInt16.self, context) }
    mutating func u32(_ context: @autoclosure () -> String) throws(GGUFError) -> UInt32 { try load(UInt32.self, context) }
    mutating func u64(_ context: @autoclosure () -> String) throws(GGUFError) -> UInt64 { try load(UInt64.self, context) }

    /// A count or length field, checked against `limit` before it is trusted.
    mutating func count(limit: Int, kind: GGUFLimit, _ context: @autoclosure () -> String) throws(GGUFError) -> Int {
        let start = offset
        let raw = try u64(context())
        guard raw <= UInt64(limit), let value = Int(exactly: raw) else {
            throw .limitExceeded(kind, value: raw, maximum: limit, offset: start, context: context())
        }
        return value
    }

    /// A u64 length followed by that many UTF-8 bytes.
    mutating func string(maxBytes: Int, _ context: @autoclosure () -> String) throws(GGUFError) -> String {
        let length = try count(limit: maxBytes, kind: .stringBytes, context())
        let start = offset
        let raw = try skip(length, context())
        if length == 0 { return "" }
        // Raw file bytes are plain UInt8 data; viewing them as such is sound.
        let bytes = raw.assumingMemoryBound(to: UInt8.self)
        guard let string = String(validating: bytes, as: UTF8.self) else {
            throw .invalidUTF8(offset: start, context: context())
        }
        return string
    }
}
