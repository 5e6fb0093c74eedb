@testable import SummaryCache
import Testing

/// The guard additions of sessions 12 and 13 (docs/summary-cache.md, "The guards"). Session 12:
/// exclusions ("besides", "other than"), begin vs finish and into vs from, typed keyword queries
/// and head nouns that name a thing or a way. Session 13: demonyms and name aliases, "how far
/// back / how long ago" as time, "by what name" as a name, "earliest" as "first", into vs from
/// only where asked, organisations as "who", "what caused" as "why", event nouns as things, four
/// more opposite pairs, "Once …," as after, and "which … -est" against a quantity. Session 14:
/// acronyms and the names they abbreviate, negation only where the question asks (not in a
/// leading clause or a tag), "how quickly / how early", organisations as "who" or "where", and
/// plural time units ending a keyword query as a duration. Examples
/// written for these tests, not taken from any evaluation set.
@Suite("QuestionGuards contrasts")
struct QuestionGuardsContrastTests {
    let guards = QuestionGuards()

    static let session12Paraphrases: [(String, String)] = [
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

    static let session12NearMisses: [(String, String, GuardKind)] = [
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

    static let session13Paraphrases: [(String, String)] = [
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

    static let session13NearMisses: [(String, String, GuardKind)] = [
        ("What did the Spanish export?", "What did the French export?", .entities),
        ("Which Roman emperor built the wall?", "Which Dutch emperor built the wall?", .entities),
        ("How long ago was the abbey founded?", "How long did building the abbey take?", .questionType),
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

    static let session14Paraphrases: [(String, String)] = [
        ("When did the EU ban the pesticide?", "In what year did the European Union ban the pesticide?"),
        ("Which agency prints US passports?", "Which agency prints passports in the United States?"),
        ("Which American city hosted the fair?", "Which US city hosted the fair?"),
        ("Which agency prints U.S. passports?", "Which American agency prints passports?"),
        ("What port does the TLS handshake use?", "Which port does a Transport Layer Security handshake use?"),
        ("When did the ECB raise rates?", "When did the European Central Bank raise rates?"),
        ("Since the whale is not actually a fish, what class does it belong to?", "What class does the whale belong to?"),
        ("It was first made in Persia, wasn't it, but in which city?", "In which Persian city was it first made?"),
        ("How quickly does the ice melt?", "How long does the ice take to melt?"),
        ("How early was the rice harvested?", "When was the rice harvested?"),
        ("At which university did she study?", "Where did she study?"),
        ("Which company built the bridge?", "Who built the bridge?"),
        ("tortoise lifespan years", "How long can a tortoise live?"),
    ]

    static let session14NearMisses: [(String, String, GuardKind)] = [
        ("Who founded the American Telegraph Company?", "Who founded the Atlantic Telegraph Company?", .entities),
        ("When did the EU ban the pesticide?", "When did the UN ban the pesticide?", .entities),
        ("Since the ship was late, which cargo was not unloaded?", "Since the ship was late, which cargo was unloaded?", .negation),
        ("Which university funded the dig?", "In which year was the dig funded?", .questionType),
        ("tortoise lifespan years", "In which year did the tortoise die?", .questionType),
        ("How early was the rice harvested?", "How many sacks of rice were harvested?", .questionType),
    ]

    static let paraphrases = session12Paraphrases + session13Paraphrases + session14Paraphrases
    static let nearMisses = session12NearMisses + session13NearMisses + session14NearMisses

    @Test("paraphrases pass", arguments: paraphrases)
    func paraphrasePasses(_ p: (String, String)) {
        #expect(guards.check(cached: p.0, query: p.1).passed, "\(guards.check(cached: p.0, query: p.1).findings)")
        #expect(guards.check(cached: p.1, query: p.0).passed, "\(guards.check(cached: p.1, query: p.0).findings)")
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

    @Test func multiWordNamesAndTheirInitialisms() {
        #expect(Set(QuestionAnalysis("When did the European Central Bank act?").names.initialOfRunWord.values) == ["ecb"])
        #expect(Set(QuestionAnalysis("Which U.S. agency?").names.initialOfRunWord.values) == ["usa"])
        #expect(QuestionAnalysis("Which agency prints US notes?").names.acronyms == ["usa"])
        #expect(QuestionAnalysis("Tell us when the TLS standard appeared.").names.acronyms == ["tls"])
        #expect(QuestionAnalysis("Which Dutch painter?").names.initialOfRunWord.isEmpty)
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
