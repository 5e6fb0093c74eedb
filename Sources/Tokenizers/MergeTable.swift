import ServeCore

/// BPE merge rules keyed by token-id pairs: `(left, right) -> (rank, merged)`.
///
/// Working on ids instead of strings keeps the merge loop free of string building. A merge whose
/// parts or result are not vocabulary tokens can never fire on byte-level input whose every
/// intermediate symbol is a token, so it is dropped (well-formed vocabularies have none).
struct MergeTable: Sendable {
    private var table: [UInt64: UInt64] = [:]

    init(merges: [String], tokenIDs: [String: TokenID]) throws(TokenizerError) {
        table.reserveCapacity(merges.count)
        for (rank, merge) in merges.enumerated() {
            // llama.cpp splits at the first space after the first byte.
            let utf8 = Array(merge.utf8)
            guard utf8.count >= 3, let spaceIndex = utf8[1...].firstIndex(of: 0x20) else {
                throw .malformedMerge(index: rank, text: merge)
            }
            let left = String(decoding: utf8[..<spaceIndex], as: UTF8.self)
            let right = String(decoding: utf8[(spaceIndex + 1)...], as: UTF8.self)
            guard let leftID = tokenIDs[left], let rightID = tokenIDs[right],
                  let mergedID = tokenIDs[left + right] else { continue }
            let key = Self.key(leftID, rightID)
            // The first (lowest-rank) rule for a pair wins, as in llama.cpp's bpe_ranks.
            if table[key] == nil {
                table[key] = UInt64(rank) << 32 | UInt64(UInt32(bitPattern: mergedID))
            }
        }
    }

    var count: Int { table.count }

    @inline(__always)
    static func key(_ left: TokenID, _ right: TokenID) -> UInt64 {
        UInt64(UInt32(bitPattern: left)) << 32 | UInt64(UInt32(bitPattern: right))
    }

    /// `(rank, merged)` for the pair, or nil when no rule merges it.
    @inline(__always)
    func lookup(_ left: TokenID, _ right: TokenID) -> (rank: UInt32, merged: TokenID)? {
        guard let packed = table[Self.key(left, right)] else { return nil }
        return (UInt32(truncatingIfNeeded: packed >> 32), TokenID(bitPattern: UInt32(truncatingIfNeeded: packed)))
    }
}
