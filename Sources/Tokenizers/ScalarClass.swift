/// The three character classes the GPT-2 style split regexes use: `\p{L}`, `\p{N}` and `\s`.
///
/// llama.cpp classifies code points from its Unicode tables: a letter is any `L*` general
/// category, a number any `N*` (Nd, Nl, No), and whitespace is the Unicode `White_Space`
/// property. Everything else (marks, punctuation, symbols, controls, unassigned) is "other".
/// ASCII goes through a 128-entry table; the rest asks the standard library's Unicode data.
enum ScalarClass: UInt8, Sendable {
    case letter
    case number
    case whitespace
    case other

    @inline(__always)
    static func of(_ value: UInt32) -> ScalarClass {
        if value < 128 { return asciiTable[Int(value)] }
        guard let scalar = Unicode.Scalar(value) else { return .other }
        return slow(scalar)
    }

    private static func slow(_ scalar: Unicode.Scalar) -> ScalarClass {
        let properties = scalar.properties
        if properties.isWhitespace { return .whitespace }
        switch properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter:
            return .letter
        case .decimalNumber, .letterNumber, .otherNumber:
            return .number
        default:
            return .other
        }
    }

    private static let asciiTable: [ScalarClass] = (0..<128).map { value in
        switch value {
        case 0x09...0x0D, 0x20: return .whitespace
        case 0x30...0x39: return .number
        case 0x41...0x5A, 0x61...0x7A: return .letter
        default: return .other
        }
    }
}
