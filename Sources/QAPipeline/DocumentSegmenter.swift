/// Splits a document into the units the focus guard compares questions over (`DocumentFocus`):
/// sentences, and long sentences further into clauses, so that two questions about different
/// halves of one long sentence can point at different units.
public enum DocumentSegmenter {
    /// Sentences: break after ". ", "? " or "! " (optionally followed by a closing quote or
    /// bracket) when the next character starts a sentence (uppercase letter, digit, quote,
    /// bracket), except after an initial ("J. Smith") or a short abbreviation ("c. 1000").
    public static func sentences(_ text: String) -> [String] {
        let chars = Array(text)
        var out: [String] = []
        var start = 0
        var i = 0
        while i < chars.count {
            let c = chars[i]
            guard c == "." || c == "?" || c == "!" else { i += 1; continue }
            var end = i + 1
            if end < chars.count, "\"')]".contains(chars[end]) { end += 1 }
            var next = end
            while next < chars.count, chars[next].isWhitespace { next += 1 }
            let startsSentence = next < chars.count && next > end
                && (chars[next].isUppercase || chars[next].isNumber || "\"'([".contains(chars[next]))
            if startsSentence, !(c == "." && isAbbreviation(chars, before: i, from: start)) {
                let s = String(chars[start..<end]).trimmingCharacters(in: .whitespaces)
                if !s.isEmpty { out.append(s) }
                start = next
                i = next
                continue
            }
            i += 1
        }
        let rest = String(chars[min(start, chars.count)...]).trimmingCharacters(in: .whitespacesAndNewlines)
        if !rest.isEmpty { out.append(rest) }
        return out
    }

    static let abbreviations: Set<String> = ["c", "ca", "e.g", "i.e", "vs", "mr", "mrs", "dr", "st", "no", "approx", "etc"]

    /// The word before the period at `i` is an initial ("J") or a listed abbreviation.
    static func isAbbreviation(_ chars: [Character], before i: Int, from start: Int) -> Bool {
        var j = i
        while j > start, !chars[j - 1].isWhitespace { j -= 1 }
        let word = String(chars[j..<i])
        if word.count == 1, word.first?.isUppercase == true { return true }
        return abbreviations.contains(word.lowercased())
    }

    /// Units for the focus guard: each sentence; a sentence longer than `maxWords` is cut at
    /// commas/semicolons/colons into clauses of at least `minWords` words (short pieces join the
    /// previous clause).
    public static func units(_ text: String, maxWords: Int = 40, minWords: Int = 6) -> [String] {
        var out: [String] = []
        for s in sentences(text) {
            let words = s.split(whereSeparator: \.isWhitespace)
            guard words.count > maxWords else { out.append(s); continue }
            var clauses: [String] = []
            var current: [Substring] = []
            for w in words {
                current.append(w)
                if let last = w.last, ",;:".contains(last), current.count >= minWords {
                    clauses.append(current.joined(separator: " "))
                    current = []
                }
            }
            if !current.isEmpty {
                if current.count < minWords, let last = clauses.popLast() {
                    clauses.append(last + " " + current.joined(separator: " "))
                } else {
                    clauses.append(current.joined(separator: " "))
                }
            }
            out += clauses
        }
        return out
    }
}

import Foundation
