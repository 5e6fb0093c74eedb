import ServeCore
import Tokenizers

/// A hand-made byte-level BPE vocabulary small enough to reason about in tests.
///
/// Ids 0–2 are control tokens, 3 is a user-defined `<tool>`, 4–259 the 256 byte tokens in byte
/// order, then merge results. The byte ↔ unicode table is rebuilt here independently of the
/// module (GPT-2's published rule) so tests do not trust the code under test for it.
enum TinyVocab {
    static let controlTokens = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
    static let userDefined = "<tool>"
    static let merges = [
        "h e", "l l", "l o", "he ll", "hell o", "Ġ w", "o r", "Ġw or", "Ġwor l", "Ġworl d", "1 2", "Ġ Ġ",
    ]

    /// GPT-2's spelling of a byte: printable Latin-1 as itself, the rest shifted to U+0100+.
    static func byteString(_ byte: UInt8) -> String {
        var shifted: UInt32 = 256
        for b in 0..<256 {
            let printable = (0x21...0x7E).contains(b) || (0xA1...0xAC).contains(b) || (0xAE...0xFF).contains(b)
            let scalar: UInt32
            if printable { scalar = UInt32(b) } else { scalar = shifted; shifted += 1 }
            if b == Int(byte), let value = Unicode.Scalar(scalar) { return String(Character(value)) }
        }
        return ""
    }

    static var tokens: [String] {
        var tokens = controlTokens + [userDefined]
        tokens += (0...255).map { byteString(UInt8($0)) }
        for merge in merges {
            let parts = merge.split(separator: " ")
            tokens.append(String(parts[0]) + String(parts[1]))
        }
        return tokens
    }

    static var tokenTypes: [Int32] {
        [3, 3, 3, 4] + [Int32](repeating: 1, count: tokens.count - 4)
    }

    static func tokenizer(preTokenizer: String = "smollm", addBOS: Bool = false) throws -> BPETokenizer {
        try BPETokenizer(
            tokens: tokens, merges: merges, tokenTypes: tokenTypes,
            bosID: 1, eosID: 2, unknownID: 0, addBOS: addBOS, preTokenizer: preTokenizer)
    }

    /// Id of the byte token for `byte`.
    static func byteID(_ byte: UInt8) -> TokenID { TokenID(4 + Int(byte)) }
}
