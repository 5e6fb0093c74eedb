/// GPT-2's reversible byte ↔ unicode mapping used by byte-level BPE vocabularies.
///
/// Printable Latin-1 bytes (`!`…`~`, `¡`…`¬`, `®`…`ÿ`) stand for themselves; the other 68 bytes
/// (controls, space, DEL, NBSP, soft hyphen) are shifted to U+0100 onwards in byte order, so a
/// space is `Ġ` (U+0120) and a newline `Ċ` (U+010A). Vocabulary and merge strings are written in
/// this alphabet.
enum ByteLevel {
    /// `scalarForByte[b]` is the code point that spells byte `b` in vocabulary strings.
    static let scalarForByte: [UInt32] = {
        var table = [UInt32](repeating: 0, count: 256)
        var shifted: UInt32 = 256
        for byte in 0..<256 {
            if isPrintable(byte) {
                table[byte] = UInt32(byte)
            } else {
                table[byte] = shifted
                shifted += 1
            }
        }
        return table
    }()

    /// Inverse of `scalarForByte`; code points 0…323 only (`nil` outside that alphabet).
    static let byteForScalar: [Int16] = {
        var table = [Int16](repeating: -1, count: 324)
        for (byte, scalar) in scalarForByte.enumerated() {
            table[Int(scalar)] = Int16(byte)
        }
        return table
    }()

    /// The vocabulary spelling of one raw byte, as a one-character string.
    static func string(forByte byte: UInt8) -> String {
        let value = scalarForByte[Int(byte)]
        // Every value in the table is a valid scalar (< 0x144), so the fallback never runs.
        return Unicode.Scalar(value).map { String(Character($0)) } ?? ""
    }

    /// Decodes a vocabulary string back to raw bytes. Code points outside the byte alphabet
    /// (never present in a well-formed byte-level vocabulary) are kept as their own UTF-8.
    static func decode(_ text: String) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            let value = Int(scalar.value)
            if value < byteForScalar.count, byteForScalar[value] >= 0 {
                bytes.append(UInt8(byteForScalar[value]))
            } else {
                bytes.append(contentsOf: String(Character(scalar)).utf8)
            }
        }
        return bytes
    }

    private static func isPrintable(_ byte: Int) -> Bool {
        (0x21...0x7E).contains(byte) || (0xA1...0xAC).contains(byte) || (0xAE...0xFF).contains(byte)
    }
}
