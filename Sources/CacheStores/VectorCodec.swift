import struct Foundation.Data

/// The on-disk form of a query vector: Float32 values back to back, little-endian, no header
/// (4 × dimensions bytes). The same bytes go into SQLite BLOB and PostgreSQL BYTEA columns, so a
/// cache can be copied between the two stores byte for byte and read on any host byte order.
public enum VectorCodec {
    /// Encodes `vector` as little-endian Float32.
    public static func encode(_ vector: [Float]) -> Data {
        var data = Data(count: vector.count * 4)
        data.withUnsafeMutableBytes { raw in
            for (i, value) in vector.enumerated() {
                raw.storeBytes(of: value.bitPattern.littleEndian, toByteOffset: i * 4, as: UInt32.self)
            }
        }
        return data
    }

    /// Decodes a blob written by `encode`; throws when its length is not `dimensions` Float32s
    /// (a truncated or foreign blob must never become a silently wrong vector).
    public static func decode(_ data: Data, dimensions: Int, entryID: Int64) throws(CacheStoreError) -> [Float] {
        guard dimensions >= 0, data.count == dimensions * 4 else {
            throw .corruptVector(entryID: entryID, bytes: data.count, expectedDimensions: dimensions)
        }
        return data.withUnsafeBytes { raw in
            (0..<dimensions).map { i in
                Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: i * 4, as: UInt32.self)))
            }
        }
    }
}
