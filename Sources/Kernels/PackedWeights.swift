/// A weight matrix re-laid-out once at load time for fast decode (few-token) matmuls.
///
/// Q4_0, Q4_1 and Q8_0 rows are regrouped into groups of 8 blocks: a header with the 8 block
/// scales `d` and (Q4 only) offsets `m` as f16 (Q4_0 stores m = −8d), in "lane order"
/// (blocks 0,2,4,6,1,3,5,7 — the order a 3-level `vphaddd` reduction of 4 block pairs yields),
/// then the block pairs. A Q4 pair is the two blocks' 16 nibble bytes back to back (32 bytes); a
/// Q8 pair is 64 bytes: [a0..15, b0..15, a16..31, b16..31], so both formats meet the activation in
/// the same paired order. The matrix keeps the original (`source`) for the many-token path, which
/// dequantises tiles from it. Other formats are not repacked and use `source` everywhere.
public struct PackedWeights: @unchecked Sendable {
    // @unchecked Sendable: `storage` is written only inside `Ops.pack` before the value exists,
    // and is read-only afterwards; `source` is borrowed read-only memory (see WeightMatrix).
    public let source: WeightMatrix
    let storage: PackedStorage?
    /// Bytes per packed row (0 when not repacked).
    let packedRowBytes: Int

    public var rows: Int { source.rows }
    public var cols: Int { source.cols }
    public var format: WeightFormat { source.format }
    /// Whether the decode path uses the repacked layout.
    public var isRepacked: Bool { storage != nil }
    /// Extra bytes held by the repacked copy.
    public var packedByteCount: Int { packedRowBytes * source.rows }

    static func isPackable(_ format: WeightFormat) -> Bool { format == .q4_0 || format == .q4_1 || format == .q8_0 }

    /// Layout arithmetic shared by the packer, the kernels and the activation quantiser.
    struct Layout {
        let blocks: Int
        let pairs: Int
        let groups: Int
        let pairBytes: Int
        /// 8 f16 scales, plus (Q4 only) 8 f16 offsets.
        let headerBytes: Int
        var groupBytes: Int { headerBytes + 4 * pairBytes }
        var rowBytes: Int { (groups - 1) * groupBytes + headerBytes + (pairs - 4 * (groups - 1)) * pairBytes }

        init(cols: Int, format: WeightFormat) {
            blocks = cols / 32
            pairs = (blocks + 1) / 2
            groups = (pairs + 3) / 4
            pairBytes = format == .q8_0 ? 64 : 32
            headerBytes = format == .q8_0 ? 16 : 32
        }

        /// Lane of block `b % 8` within its group's header.
        @inline(__always)
        static func lane(_ blockInGroup: Int) -> Int { (blockInGroup & 1) * 4 + blockInGroup / 2 }
    }

    init(source: WeightMatrix, storage: PackedStorage?, packedRowBytes: Int) {
        self.source = source
        self.storage = storage
        self.packedRowBytes = packedRowBytes
    }
}

/// Owns the repacked bytes.
final class PackedStorage: @unchecked Sendable {
    // @unchecked Sendable: written once during packing, immutable afterwards.
    let bytes: UnsafeMutableRawPointer
    let count: Int
    init(count: Int) {
        self.count = count
        bytes = .allocate(byteCount: max(count, 64), alignment: 64)
        bytes.initializeMemory(as: UInt8.self, repeating: 0, count: max(count, 64))
    }
    deinit { bytes.deallocate() }
}

extension Ops {
    /// Repacks `w` for fast decode matmuls (Q4_0/Q4_1/Q8_0; other formats are wrapped as they are).
    /// The result still refers to `w.data` for the many-token path: keep it alive.
    public static func pack(_ w: WeightMatrix) -> PackedWeights {
        guard PackedWeights.isPackable(w.format) else { return PackedWeights(source: w, storage: nil, packedRowBytes: 0) }
        let layout = PackedWeights.Layout(cols: w.cols, format: w.format)
        let rowBytes = layout.rowBytes
        let storage = PackedStorage(count: rowBytes * w.rows)
        for r in 0..<w.rows {
            let src = w.rowPointer(r)
            let dst = storage.bytes + r * rowBytes
            for b in 0..<layout.blocks {
                let g = b / 8, inGroup = b % 8, pair = b / 2, second = b & 1
                let header = dst + g * layout.groupBytes
                let pairStart = header + layout.headerBytes + (pair - 4 * g) * layout.pairBytes
                let lane = PackedWeights.Layout.lane(inGroup)
                switch w.format {
                case .q4_1:
                    let p = src + b * 20
                    (header + 2 * lane).copyMemory(from: p, byteCount: 2)
                    (header + 16 + 2 * lane).copyMemory(from: p + 2, byteCount: 2)
                    (pairStart + 16 * second).copyMemory(from: p + 4, byteCount: 16)
                case .q4_0:
                    let p = src + b * 18
                    let d = HalfFloat.f16(p)
                    (header + 2 * lane).copyMemory(from: p, byteCount: 2)
                    (header + 16 + 2 * lane).storeBytes(of: Float16(-8 * d).bitPattern, as: UInt16.self)
                    (pairStart + 16 * second).copyMemory(from: p + 2, byteCount: 16)
                default:   // q8_0
                    let p = src + b * 34
                    (header + 2 * lane).copyMemory(from: p, byteCount: 2)
                    (pairStart + 16 * second).copyMemory(from: p + 2, byteCount: 16)
                    (pairStart + 32 + 16 * second).copyMemory(from: p + 18, byteCount: 16)
                }
            }
        }
        return PackedWeights(source: w, storage: storage, packedRowBytes: rowBytes)
    }
}
