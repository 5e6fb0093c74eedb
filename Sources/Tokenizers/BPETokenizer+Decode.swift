import ServeCore

extension BPETokenizer {
    /// Raw bytes of one token (control-token text included); empty for out-of-range ids.
    public func tokenBytes(_ id: TokenID) -> [UInt8] {
        guard id >= 0, Int(id) < kinds.count else { return [] }
        return Array(pieceBytes[pieceStarts[Int(id)]..<pieceStarts[Int(id) + 1]])
    }

    /// Appends a token's bytes to `bytes`, honouring `skipSpecial`.
    func appendBytes(of id: TokenID, skipSpecial: Bool, to bytes: inout [UInt8]) {
        guard id >= 0, Int(id) < kinds.count else { return }
        if skipSpecial, kinds[Int(id)].isSpecial { return }
        bytes.append(contentsOf: pieceBytes[pieceStarts[Int(id)]..<pieceStarts[Int(id) + 1]])
    }

    /// Decodes ids to text. Invalid UTF-8 (a multi-byte character cut by the id list) becomes
    /// U+FFFD. `skipSpecial` drops control/unknown tokens, like llama.cpp's `special=false`.
    public func decode(_ ids: [TokenID], skipSpecial: Bool = false) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(ids.count * 4)
        for id in ids { appendBytes(of: id, skipSpecial: skipSpecial, to: &bytes) }
        return String(decoding: bytes, as: UTF8.self)
    }
}
