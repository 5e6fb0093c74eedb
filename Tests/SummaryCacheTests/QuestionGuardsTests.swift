import SummaryCache
import Testing

/// Examples written for these tests in the style of SQuAD questions and their rewordings
/// (reworded, keyword-style, conversational) and near-misses.
@Suite("QuestionGuards")
struct QuestionGuardsTests {
    let guards = QuestionGuards()

    struct Pair: Sendable, CustomStringConvertible {
        var cached: String
        var query: String
        var description: String { "\(cached) | \(query)" }
    }

    static let paraphrases: [Pair] = [
        Pair(cached: "Who founded the city of Carthage?", query: "Which person established Carthage?"),
        Pair(cached: "Who founded the city of Carthage?", query: "Carthage founder name"),
        Pair(cached: "Who founded the city of Carthage?",
             query: "I'm studying Phoenician colonies in North Africa. Could you tell me who founded Carthage?"),
        Pair(cached: "When did the Vandals sack Rome?", query: "In what year was Rome sacked by the Vandals?"),
        Pair(cached: "When did the Vandals sack Rome?", query: "Vandal sack of Rome year"),
        Pair(cached: "How many elephants did Hannibal take across the Alps?",
             query: "When Hannibal crossed the Alps in 218 BC, how many elephants did he bring with him?"),
        Pair(cached: "How many elephants did Hannibal take across the Alps?", query: "Hannibal Alps elephant count"),
        Pair(cached: "What was the Latin name of the city?", query: "What was the Latinized name of the city?"),
        Pair(cached: "Who was Hadrian's successor?", query: "Which emperor succeeded Hadrian?"),
        Pair(cached: "Who designed the Musée d'Orsay?", query: "Who was the architect of the Musee d'Orsay building?"),
        Pair(cached: "Which complexity class is P not known to be equal to?",
             query: "P isn't known to equal which complexity class?"),
        Pair(cached: "Which class holds the complements of problems in NP?",
             query: "If you flip the yes/no answers of NP problems, which class do you get?"),
        Pair(cached: "What are the two main exports of Chile?",
             query: "Chile exports a lot, doesn't it? What are its two main exports?"),
        Pair(cached: "Who ruled England in the 11th century?", query: "Who ruled England in 1066?"),
        Pair(cached: "Where was the treaty signed in the 1840s?", query: "In which city was the treaty signed in 1842?"),
        Pair(cached: "What language did the Franks speak?", query: "The Franks spoke which language?"),
        Pair(cached: "Who was the first Roman emperor?", query: "Name the first emperor of the Romans"),
        Pair(cached: "What did the Byzantine army use as a weapon?", query: "What weapon did the army of Byzantium use?"),
    ]

    static let nearMisses: [(Pair, GuardKind)] = [
        (Pair(cached: "Who founded the city of Carthage?", query: "Who founded the city of Utica?"), .entities),
        (Pair(cached: "Who founded the city of Carthage?", query: "When was Carthage founded?"), .questionType),
        (Pair(cached: "Who founded the city of Carthage?", query: "Where was the founder of Carthage born?"), .questionType),
        (Pair(cached: "Who founded the city of Carthage?", query: "Who did not found the city of Carthage?"), .negation),
        (Pair(cached: "What can be restated as a decision problem?", query: "What can't be restated as a decision problem?"), .negation),
        (Pair(cached: "What is the set of all connected graphs called?", query: "What is the set of all unconnected graphs called?"), .negation),
        (Pair(cached: "Which machine runs in deterministic time?", query: "Which machine runs in nondeterministic time?"), .negation),
        (Pair(cached: "What are the two main exports of Chile?", query: "What are the three main exports of Chile?"), .numbers),
        (Pair(cached: "What are the two main exports of Chile?", query: "What are the two main imports of Chile?"), .opposites),
        (Pair(cached: "What style came after Romanesque in France?", query: "What style came before Romanesque in France?"), .opposites),
        (Pair(cached: "Who bought the island?", query: "Who sold the island?"), .opposites),
        (Pair(cached: "How many ships sailed in 1588?", query: "How many ships sailed in 1639?"), .dates),
        (Pair(cached: "Who ruled England in the 11th century?", query: "Who ruled England in 1215?"), .dates),
        (Pair(cached: "What happened in March 1815?", query: "What happened in June 1815?"), .dates),
        (Pair(cached: "Who painted “La Gioconda”?", query: "Who painted “La Primavera”?"), .entities),
        (Pair(cached: "Who wrote \"On Computable Numbers\"?", query: "Who wrote \"On Computable Functions\"?"), .entities),
        (Pair(cached: "Who was the first Roman emperor?", query: "Who was the second Roman emperor?"), .numbers),
        (Pair(cached: "Who married King Henry II?", query: "Who married King Louis VII?"), .entities),
        (Pair(cached: "How many men were in the army of Robert?", query: "When did the army of Robert land?"), .questionType),
    ]

    @Test("paraphrases pass every guard", arguments: paraphrases)
    func paraphrasePasses(_ p: Pair) {
        let v = guards.check(cached: p.cached, query: p.query)
        #expect(v.passed, "\(v.findings)")
        // Symmetric: whichever of the two was cached first.
        #expect(guards.check(cached: p.query, query: p.cached).passed)
    }

