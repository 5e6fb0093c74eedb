/// The guards that can veto a semantic hit.
public enum GuardKind: String, Sendable, Codable, CaseIterable, CustomStringConvertible {
    case negation, numbers, dates, entities, questionType, opposites
    /// The questions point at different parts of the document (`FocusGuard`; needs the
    /// document's unit vectors, so it runs in the policy's lookup, not in `QuestionGuards.check`).
    case focus
    /// A learned pair classifier said the questions differ (a closure the cache owner supplies,
    /// e.g. QAPipeline's `ReuseVerifier`; runs last, only on candidates every other guard passed).
    case verifier
    public var description: String { rawValue }
}

/// One reason to refuse reusing a cached summary, with the words that triggered it.
public struct GuardFinding: Sendable, Equatable, Codable, CustomStringConvertible {
    public var kind: GuardKind
    public var detail: String
    public init(kind: GuardKind, detail: String) {
        self.kind = kind
        self.detail = detail
    }
    public var description: String { "\(kind): \(detail)" }
}

/// The outcome of running every enabled guard on a (cached question, new question) pair.
public struct GuardVerdict: Sendable, Equatable, Codable {
    /// Empty when the hit may be used.
    public var findings: [GuardFinding]
    public var passed: Bool { findings.isEmpty }
    public var firedKinds: [GuardKind] { findings.map(\.kind) }
}

/// Cheap, deterministic vetoes of a semantic hit (see docs/summary-cache.md, "Guards").
///
/// Similar embeddings are not the same question: "Who sold the rights?" and "Who bought the
/// rights?" are near neighbours. Each guard looks for one kind of difference that flips the answer.
/// They are built to let paraphrases through: a side may *add* context (names, years, numbers)
/// without a veto; a veto needs each side's question core to name something the other text never
/// mentions (a *swap*), or a change of polarity, direction or question type.
public struct QuestionGuards: Sendable {
    public var switches: GuardSwitches

    public init(switches: GuardSwitches = GuardSwitches()) {
        self.switches = switches
    }

    public func check(cached: String, query: String) -> GuardVerdict {
        check(cached: QuestionAnalysis(cached), query: QuestionAnalysis(query))
    }

    /// Runs every enabled guard; the verdict lists all that fired, in a fixed order.
    public func check(cached a: QuestionAnalysis, query b: QuestionAnalysis) -> GuardVerdict {
        var findings: [GuardFinding] = []
        if switches.negation, let f = Self.negation(a, b) { findings.append(f) }
        if switches.numbers, let f = Self.numbers(a, b) { findings.append(f) }
        if switches.dates, let f = Self.dates(a, b) { findings.append(f) }
        if switches.entities, let f = Self.entities(a, b) { findings.append(f) }
        if switches.questionType {
            func label(_ q: QuestionAnalysis) -> String { q.picksOne ? "picks one (which … -est)" : "\(q.questionType)" }
            if !a.questionType.isCompatible(with: b.questionType) {
                findings.append(GuardFinding(kind: .questionType, detail: "\(a.questionType) vs \(b.questionType)"))
            } else if (a.picksOne && b.questionType == .quantity) || (b.picksOne && a.questionType == .quantity) {
                findings.append(GuardFinding(kind: .questionType, detail: "\(label(a)) vs \(label(b))"))
            }
        }
        if switches.opposites, let f = Self.opposites(a, b) { findings.append(f) }
        return GuardVerdict(findings: findings)
    }

    /// Polarity of the cores differs, or one side negates a word by prefix ("unconnected" vs
    /// "connected", "nondeterministic" vs "deterministic").
    static func negation(_ a: QuestionAnalysis, _ b: QuestionAnalysis) -> GuardFinding? {
        if a.isNegated != b.isNegated {
            return GuardFinding(kind: .negation, detail: a.isNegated ? "only the cached question is negated" : "only the new question is negated")
        }
        for (x, y) in [(a, b), (b, a)] {
            for w in x.coreWords where !y.allWords.contains(w) {
                for prefix in ["un", "non", "dis"] where w.hasPrefix(prefix) {
                    let rest = String(w.dropFirst(prefix.count))
                    if rest.count >= 4, y.coreWords.contains(rest) {
                        return GuardFinding(kind: .negation, detail: "\"\(w)\" vs \"\(rest)\"")
                    }
                }
            }
        }
        return nil
    }

    static func numbers(_ a: QuestionAnalysis, _ b: QuestionAnalysis) -> GuardFinding? {
        let onlyA = a.numbers.subtracting(b.allNumbers)
        let onlyB = b.numbers.subtracting(a.allNumbers)
        guard !onlyA.isEmpty, !onlyB.isEmpty else { return nil }
        return GuardFinding(kind: .numbers, detail: "\(sorted(onlyA)) vs \(sorted(onlyB))")
    }

    static func dates(_ a: QuestionAnalysis, _ b: QuestionAnalysis) -> GuardFinding? {
        let onlyA = a.dates.filter { d in !b.allDates.contains { $0.overlaps(d) } }
        let onlyB = b.dates.filter { d in !a.allDates.contains { $0.overlaps(d) } }
        guard !onlyA.isEmpty, !onlyB.isEmpty else { return nil }
        return GuardFinding(kind: .dates, detail: "\(sorted(onlyA)) vs \(sorted(onlyB))")
    }

