import SummaryCache
import Testing

/// The guard additions of session 13 (docs/summary-cache.md, "The guards"): demonyms and name
/// aliases, "how far back / how long ago" as time, "by what name" as a name, "earliest" as
/// "first", into vs from only where the question asks it, organisations as "who", "what caused"
/// as "why", event nouns as things, and four more opposite pairs. Examples written for these
/// tests, not taken from any evaluation set.
@Suite("QuestionGuards aliases and session-13 additions")
struct QuestionGuardsAliasTests {
    let guards = QuestionGuards()

    static let paraphrases: [(String, String)] = [
        ("When did Spanish records first mention coffee?", "In what year does coffee first appear in records from Spain?"),
        ("Which Roman emperor built the wall?", "Which emperor of Rome had the wall built?"),
        ("Which port in Côte d'Ivoire ships the most timber?", "Which Ivory Coast port exports the most timber?"),
        ("How long ago was the abbey founded?", "When was the abbey founded?"),
        ("How far back does the oldest map of the city go?", "From when does the oldest map of the city date?"),
        ("By what name were the sailors known?", "What did people call the sailors?"),
        ("Which two engineers built the earliest steam carriage?", "Who built the first steam carriage?"),
        ("What is the slag that builders mix into cement a by-product of?", "The slag added to cement comes from which industry?"),
        ("Who proposed the standard?", "Which organisation proposed the standard?"),
        ("Why did the king flee?", "What forced the king to flee?"),
        ("When was the dam complete?", "When was the dam finished?"),
        ("What did people use before clocks?", "What did people once use instead of clocks?"),
        ("Which river is the longest in Europe?", "What is the longest river in Europe?"),
        ("Who did the army fight most often?", "Which enemy did the army fight most often?"),
    ]

    static let nearMisses: [(String, String, GuardKind)] = [
        ("What did the Spanish export?", "What did the French export?", .entities),
        ("Which Roman emperor built the wall?", "Which Dutch emperor built the wall?", .entities),
        ("How long ago was the abbey founded?", "How long did building the abbey take?", .questionType),
        ("Into which sea does the river flow?", "From where does the river flow?", .opposites),
        ("Into which lake does the river flow?", "Where does the river flow from?", .opposites),
        ("What is the output of the parser called?", "What is the input of the parser called?", .opposites),
        ("Where was the painter born?", "Where did the painter die?", .opposites),
        ("When was the novel published?", "When was the novel presented to the academy?", .opposites),
        ("When did construction of the dam begin?", "When was construction of the dam complete?", .opposites),
        ("Which is the simplest knot?", "Which knot is the most complex?", .opposites),
        ("Which institute funded the expedition?", "What prize did the expedition win?", .questionType),
        ("What forced the king to flee?", "Where did the king flee?", .questionType),
        ("Which battle ended the siege?", "In which year did the siege end?", .questionType),
        ("Where was the poet born?", "In which town did the poet grow up?", .opposites),
        ("What did sailors eat before refrigeration?", "Once refrigeration arrived, what did sailors eat?", .opposites),
        ("Which falcon is the fastest flyer?", "How fast can the peregrine falcon fly?", .questionType),
    ]

    @Test("paraphrases pass", arguments: paraphrases)
    func paraphrasePasses(_ p: (String, String)) {
        #expect(guards.check(cached: p.0, query: p.1).passed, "\(guards.check(cached: p.0, query: p.1).findings)")
        #expect(guards.check(cached: p.1, query: p.0).passed, "\(guards.check(cached: p.1, query: p.0).findings)")
    }

    @Test("near-misses are vetoed by the expected guard", arguments: nearMisses)
    func nearMissVetoed(_ n: (String, String, GuardKind)) {
        let verdict = guards.check(cached: n.0, query: n.1)
        #expect(verdict.findings.contains { $0.kind == n.2 }, "\(verdict.findings)")
    }

    @Test("answer types of the new phrasings")
    func types() {
        #expect(QuestionAnalysis("How long ago was the abbey founded?").questionType == .time)
        #expect(QuestionAnalysis("How far back does the map go?").questionType == .time)
        #expect(QuestionAnalysis("How many years ago did the fire start?").questionType == .time)
        #expect(QuestionAnalysis("How long did the fire burn?").questionType == .quantity)
        #expect(QuestionAnalysis("How far did the army march?").questionType == .quantity)
        #expect(QuestionAnalysis("By what name were the sailors known?").questionType != .manner)
        #expect(QuestionAnalysis("By what treaty was the war ended?").questionType == .manner)
    }
}
