/// Short and long forms of one name: an acronym and the capitalised words it abbreviates ("EU" /
/// "European Union", "TLS" / "Transport Layer Security", "US" / "United States" / "U.S.").
/// Paraphrases swap them freely, and the entities guard would otherwise read the swap as a
/// different name.
struct NameForms: Sendable, Equatable {
    /// Words written in capitals ("eu", "tls"; "US" read as "usa", `canonical`).
    let acronyms: Set<String>
    /// For each word of a run of two or more capitalised words, the run's initialism
    /// (lower-cased): "union" → "eu" for "European Union".
    let initialOfRunWord: [String: String]

    init(_ tokens: [GuardToken]) {
        var runs: [[String]] = []
        var run: [String] = []
        func close() {
            if run.count >= 2 { runs.append(run) }
            run = []
        }
        for (k, t) in tokens.enumerated() {
            if t.kind == .punctuation {
                // "U.S.": the dot after an initial keeps the run going.
                let afterInitial = k > 0 && tokens[k - 1].kind == .word && tokens[k - 1].text.count == 1
                if !(t.text == "." && afterInitial) { close() }
                continue
            }
            let named = t.isCapitalized && t.text.first?.isLetter == true
                && !GuardLexicon.functionWords.contains(t.text) && !GuardLexicon.interrogatives.contains(t.text)
            if named { run.append(t.text) } else { close() }
        }
        close()
        var initialOf: [String: String] = [:]
        for r in runs {
            let initial = Self.canonical(String(r.compactMap(\.first)))
            for w in r { initialOf[w] = initial }
        }
        initialOfRunWord = initialOf
        acronyms = Set(tokens.filter { $0.kind == .word && $0.isAllCaps }.map { Self.canonical($0.text) })
    }

    /// Whether some multi-word name of the text has `acronym` as its initials.
    func spellsOut(_ acronym: String) -> Bool { initialOfRunWord.values.contains(acronym) }

    /// "US" is also a pronoun, so the country's initialism is read as "usa" (which the alias
    /// table joins with "America" and "American"); other initialisms stand as they are.
    static func canonical(_ initialism: String) -> String { initialism == "us" ? "usa" : initialism }
}