    static func entities(_ a: QuestionAnalysis, _ b: QuestionAnalysis) -> GuardFinding? {
        let onlyA = a.entities.filter { !mentioned($0, of: a, in: b) }
        let onlyB = b.entities.filter { !mentioned($0, of: b, in: a) }
        guard !onlyA.isEmpty, !onlyB.isEmpty else { return nil }
        return GuardFinding(kind: .entities, detail: "\(onlyA.sorted()) vs \(onlyB.sorted())")
    }

    /// Whether `y` names entity `w` of `x`: the word itself (loosely, `WordMatch`); an acronym
    /// `w` spelled out in `y` ("EU" / "European Union"); or, for a word of a multi-word name, the
    /// name's acronym in `y` ("union" / "EU"). Two spelled-out names never match by their
    /// initials ("American Telegraph Company" is not "Atlantic Telegraph Company").
    static func mentioned(_ w: String, of x: QuestionAnalysis, in y: QuestionAnalysis) -> Bool {
        if WordMatch.mentions(w, in: y.allWords) || WordMatch.mentions(w, in: y.names.acronyms) { return true }
        if x.names.acronyms.contains(w), y.names.spellsOut(w) { return true }
        guard let initial = x.names.initialOfRunWord[w] else { return false }
        if y.names.acronyms.contains(initial) { return true }
        return GuardLexicon.aliases[initial].map { !$0.isDisjoint(with: y.allWords) } ?? false
    }

    /// One core uses a word, the other core its opposite, and neither text uses the other's word
    /// ("imports" vs "exports", "before" vs "after", "bought" vs "sold").
    static func opposites(_ a: QuestionAnalysis, _ b: QuestionAnalysis) -> GuardFinding? {
        let asksRole = a.coreWords.contains("whom") || b.coreWords.contains("whom")
        for pair in GuardLexicon.opposites {
            if asksRole, pair.converse { continue }
            let (left, right) = (pair.left, pair.right)
            for (x, y) in [(a, b), (b, a)] {
                guard let wx = WordMatch.firstMatch(left, in: pair.words(of: x.coreWords)),
                      let wy = WordMatch.firstMatch(right, in: pair.words(of: y.coreWords)),
                      WordMatch.firstMatch(right, in: Array(x.allWords)) == nil,
                      WordMatch.firstMatch(left, in: Array(y.allWords)) == nil else { continue }
                let (ca, cb) = x == a ? (wx, wy) : (wy, wx)
                return GuardFinding(kind: .opposites, detail: "\"\(ca)\" vs \"\(cb)\"")
            }
        }
        return nil
    }

    /// The words a question asks about rather than uses: one right before an interrogative ("into
    /// which region", "from where") or ending the question ("where did they come from").
    static func askedWords(_ words: [String]) -> [String] {
        words.indices.compactMap { k in
            k == words.count - 1 || GuardLexicon.interrogatives.contains(words[k + 1]) ? words[k] : nil
        }
    }

    static func sorted(_ s: Set<NumberMention>) -> [String] { s.map(\.description).sorted() }
    static func sorted(_ s: Set<DateMention>) -> [String] { s.map(\.description).sorted() }
}

/// Loose word equality for names written differently across paraphrases: possessives and plurals
/// ("Normans"), derived forms ("Latinized" for "Latin"), one-letter typos ("Raouliii"), and the
/// aliases of `GuardLexicon.aliasGroups` ("Spanish" for "Spain").
enum WordMatch {
    static func mentions(_ word: String, in words: Set<String>) -> Bool {
        if words.contains(word) { return true }
        if let group = GuardLexicon.aliases[word], !group.isDisjoint(with: words) { return true }
        return words.contains { sameStem(word, $0) }
    }

    static func sameStem(_ a: String, _ b: String) -> Bool {
        let (short, long) = a.count <= b.count ? (a, b) : (b, a)
        if short.count >= 4, long.hasPrefix(short), long.count - short.count <= 4 { return true }
        // Shared stem with a different ending: "England"/"English", "Byzantine"/"Byzantium".
        let common = zip(short, long).prefix { $0 == $1 }.count
        if common >= 4, common >= short.count - 3 { return true }
        return short.count >= 5 && long.count - short.count <= 1 && editDistanceAtMostOne(short, long)
    }

    /// Levenshtein distance ≤ 1 (`a` no longer than `b`).
    static func editDistanceAtMostOne(_ a: String, _ b: String) -> Bool {
        let x = Array(a), y = Array(b)
        var i = 0, j = 0, edits = 0
        while i < x.count, j < y.count {
            if x[i] == y[j] { i += 1; j += 1; continue }
            edits += 1
            if edits > 1 { return false }
            if x.count == y.count { i += 1; j += 1 } else { j += 1 }
        }
        return edits + (x.count - i) + (y.count - j) <= 1
    }

    /// The first word of `words` matching a lexicon form (exact, or by prefix for "form*").
    static func firstMatch(_ forms: [String], in words: [String]) -> String? {
        for w in words {
            for f in forms {
                if f.hasSuffix("*") ? w.hasPrefix(String(f.dropLast())) : w == f { return w }
            }
        }
        return nil
    }
}
