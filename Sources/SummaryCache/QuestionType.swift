/// The kind of answer a question asks for, as far as cheap cues tell.
public enum QuestionType: String, Sendable, Codable, CaseIterable {
    /// who, whom, whose, which king…
    case person
    /// when, what year, which century, how far back, how long ago…
    case time
    /// where, which country…
    case place
    /// which institute / university / company…: answers "who" and "where" alike
    case organisation
    /// how many, how much, how far, what number…
    case quantity
    /// why, for what reason, what caused / forced / led…
    case reason
    /// how (not followed by a quantity word), which method / technique / process
    case manner
    /// "what did/does/do/had/has/have … <verb>": the object of an action or the action itself ("What did the
    /// leader of the papal army take?", "What did a Turing machine emulate?"), never the person
    /// who acted ("Who was in charge of the papal army?"), nor a time, place or quantity; also
    /// which/what + a thing noun ("Which prize did she win?").
    case thing
    /// what / which with no telling head noun: could be anything, so compatible with every type.
    case generic
    /// No interrogative and no telling last word (keyword-style queries such as "Norse raiders
    /// origin"; "Norse raiders leader name" is a person, see `keywordType`).
    case unknown

    /// Whether two questions may share an answer by type. Unknown and generic are compatible with
    /// everything (paraphrases often swap "who" for "which duke" or drop the wh-word entirely);
    /// an organisation with a person or a place; other specific types must be equal.
    public func isCompatible(with other: QuestionType) -> Bool {
        switch (self, other) {
        case _ where self == other: return true
        case (.generic, _), (.unknown, _), (_, .generic), (_, .unknown): return true
        case (.organisation, .person), (.organisation, .place), (.person, .organisation), (.place, .organisation): return true
        default: return false
        }
    }

    /// The part of a question core that asks: its words after any leading subordinate clause
    /// ("When Robert sailed in 1081, how many soldiers…" asks "how many"), and the index among
    /// them of the interrogative that asks (nil for a keyword query).
    struct MainQuestion {
        /// The core without its leading subordinate clause.
        let tokens: [GuardToken]
        let words: [String]
        let interrogative: Int?

        init(_ core: [GuardToken]) {
            tokens = QuestionType.stripLeadingSubordinateClause(core)
            words = tokens.filter { $0.kind == .word }.map(\.text)
            interrogative = QuestionType.mainInterrogative(tokens)
        }
    }

    /// Classifies the question by its main interrogative.
    static func classify(_ question: MainQuestion) -> QuestionType {
        let words = question.words
        guard let i = question.interrogative else { return keywordType(words) }
        let next = i + 1 < words.count ? words[i + 1] : ""
        switch words[i] {
        case "who", "whom", "whose": return .person
        case "when": return .time
        case "where": return .place
        case "why": return .reason
        case "how":
            // "How far back / how long ago / how many years ago" ask when.
            let after = words[(i + 1)...].prefix(4)
            if next == "far", after.dropFirst().first == "back" { return .time }
            if GuardLexicon.howTime.contains(next) { return .time }
            if GuardLexicon.howQuantity.contains(next), after.contains("ago") { return .time }
            if GuardLexicon.howQuantity.contains(next) { return .quantity }
            if next == "come" { return .reason }
            return .manner
        default:
            if words[i] == "what", ["did", "does", "do"].contains(next) { return .thing }
            if words[i] == "what", GuardLexicon.causalVerbs.contains(next) { return .reason }
            // Perfect tense: "What had Normandy been exporting?" (not "What has been …", a copula).
            if words[i] == "what", ["had", "has", "have"].contains(next), i + 2 < words.count, words[i + 2] != "been" { return .thing }
            let type = headNounType(words, after: i)
            // "By what treaty / through what means was it done?" asks how, unless the noun names a
            // time, place, person or quantity ("by what year"); "by what name" asks for the name.
            if type == .generic || type == .thing, i > 0, ["by", "through", "via"].contains(words[i - 1]),
               !GuardLexicon.namingNouns.contains(next) { return .manner }
            return type
        }
    }

    /// "Which penguin is the fastest?" picks one of several (an entity, not a quantity): a
    /// "which" question with no telling head noun and a superlative after it. Its type stays
    /// *generic* (the head noun may be a person: "which enemy did they fight most"), but it
    /// cannot share an answer with a *quantity* question ("How fast can the gentoo swim?").
    static func picksOne(_ question: MainQuestion) -> Bool {
        let words = question.words
        guard let i = question.interrogative, i < words.count, words[i] == "which",
              headNounType(words, after: i) == .generic else { return false }
        return words[(i + 1)...].contains(where: isSuperlative)
    }

