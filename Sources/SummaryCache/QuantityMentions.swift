import Foundation

/// A number a question mentions (years are `DateMention`s instead).
public enum NumberMention: Hashable, Sendable, CustomStringConvertible {
    case cardinal(Double)
    case ordinal(Int)

    public var description: String {
        switch self {
        case let .cardinal(v): v == v.rounded() && abs(v) < 1e15 ? String(Int64(v)) : String(v)
        case let .ordinal(n): "#\(n)"
        }
    }
}

/// A point or span in time a question mentions.
public enum DateMention: Hashable, Sendable, CustomStringConvertible {
    /// Years as an inclusive span (BC negative): 1066 → 1066...1066, "218 BC" → -218...-218, "1040s" → 1040...1049,
    /// "11th century" → 1001...1100.
    case years(ClosedRange<Int>)
    case month(Int)

    /// Whether two mentions can refer to the same time (1066 lies in the 11th century).
    public func overlaps(_ other: DateMention) -> Bool {
        switch (self, other) {
        case let (.years(a), .years(b)): a.overlaps(b)
        case let (.month(a), .month(b)): a == b
        default: false
        }
    }

    public var description: String {
        switch self {
        case let .years(r): r.lowerBound == r.upperBound ? "\(r.lowerBound)" : "\(r.lowerBound)-\(r.upperBound)"
        case let .month(m): "month \(m)"
        }
    }
}

/// Finds numbers and dates in digits and in words.
enum QuantityExtractor {
    static let units: [String: Int] = [
        "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
        "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
        "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30,
        "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "dozen": 12,
    ]
    static let scales: [String: Int] = ["hundred": 100, "thousand": 1000, "million": 1_000_000, "billion": 1_000_000_000]
    static let ordinals: [String: Int] = [
        "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
        "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13, "fourteenth": 14,
        "fifteenth": 15, "sixteenth": 16, "seventeenth": 17, "eighteenth": 18, "nineteenth": 19,
        "twentieth": 20, "twenty-first": 21,
    ]

    static func extract(_ tokens: [GuardToken]) -> (numbers: Set<NumberMention>, dates: Set<DateMention>) {
        var numbers = Set<NumberMention>()
        var dates = Set<DateMention>()
        let words = tokens.filter { $0.kind == .word }
        var i = 0
        while i < words.count {
            let t = words[i]
            let w = t.text
            let next = i + 1 < words.count ? words[i + 1].text : ""
            let prev = i > 0 ? words[i - 1].text : ""
            if let month = GuardLexicon.months[w], t.isCapitalized, !(t.atSentenceStart && (w == "may" || w == "march")) {
                dates.insert(.month(month))
            } else if let n = ordinalValue(w) {
                if let span = centurySpan(n, unit: next) { dates.insert(.years(span)) } else { numbers.insert(.ordinal(n)) }
            } else if let decade = decadeSpan(w) {
                dates.insert(.years(decade))
            } else if let v = digitValue(w) {
                if v == v.rounded(), v >= 1, v < 10000, ["bc", "bce"].contains(next) {
                    dates.insert(.years(-Int(v)...(-Int(v))))
                } else if v == v.rounded(), v >= 1, v < 10000, ["ad", "ce"].contains(next) || prev == "ad" {
                    dates.insert(.years(Int(v)...Int(v)))
                } else if v == v.rounded(), v >= 1000, v <= 2099, !w.contains(",") {
                    dates.insert(.years(Int(v)...Int(v)))
                } else {
                    numbers.insert(.cardinal(v))
                }
            } else if units[w] != nil || (scales[w] != nil && (prev == "a" || prev == "one")) {
                if w == "one", GuardLexicon.pronounOnePrefixes.contains(prev) || next == "another" {
                    i += 1
                    continue
                }
                // Combine a run of number words: "two hundred", "twenty five", "a dozen".
                // Double arithmetic: "billion billion billion" must not overflow.
                var value = 0.0, current = 0.0, j = i
                while j < words.count {
                    let x = words[j].text
                    if let u = units[x] { current += Double(u) } else if let s = scales[x] {
                        current = max(current, 1) * Double(s)
                        if s >= 1000 { value += current; current = 0 }
                    } else { break }
                    j += 1
                }
                numbers.insert(.cardinal(value + current))
                i = j
                continue
            }
            i += 1
        }
        return (numbers, dates)
    }

    /// "3rd" → 3, "eleventh" → 11.
    static func ordinalValue(_ w: String) -> Int? {
        if let n = ordinals[w] { return n }
        for suffix in ["st", "nd", "rd", "th"] where w.hasSuffix(suffix) {
            let digits = w.dropLast(2)
            if !digits.isEmpty, digits.allSatisfy(\.isNumber), let n = Int(digits) { return n }
        }
        return nil
    }

    /// "11th century" → 1001...1100; "2nd millennium" → 1001...2000.
    static func centurySpan(_ n: Int, unit: String) -> ClosedRange<Int>? {
        guard n >= 1, n <= 40 else { return nil }
        switch unit {
        case "century", "centuries": return ((n - 1) * 100 + 1)...(n * 100)
        case "millennium": return ((n - 1) * 1000 + 1)...(n * 1000)
        default: return nil
        }
    }

    /// "1040s" → 1040...1049, "1900s" → 1900...1999.
    static func decadeSpan(_ w: String) -> ClosedRange<Int>? {
        guard w.hasSuffix("s"), w.count == 5 || w.count == 6 else { return nil }
        let digits = w.hasSuffix("'s") ? w.dropLast(2) : w.dropLast()
        guard digits.count == 4, digits.allSatisfy(\.isNumber), let y = Int(digits), y % 10 == 0 else { return nil }
        return y % 100 == 0 ? y...(y + 99) : y...(y + 9)
    }

    /// "1,000" → 1000, "3.5" → 3.5; nil for anything with letters ("7n2", "f").
    static func digitValue(_ w: String) -> Double? {
        guard let first = w.first, first.isNumber else { return nil }
        let cleaned = w.replacingOccurrences(of: ",", with: "")
        guard cleaned.allSatisfy({ $0.isNumber || $0 == "." }) else { return nil }
        return Double(cleaned)
    }
}
