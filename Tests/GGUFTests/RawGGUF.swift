/// Hand-assembled GGUF bytes, written independently of `GGUFWriter` so tests can build files the
/// writer refuses to (duplicates, bad types, lying counts) and cross-check the writer's encoding.
struct RawGGUF {
    var bytes: [UInt8] = []

    /// Magic, version and the two counts (which may lie).
    init(version: UInt32 = 3, tensorCount: UInt64, metadataCount: UInt64, magic: [UInt8] = Array("GGUF".utf8)) {
        bytes += magic
        u32(version)
        u64(tensorCount)
        u64(metadataCount)
    }

    mutating func u8(_ v: UInt8) { bytes.append(v) }
    mutating func u32(_ v: UInt32) { for i in 0..<4 { bytes.append(UInt8(truncatingIfNeeded: v >> (8 * UInt32(i)))) } }
    mutating func u64(_ v: UInt64) { for i in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: v >> (8 * UInt64(i)))) } }
    mutating func raw(_ b: [UInt8]) { bytes += b }

    /// Length-prefixed raw bytes (need not be UTF-8).
    mutating func string(_ b: [UInt8]) { u64(UInt64(b.count)); bytes += b }
    mutating func string(_ s: String) { string(Array(s.utf8)) }

    /// A key, a type tag and a payload written by `payload`.
    mutating func kv(_ key: String, type: UInt32, _ payload: (inout RawGGUF) -> Void) {
        string(key)
        u32(type)
        payload(&self)
    }

    mutating func kvU32(_ key: String, _ v: UInt32) { kv(key, type: 4) { $0.u32(v) } }
    mutating func kvString(_ key: String, _ v: String) { kv(key, type: 8) { $0.string(v) } }

    mutating func tensor(_ name: String, dims: [UInt64], type: UInt32, offset: UInt64) {
        string(name)
        u32(UInt32(dims.count))
        for d in dims { u64(d) }
        u32(type)
        u64(offset)
    }

    mutating func pad(to alignment: Int) {
        while bytes.count % alignment != 0 { bytes.append(0) }
    }

    mutating func zeros(_ n: Int) { bytes += Array(repeating: 0, count: n) }
}
