import QAPipeline
import Testing

@Suite("SQuADMetrics")
struct SQuADMetricsTests {
    @Test("normalisation follows the official script", arguments: [
        ("The Normans", "normans"),
        ("  Denmark, Iceland   and Norway. ", "denmark iceland and norway"),
        ("an apple a day", "apple day"),
        ("\"Rollo\"", "rollo"),
        ("10th–11th centuries", "10th–11th centuries"),
        ("U.S.-based", "usbased"),
        ("Theory", "theory"),
    ])
    func normalize(input: String, expected: String) {
        #expect(SQuADMetrics.normalize(input) == expected)
    }

    @Test("exact match and F1 on known examples")
    func knownScores() {
        #expect(SQuADMetrics.exactMatch("the Rollo", gold: ["Rollo"]) == 1)
        #expect(SQuADMetrics.exactMatch("Rollo the Walker", gold: ["Rollo"]) == 0)
        // prediction {denmark, iceland}, gold {denmark, iceland, and, norway}: P=1, R=0.5, F1=2/3.
        #expect(abs(SQuADMetrics.f1("Denmark, Iceland", gold: ["Denmark, Iceland and Norway"]) - 2.0 / 3.0) < 1e-9)
        // Best over the gold answers.
        #expect(SQuADMetrics.f1("King Charles III", gold: ["King Charles III of West Francia", "King Charles III"]) == 1)
        #expect(SQuADMetrics.f1("Paris", gold: ["France"]) == 0)
        // Repeated tokens count once per occurrence in both.
        #expect(abs(SQuADMetrics.f1("the the cat cat", gold: ["cat"]) - 2 * 0.5 * 1 / 1.5) < 1e-9)
    }

    @Test("unanswerable questions reward declining to answer", arguments: [
        ("unanswerable", 1.0), ("", 1.0), ("The notes do not give the answer: Unanswerable.", 1.0), ("Cannot be determined", 1.0),
        ("Rollo", 0.0),
    ])
    func unanswerable(prediction: String, score: Double) {
        #expect(SQuADMetrics.exactMatch(prediction, gold: []) == score)
        #expect(SQuADMetrics.f1(prediction, gold: []) == score)
    }

    @Test("declining an answerable question scores zero")
    func decliningAnswerable() {
        #expect(SQuADMetrics.exactMatch("unanswerable", gold: ["Rollo"]) == 0)
        #expect(SQuADMetrics.f1("", gold: ["Rollo"]) == 0)
    }
}
