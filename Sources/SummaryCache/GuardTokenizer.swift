import Foundation

/// A word or punctuation mark of a question, with what the guards need to know about it.
struct GuardToken: Sendable, Equatable {
    enum Kind: Sendable, Equatable { case word, punctuation }
    var kind: Kind
    /// Lower-cased, diacritics folded, possessive "'s" and contraction suffixes removed.
    var text: String
    /// First character was upper case in the input.
    var isCapitalized: Bool
    /// First word of a sentence or clause (after . ? ! : ; or at the start), where capitals say
    /// nothing about names.
    var atSentenceStart: Bool
    /// Inside "double", “curly” or 'single' quotes.
    var quoted: Bool
    /// Index of the sentence the token belongs to (terminators belong to the sentence they end).
    var sentence: Int
    /// Every letter was upper case and there were at least two ("US", "TLS"): an acronym.
    var isAllCaps = false
}

/// Splits a question into words and punctuation. Handles contractions ("isn't" → "is not",
/// "who's" → "who"), possessives ("Normans'"), numbers with separators ("1,000", "3.5"), quotes,
/// and "≠" (read as "not").
enum GuardTokenizer {
    static let terminators: Set<Character> = [".", "?", "!", ":", ";"]
    static let abbreviations: Set<String> = ["mr", "mrs", "ms", "dr", "st", "vs", "etc", "jr", "sr", "prof", "e.g", "i.e"]

    static func tokenize(_ input: String) -> [GuardToken] {
        let chars = Array(input)
        var tokens: [GuardToken] = []
        var i = 0
        var sentence = 0
        var atStart = true
        var inDouble = false
        var inSingle = false

        func emitWord(_ raw: String, capitalized: Bool) {
            let folded = raw.folding(options: [.diacriticInsensitive, .caseInsensitive], locale: nil).lowercased()
            let letters = raw.filter(\.isLetter)
            let allCaps = letters.count >= 2 && letters.allSatisfy(\.isUppercase)
            for part in splitContraction(folded) {
                tokens.append(GuardToken(kind: .word, text: part, isCapitalized: capitalized, atSentenceStart: atStart,
                                         quoted: inDouble || inSingle, sentence: sentence, isAllCaps: allCaps))
            }
            atStart = false
        }

        while i < chars.count {
            let c = chars[i]
            if c.isWhitespace { i += 1; continue }
            if c.isLetter || c.isNumber {
                var word = ""
                while i < chars.count {
                    let ch = chars[i]
                    let next: Character? = i + 1 < chars.count ? chars[i + 1] : nil
                    if ch.isLetter || ch.isNumber {
                        word.append(ch)
                    } else if isApostrophe(ch), let n = next, n.isLetter, word.last?.isLetter == true, !inSingle || isContractionTail(chars, i + 1) {
                        word.append("'")
                    } else if ch == "." || ch == ",", let n = next, n.isNumber, word.last?.isNumber == true {
                        word.append(ch)
                    } else {
                        break
                    }
                    i += 1
                }
                emitWord(word, capitalized: word.first?.isUppercase == true)
                continue
            }
            if c == "\"" {
                inDouble.toggle()
            } else if c == "“" {
                inDouble = true
            } else if c == "”" {
                inDouble = false
            } else if isApostrophe(c) {
                let prev: Character? = i > 0 ? chars[i - 1] : nil
                let next: Character? = i + 1 < chars.count ? chars[i + 1] : nil
                if !inSingle, prev == nil || prev?.isWhitespace == true || prev == "(", next?.isLetter == true || next?.isNumber == true {
                    inSingle = true
                } else if inSingle, prev?.isWhitespace == false {
                    inSingle = false
                }
                // Otherwise a plural possessive ("Normans' castle"): nothing to record.
            } else if c == "≠" {
                tokens.append(GuardToken(kind: .word, text: "not", isCapitalized: false, atSentenceStart: false,
                                         quoted: false, sentence: sentence))
            } else {
                let isEnd = terminators.contains(c) && !(c == "." && precedesAbbreviation(tokens))
                tokens.append(GuardToken(kind: .punctuation, text: String(c), isCapitalized: false,
                                         atSentenceStart: false, quoted: inDouble || inSingle, sentence: sentence))
                if isEnd {
                    sentence += 1
                    atStart = true
                    inSingle = false
                }
            }
            i += 1
        }
        return tokens
    }

    static func isApostrophe(_ c: Character) -> Bool { c == "'" || c == "’" || c == "‘" }

    /// Inside single quotes an apostrophe followed by a contraction tail ('s, 't, 're …) is still
    /// part of the word; anything else closes the quote.
    static func isContractionTail(_ chars: [Character], _ at: Int) -> Bool {
        var tail = ""
        var j = at
        while j < chars.count, chars[j].isLetter { tail.append(chars[j]); j += 1 }
        return ["s", "t", "re", "ve", "ll", "d", "m"].contains(tail.lowercased())
    }

    /// A "." after an initial ("J.") or a known abbreviation does not end the sentence.
    static func precedesAbbreviation(_ tokens: [GuardToken]) -> Bool {
        guard let last = tokens.last, last.kind == .word else { return false }
        return (last.text.count == 1 && last.isCapitalized) || abbreviations.contains(last.text)
    }

    /// "isn't" → ["is", "not"], "can't" → ["can", "not"], "won't" → ["will", "not"],
    /// "who's" → ["who"], "norman's" → ["norman"], "i'm" → ["i"].
    static func splitContraction(_ w: String) -> [String] {
        guard let apo = w.firstIndex(of: "'") else { return [w] }
        let stem = String(w[..<apo])
        let tail = String(w[w.index(after: apo)...])
        if tail == "t", stem.hasSuffix("n") {
            let base = String(stem.dropLast())
            switch base {
            case "ca": return ["can", "not"]
            case "wo": return ["will", "not"]
            case "sha": return ["shall", "not"]
            default: return [base.isEmpty ? stem : base, "not"]
            }
        }
        return stem.isEmpty ? [w] : [stem]
    }
}
