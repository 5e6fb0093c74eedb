// Foundation for canonical decomposition (NFD), which the standard library does not expose.
import Foundation

/// BERT's text normaliser and pre-tokeniser, as in HF `tokenizers` (`BertNormalizer` with
/// clean_text, handle_chinese_chars, strip_accents following lowercase; `BertPreTokenizer`).
enum BertText {
    /// Normalises `text` and splits it into words (whitespace dropped, punctuation isolated).
    static func words(_ text: String, lowercase: Bool) -> [String] {
        var words: [String] = []
        var current = String.UnicodeScalarView()
        func flush() {
            if !current.isEmpty { words.append(String(current)); current = String.UnicodeScalarView() }
        }
        for scalar in normalise(text, lowercase: lowercase) {
            if isWhitespace(scalar) {
                flush()
            } else if isPunctuation(scalar) {
                flush()
                words.append(String(Character(scalar)))
            } else {
                current.append(scalar)
            }
        }
        flush()
        return words
    }

    /// clean_text → CJK spacing → (if lowercase) NFD + drop Mn → lowercase.
    static func normalise(_ text: String, lowercase: Bool) -> [Unicode.Scalar] {
        var cleaned = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if scalar.value == 0 || scalar.value == 0xFFFD || isControl(scalar) { continue }
            if isWhitespace(scalar) {
                cleaned.append(" ")
            } else if isChinese(scalar) {
                cleaned.append(" ")
                cleaned.append(scalar)
                cleaned.append(" ")
            } else {
                cleaned.append(scalar)
            }
        }
        guard lowercase else { return Array(cleaned) }
        // strip_accents: canonical decomposition, then drop non-spacing marks.
        let decomposed = String(cleaned).decomposedStringWithCanonicalMapping
        var stripped = String.UnicodeScalarView()
        for scalar in decomposed.unicodeScalars where scalar.properties.generalCategory != .nonspacingMark {
            stripped.append(scalar)
        }
        return Array(String(stripped).lowercased().unicodeScalars)
    }

    /// `\t \n \r` and Unicode White_Space.
    static func isWhitespace(_ s: Unicode.Scalar) -> Bool {
        s == "\t" || s == "\n" || s == "\r" || s.properties.isWhitespace
    }

    /// General category C* (Cc, Cf, Cn, Co, Cs) except `\t \n \r`.
    static func isControl(_ s: Unicode.Scalar) -> Bool {
        if s == "\t" || s == "\n" || s == "\r" { return false }
        switch s.properties.generalCategory {
        case .control, .format, .unassigned, .privateUse, .surrogate: return true
        default: return false
        }
    }

    /// ASCII punctuation/symbols (`!`…`/`, `:`…`@`, `[`…`` ` ``, `{`…`~`) and Unicode P*.
    static func isPunctuation(_ s: Unicode.Scalar) -> Bool {
        let v = s.value
        if (0x21...0x2F).contains(v) || (0x3A...0x40).contains(v) || (0x5B...0x60).contains(v) || (0x7B...0x7E).contains(v) {
            return true
        }
        switch s.properties.generalCategory {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
             .initialPunctuation, .finalPunctuation, .otherPunctuation:
            return true
        default:
            return false
        }
    }

    /// CJK Unified Ideographs blocks BERT surrounds with spaces.
    static func isChinese(_ s: Unicode.Scalar) -> Bool {
        switch s.value {
        case 0x4E00...0x9FFF, 0x3400...0x4DBF, 0x20000...0x2A6DF, 0x2A700...0x2B73F,
             0x2B740...0x2B81F, 0x2B820...0x2CEAF, 0xF900...0xFAFF, 0x2F800...0x2FA1F:
            return true
        default:
            return false
        }
    }
}
