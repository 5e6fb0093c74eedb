/// What the guards extract from one question, computed once per text.
///
/// *Core* vs *full text*: a conversational query wraps its question in context ("I'm reading
/// about where the Normans came from. Could you tell me who the leader … was?"). The core is the
/// last sentence that ends in "?" (else the last one with an interrogative, else everything).
/// Negation, question type and the "what it asks about" sets (entities, numbers, dates) come from
/// the core; the full text is what the *other* question is checked against ("does this question
/// mention it anywhere?"), so context may add names and years without causing a veto.
public struct QuestionAnalysis: Sendable, Equatable {
    public let text: String
    /// The question core, as words (lower-cased).
    public let coreWords: [String]
    /// Every word of the full text.
    public let allWords: Set<String>
    /// The text's acronyms and multi-word names with their initialisms ("European Union" → "eu").
    let names: NameForms
    /// The core contains a negation or exclusion word.
    public let isNegated: Bool
    public let questionType: QuestionType
    /// A "which … -est" question (`QuestionType.picksOne`): never the same as a quantity question.
    public let picksOne: Bool
    /// Named entities of the core: capitalised words not at a sentence start, and the content
    /// words of quoted strings (lower-cased).
    public let entities: Set<String>
    public let numbers: Set<NumberMention>
    public let dates: Set<DateMention>
    /// Numbers and dates anywhere in the text (what the other question's core is checked against).
    public let allNumbers: Set<NumberMention>
    public let allDates: Set<DateMention>

    public init(_ text: String) {
        self.text = text
        let tokens = GuardTokenizer.tokenize(text)
        let core = Self.core(of: tokens)
        let coreWordTokens = core.filter { $0.kind == .word }
        coreWords = coreWordTokens.map(\.text)
        allWords = Set(tokens.filter { $0.kind == .word }.map(\.text))
        names = NameForms(tokens)
        let question = QuestionType.MainQuestion(core)
        isNegated = Self.hasNegation(core, asking: question.tokens)
        questionType = QuestionType.classify(question)
        picksOne = QuestionType.picksOne(question)
        entities = Self.entities(coreWordTokens)
        let coreQuantities = QuantityExtractor.extract(core)
        numbers = coreQuantities.numbers
        dates = coreQuantities.dates
        let allQuantities = QuantityExtractor.extract(tokens)
        // "earliest" says "first": a question asking for the first one mentions it.
        allNumbers = allQuantities.numbers.union(allWords.isDisjoint(with: GuardLexicon.firstSynonyms) ? [] : [.ordinal(1)])
        allDates = allQuantities.dates
    }

    /// The last sentence ending in "?", else the last sentence containing an interrogative, else
    /// all tokens.
    static func core(of tokens: [GuardToken]) -> [GuardToken] {
        guard let lastSentence = tokens.last?.sentence, lastSentence > 0 else { return tokens }
        var sentences = [[GuardToken]](repeating: [], count: lastSentence + 1)
        for t in tokens { sentences[t.sentence].append(t) }
        sentences.removeAll { s in !s.contains { $0.kind == .word } }
        if let q = sentences.last(where: { $0.last?.text == "?" }) { return q }
        if let q = sentences.last(where: { s in s.contains { GuardLexicon.interrogatives.contains($0.text) } }) { return q }
        return tokens
    }

    /// A negation word in the part of the core that asks (after a leading subordinate clause:
    /// "Since the tapestry is not woven, what kind of needlework is it?" asks a positive
    /// question), or an exclusion phrase opening a clause anywhere in the core ("Besides X,
    /// which …", "…, other than X, who …"). "no" between two capitalised words is a name
    /// particle ("Sen no Rikyū"), "yes/no" an answer type, and a tag question ("…, isn't it?")
    /// asks for confirmation, not the opposite.
    /// `main`: the core without its leading subordinate clause (`QuestionType.MainQuestion`).
    static func hasNegation(_ core: [GuardToken], asking main: [GuardToken]) -> Bool {
        let wordIndices = main.indices.filter { main[$0].kind == .word }
        let words = wordIndices.map { main[$0] }
        for (i, t) in words.enumerated() where GuardLexicon.negations.contains(t.text) {
            if t.text == "no", i > 0, words[i - 1].text == "yes" || (i > 1 && words[i - 1].text == "or" && words[i - 2].text == "yes") {
                continue
            }
            if t.text == "no", i > 0, i + 1 < words.count, words[i - 1].isCapitalized, words[i + 1].isCapitalized { continue }
            if isTagQuestion(main, at: wordIndices[i]) { continue }
            return true
        }
        let clauses = core.split { $0.kind == .punctuation && [",", ";", ":"].contains($0.text) }
        return clauses.contains { clause in
            let opening = clause.prefix { $0.kind == .word }.map(\.text)
            return GuardLexicon.exclusionOpeners.contains { opening.starts(with: $0) }
        }
    }

    /// ", isn't it" / ", didn't they": a comma, an auxiliary, "not", a pronoun, then the end of
    /// the clause.
    static func isTagQuestion(_ tokens: [GuardToken], at k: Int) -> Bool {
        guard tokens[k].text == "not", k >= 2, k + 1 < tokens.count,
              tokens[k - 2].kind == .punctuation, tokens[k - 2].text == ",",
              GuardLexicon.auxiliaries.contains(tokens[k - 1].text),
              GuardLexicon.tagPronouns.contains(tokens[k + 1].text) else { return false }
        return k + 2 >= tokens.count || tokens[k + 2].kind == .punctuation
    }

    static func entities(_ words: [GuardToken]) -> Set<String> {
        var out = Set<String>()
        for t in words {
            if GuardLexicon.nonEntities.contains(t.text) || GuardLexicon.months[t.text] != nil { continue }
            if t.quoted, !GuardLexicon.functionWords.contains(t.text) {
                out.insert(t.text)
            } else if t.isCapitalized, !t.atSentenceStart, t.text.first?.isLetter == true {
                out.insert(t.isAllCaps ? NameForms.canonical(t.text) : t.text)
            }
        }
        return out
    }
}