    @Test("near-misses are vetoed by the expected guard", arguments: nearMisses)
    func nearMissVetoed(_ p: Pair, expected: GuardKind) {
        let v = guards.check(cached: p.cached, query: p.query)
        #expect(!v.passed)
        #expect(v.firedKinds.contains(expected), "fired: \(v.findings)")
        #expect(guards.check(cached: p.query, query: p.cached).firedKinds.contains(expected))
    }

    @Test func identicalQuestionsPass() {
        #expect(guards.check(cached: "Who won the war in 1066?", query: "Who won the war in 1066?").passed)
        #expect(guards.check(cached: "", query: "").passed)
    }

    @Test func verdictExplainsTheGuardAndTheWords() throws {
        let v = guards.check(cached: "Who founded Carthage in 814 BC?", query: "Who founded Utica in 1100 BC?")
        let entity = try #require(v.findings.first { $0.kind == .entities })
        #expect(entity.detail.contains("carthage") && entity.detail.contains("utica"))
        let dates = try #require(v.findings.first { $0.kind == .dates })
        #expect(dates.detail.contains("-814") && dates.detail.contains("-1100"))
        #expect(!v.firedKinds.contains(.questionType))
    }

    @Test func switchesDisableGuards() {
        var switches = GuardSwitches()
        switches.entities = false
        let relaxed = QuestionGuards(switches: switches)
        #expect(relaxed.check(cached: "Who founded Carthage?", query: "Who founded Utica?").passed)
        #expect(!relaxed.check(cached: "Who founded Carthage?", query: "When was Carthage founded?").passed)
        #expect(QuestionGuards(switches: .none).check(cached: "Who is it?", query: "Who is not it?").passed)
    }
}

@Suite("QuestionAnalysis")
struct QuestionAnalysisTests {
    @Test("question type", arguments: [
        ("Who led the army?", QuestionType.person),
        ("Whose thesis is it?", .person),
        ("In what year did the siege end?", .time),
        ("When did the siege end?", .time),
        ("Roughly when was it written down?", .time),
        ("In which former Frankish kingdom was the duchy?", .place),
        ("Where did he die?", .place),
        ("How many ships were there?", .quantity),
        ("How far did he ride?", .quantity),
        ("Why did the empire fall?", .reason),
        ("How can the problem be restated?", .manner),
        ("What is the name of the castle?", .generic),
        ("Emma was the sister of which Norman duke?", .person),
        ("Norse raiders leader name", .person),
        ("Norse raiders origin", .unknown),
        ("When the army landed in 1081, how many soldiers did it have?", .quantity),
        ("For the sorting example, when the list is sorted, what is the running time?", .generic),
    ])
    func classifies(_ text: String, _ type: QuestionType) {
        #expect(QuestionAnalysis(text).questionType == type)
    }

    @Test func coreIsTheLastQuestionSentence() {
        let a = QuestionAnalysis("I'm reading about Rome. It isn't easy. Who founded Carthage?")
        #expect(a.coreWords == ["who", "founded", "carthage"])
        #expect(!a.isNegated)
        #expect(a.entities == ["carthage"])
        #expect(a.allWords.contains("rome"))
    }

    @Test func extractsNumbersAndDates() {
        let a = QuestionAnalysis("Which two of the twenty-five ships sailed in the 1840s, and what of the 3rd in 1066 or the 11th century?")
        #expect(a.numbers.contains(.cardinal(2)))
        #expect(a.numbers.contains(.cardinal(25)))
        #expect(a.numbers.contains(.ordinal(3)))
        #expect(a.dates.contains(.years(1840...1849)))
        #expect(a.dates.contains(.years(1066...1066)))
        #expect(a.dates.contains(.years(1001...1100)))
        #expect(QuestionAnalysis("Which one is it?").numbers.isEmpty)
        #expect(QuestionAnalysis("How many, 1,000 or 2.5?").numbers == [.cardinal(1000), .cardinal(2.5)])
        // Long runs of scale words must not overflow (the value itself is not meaningful).
        #expect(QuestionAnalysis("Is it two hundred or a billion billion billion billion?").numbers.contains(.cardinal(200)))
    }

    /// Odd inputs must not trap: unbalanced quotes, lone apostrophes, symbols, huge ordinals.
    @Test("odd inputs", arguments: ["", "?", "'", "\"", "“", "'Norman", "n't", "''s", "...", "99999999999999999999999th century",
                                    "1,,000", "3.", "Who? ? ?", "é́́", "🙂 who 🙂?", "L'Aquila", "a.b.c. D. E."])
    func oddInputsDoNotTrap(_ text: String) {
        let a = QuestionAnalysis(text)
        #expect(QuestionGuards().check(cached: a, query: a).passed)
    }

    @Test func negationCues() {
        #expect(QuestionAnalysis("Why isn't it here?").isNegated)
        #expect(QuestionAnalysis("Is P≠NP?").isNegated)
        #expect(QuestionAnalysis("Which problems have no solution?").isNegated)
        #expect(!QuestionAnalysis("Which problems have yes/no answers?").isNegated)
        #expect(QuestionAnalysis("Which countries, except France, signed?").isNegated)
    }
}
