import QAPipeline
import Testing

/// A question asked again skips the learned verifier (P = 1): "the same question" is judged on
/// words alone, ignoring case, punctuation and spacing, and nothing more lenient.
struct ReuseVerifierRepeatTests {
    @Test(arguments: [
        ("Who led the Norse raiders?", "who led the Norse raiders", true),
        ("Who led the Norse raiders?", "Who  led the Norse raiders ?!", true),
        ("東京の人口は?", "東京の人口は", true),
        ("Who led the Norse raiders?", "Who did not lead the Norse raiders?", false),
        ("What is 3.14 rounded?", "What is 314 rounded?", false),
        ("Who led the Norse raiders?", "Who led the raiders?", false),
        ("Who sold the rights?", "Who bought the rights?", false),
        ("", "", false),
        ("?", "!", false),
    ])
    func repeats(a: String, b: String, same: Bool) {
        #expect(ReuseVerifier.isRepeat(a, b) == same)
        #expect(ReuseVerifier.isRepeat(b, a) == same)
    }
}