    /// "fastest", "most", "least": a word that picks the extreme of a set.
    static func isSuperlative(_ w: String) -> Bool {
        ["most", "least", "best", "worst"].contains(w) || (w.count >= 6 && w.hasSuffix("est") && !GuardLexicon.notSuperlatives.contains(w))
    }

    /// Index (among the words) of the interrogative that asks the question: the first one, except
    /// that a "when/where" opening a clause without an auxiliary ("…, when the input is sorted,
    /// what is…") is a conjunction if a later interrogative follows a comma.
    static func mainInterrogative(_ tokens: [GuardToken]) -> Int? {
        var wordIndex = -1
        var candidate: Int?
        var sawCommaAfterCandidate = false
        for (k, t) in tokens.enumerated() {
            if t.kind == .punctuation {
                if t.text == ",", candidate != nil { sawCommaAfterCandidate = true }
                continue
            }
            wordIndex += 1
            guard GuardLexicon.interrogatives.contains(t.text) else { continue }
            if let c = candidate {
                return sawCommaAfterCandidate ? wordIndex : c
            }
            let next = tokens[(k + 1)...].first { $0.kind == .word }?.text ?? ""
            let isConjunction = (t.text == "when" || t.text == "where") && !GuardLexicon.auxiliaries.contains(next)
            if !isConjunction { return wordIndex }
            candidate = wordIndex
        }
        return candidate
    }

    /// "which former Frankish kingdom" → place: looks at up to three words after which/what,
    /// stopping at the first function word.
    static func headNounType(_ words: [String], after i: Int) -> QuestionType {
        var j = i + 1
        while j < words.count, j <= i + 3 {
            let w = words[j]
            if let type = nounType(w) { return type }
            if GuardLexicon.functionWords.contains(w) { break }
            j += 1
        }
        return .generic
    }

    /// The answer type a head noun names, if it is one of the telling ones.
    static func nounType(_ w: String) -> QuestionType? {
        if GuardLexicon.timeNouns.contains(w) { return .time }
        if GuardLexicon.placeNouns.contains(w) { return .place }
        if GuardLexicon.personNouns.contains(w) { return .person }
        if GuardLexicon.organisationNouns.contains(w) { return .organisation }
        if GuardLexicon.quantityNouns.contains(w) { return .quantity }
        if GuardLexicon.reasonNouns.contains(w) { return .reason }
        if GuardLexicon.mannerNouns.contains(w) { return .manner }
        if GuardLexicon.thingNouns.contains(w) { return .thing }
        return nil
    }

    /// A query with no interrogative ("Pharos of Alexandria completion date", "Rover bicycle
    /// builder 1885") names what it asks for in its last word, after trailing numbers and fillers
    /// such as "name"; unknown when that word is not a telling noun or follows a rate word
    /// ("yield per hive good year").
    static func keywordType(_ words: [String]) -> QuestionType {
        guard let i = words.lastIndex(where: { w in
            !GuardLexicon.keywordFillers.contains(w) && QuantityExtractor.digitValue(w) == nil
        }) else { return .unknown }
        if i > 0, GuardLexicon.rateWords.contains(words[i - 1]) { return .unknown }
        if GuardLexicon.durationUnits.contains(words[i]) { return .quantity }
        return nounType(words[i]) ?? .unknown
    }

    /// Drops "When the Normans conquered England," from the front when a later clause holds the
    /// real interrogative. "When did…" (conjunction followed by an auxiliary) is left alone.
    static func stripLeadingSubordinateClause(_ core: [GuardToken]) -> [GuardToken] {
        guard let first = core.first(where: { $0.kind == .word }),
              GuardLexicon.subordinators.contains(first.text) else { return core }
        let words = core.filter { $0.kind == .word }
        if words.count > 1, GuardLexicon.interrogatives.contains(first.text), GuardLexicon.auxiliaries.contains(words[1].text) {
            return core
        }
        guard let comma = core.firstIndex(where: { $0.kind == .punctuation && $0.text == "," }) else { return core }
        let rest = Array(core[(comma + 1)...])
        let restHasInterrogative = rest.contains { $0.kind == .word && GuardLexicon.interrogatives.contains($0.text) }
        return restHasInterrogative ? rest : core
    }
}
