import ServeCore

/// Turns a stream of token ids into text pieces without ever emitting broken UTF-8.
///
/// Byte-level tokens can end in the middle of a multi-byte character (an emoji is often four
/// byte tokens). Bytes are held back while they form a valid but incomplete UTF-8 prefix and
/// released once the character completes. Invariant: the concatenation of every `push` result
/// and `finish()` equals `tokenizer.decode(allIDs, skipSpecial:)`, including U+FFFD placement
/// for genuinely invalid bytes. Holding back only ever happens at a lead byte, where a UTF-8
/// decoder always restarts, so decoding the released prefix alone gives the same characters.
public struct StreamingDetokenizer: Sendable {
    private let tokenizer: BPETokenizer
    private let skipSpecial: Bool
    private var pending: [UInt8] = []

    public init(tokenizer: BPETokenizer, skipSpecial: Bool = false) {
        self.tokenizer = tokenizer
        self.skipSpecial = skipSpecial
    }

    /// Adds one token; returns the text that became complete (often "", never a broken character).
    public mutating func push(_ id: TokenID) -> String {
        tokenizer.appendBytes(of: id, skipSpecial: skipSpecial, to: &pending)
        let cut = Self.completePrefixLength(pending)
        guard cut > 0 else { return "" }
        let text = String(decoding: pending[..<cut], as: UTF8.self)
        pending.removeFirst(cut)
        return text
    }

    /// Flushes whatever is held back (an unfinished character decodes to U+FFFD).
    public mutating func finish() -> String {
        defer { pending.removeAll() }
        return String(decoding: pending, as: UTF8.self)
    }

    /// Number of bytes held back, waiting for the rest of a character.
    public var pendingByteCount: Int { pending.count }

    /// Length of the longest prefix of `bytes` that can be decoded now: everything except a
    /// trailing valid-but-incomplete UTF-8 sequence.
    static func completePrefixLength(_ bytes: [UInt8]) -> Int {
        let count = bytes.count
        // The last lead (non-continuation) byte within the last four bytes.
        var lead = count - 1
        while lead >= 0, lead >= count - 4, bytes[lead] & 0xC0 == 0x80 { lead -= 1 }
        guard lead >= 0, lead >= count - 4 else { return count }
        let tail = bytes[lead...]
        return isIncompletePrefix(tail) ? lead : count
    }

    /// True when `tail` starts a multi-byte sequence that more continuation bytes could complete.
    /// Second-byte limits follow the UTF-8 well-formedness table (no overlongs, no surrogates,
    /// nothing above U+10FFFF).
    static func isIncompletePrefix(_ tail: ArraySlice<UInt8>) -> Bool {
        guard let first = tail.first else { return false }
        let needed = UTF8Scalar.sequenceLength(leadByte: first)
        guard needed > 1, tail.count < needed else { return false }
        let secondRange: ClosedRange<UInt8>
        switch first {
        case 0xE0: secondRange = 0xA0...0xBF
        case 0xED: secondRange = 0x80...0x9F
        case 0xF0: secondRange = 0x90...0xBF
        case 0xF4: secondRange = 0x80...0x8F
        default: secondRange = 0x80...0xBF
        }
        for (offset, byte) in tail.dropFirst().enumerated() {
            let allowed = offset == 0 ? secondRange : 0x80...0xBF
            if !allowed.contains(byte) { return false }
        }
        return true
    }
}
