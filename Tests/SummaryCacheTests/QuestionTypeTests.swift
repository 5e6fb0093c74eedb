import SummaryCache
import Testing

@Suite("QuestionType what-did, by-what")
struct QuestionTypeThingTests {
    @Test(arguments: [
        ("What did the leader of the papal army take during the War of Barbastro?", QuestionType.thing),
        ("What does the name of the Norman castle mean?", .thing),
        ("What was the name of the Norman castle?", .generic),
        ("Which duke did the Normans follow?", .person),
        ("Norse raiders leader name", .person),
        ("Norse raiders origin", .unknown),
        ("What had Normandy been exporting for a generation?", .thing),
        ("What has been the most common use of the castle?", .generic),
        ("By what treaty was the Duchy of Normandy established?", .manner),
        ("By what year had Normandy been exporting horsemen?", .time),
    ])
    func classifies(question: String, type: QuestionType) {
        #expect(QuestionAnalysis(question).questionType == type)
    }

    @Test func whatDidVersusWhoIsVetoedButNotVersusGenericOrKeyword() {
        let g = QuestionGuards()
        let who = "Who was in charge of the papal army in the War of Barbastro?"
        #expect(g.check(cached: who, query: "What did the leader of the papal army take during the War of Barbastro?").firedKinds == [.questionType])
        #expect(g.check(cached: "What did the Normans invent?", query: "What was the Norman invention?").passed)
        #expect(g.check(cached: "What did the Normans invent?", query: "Norman invention").passed)
    }
}
