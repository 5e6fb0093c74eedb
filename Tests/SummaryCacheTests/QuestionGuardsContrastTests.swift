import SummaryCache
import Testing

/// The guard additions of session 12 (docs/summary-cache.md, "Guards"): exclusions ("besides",
/// "other than"), begin vs finish and into vs from, typed keyword queries and head nouns that name
/// a thing or a way. Examples written for these tests, not taken from any evaluation set.
@Suite("QuestionGuards contrasts")
struct QuestionGuardsContrastTests {
    let guards = QuestionGuards()

    static let paraphrases: [(String, String)] = [
        ("Who invented the telephone?", "telephone inventor name"),
        ("When was the bridge completed?", "bridge completion date"),
        ("How many people live in Lyon?", "Lyon population 2020"),
        ("Which method did the Romans use to cure concrete?", "How did the Romans cure concrete?"),
        ("Other than gold, what did the ship carry?", "Apart from gold, what cargo was on the ship?"),
        ("Besides Paris, which city did she visit?", "Other than Paris, what city did she visit?"),
        ("In addition to gold, what did the ship carry?", "Besides gold, what did the ship carry?"),
        ("How much honey does a hive yield in a good year?", "honey yield per hive good year"),
        ("Which prize did the chemist win?", "What did the chemist win?"),
        ("Where does the river flow into the sea?", "Into which sea does the river flow?"),
        ("When did work on the cathedral begin?", "In what year did construction of the cathedral start?"),
    ]

    static let nearMisses: [(String, String, GuardKind)] = [
        ("When did construction of the cathedral begin?", "When was the cathedral finished?", .opposites),
        ("Into which sea does the river flow?", "From where does the river flow?", .opposites),
        ("Who worked on calculus?", "Besides Newton, who worked on calculus?", .negation),
        ("Which cities did the queen visit?", "Apart from Paris, which cities did the queen visit?", .negation),
        ("In which year was the bicycle patent granted?", "bicycle patent holder", .questionType),
        ("In which town was the first safety bicycle built?", "safety bicycle builder 1885", .questionType),
        ("Between which months does the monsoon bring rain?", "monsoon annual rainfall share", .questionType),
        ("Which prize did the chemist win?", "Which chemist discovered radium?", .questionType),
        ("Which compression method merges the two rarest symbols?", "Who devised merging the two rarest symbols?", .questionType),
    ]

    @Test("paraphrases pass", arguments: paraphrases)
    func paraphrasePasses(_ p: (String, String)) {
        #expect(guards.check(cached: p.0, query: p.1).passed, "\(guards.check(cached: p.0, query: p.1).findings)")
        #expect(guards.check(cached: p.1, query: p.0).passed)
    }

    @Test("near-misses are vetoed by the expected guard", arguments: nearMisses)
    func nearMissVetoed(_ p: (String, String, GuardKind)) {
        #expect(guards.check(cached: p.0, query: p.1).firedKinds.contains(p.2), "\(guards.check(cached: p.0, query: p.1).findings)")
        #expect(guards.check(cached: p.1, query: p.0).firedKinds.contains(p.2))
    }

    @Test("keyword queries are typed by their last telling word", arguments: [
        ("Rover bicycle builder 1885", QuestionType.person),
        ("Norse raiders leader name", .person),
        ("Pharos completion date", .time),
        ("monsoon annual rainfall share", .quantity),
        ("concrete curing method", .manner),
        ("Norse raiders origin", .unknown),
        ("honey yield per hive good year", .unknown),
        ("", .unknown),
    ])
    func keywordTypes(_ text: String, _ type: QuestionType) {
        #expect(QuestionAnalysis(text).questionType == type)
    }

    @Test func exclusionNeedsBothWords() {
        #expect(QuestionAnalysis("Other than Paris, which city?").isNegated)
        #expect(!QuestionAnalysis("Which other city did she visit?").isNegated)
        #expect(!QuestionAnalysis("Where did the ship sail from?").isNegated)
        #expect(QuestionAnalysis("Who, apart from the king, signed it?").isNegated)
        #expect(!QuestionAnalysis("When objects other than strings are encoded, how are integers written?").isNegated)
    }

    @Test func noBetweenCapitalisedWordsIsANameParticle() {
        #expect(!QuestionAnalysis("Which warlords did Sen no Rikyū serve?").isNegated)
        #expect(!QuestionAnalysis("When did Minamoto no Yoritomo die?").isNegated)
        #expect(QuestionAnalysis("Which warlord had no heir?").isNegated)
        #expect(guards.check(cached: "Which warlords did Sen no Rikyū serve?",
                             query: "Besides Hideyoshi, which warlord did Sen no Rikyū serve?").firedKinds.contains(.negation))
    }
}
