/// Short and long forms of one name: an acronym and the capitalised words it abbreviates ("EU" /
/// "European Union", "TLS" / "Transport Layer Security", "US" / "United States" / "U.S.").
/// Paraphrases swap them freely, and the entities guard would otherwise read the swap as a
/// different name.
struct NameForms: Sendable, Equatable {
    /// The initialisms of the text's runs of two or more capitalised words (lower-cased), as an
    /// acronym in the other question would read.
    let initialisms: Set<String>
    /// For each word of such a run, the run's initialism ("union" → "eu").
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
        var initialisms = Set<String>()
        var initialOf: [String: String] = [:]
        for r in runs {
            let initial = Self.canonical(String(r.compactMap(\.first)))
            initialisms.insert(initial)
            for w in r { initialOf[w] = initial }
        }
        self.initialisms = initialisms
        initialOfRunWord = initialOf
    }

    /// "US" is also a pronoun, so the country's initialism is read as "usa" (which the alias
    /// table joins with "America" and "American"); other initialisms stand as they are.
    static func canonical(_ initialism: String) -> String { initialism == "us" ? "usa" : initialism }
}
