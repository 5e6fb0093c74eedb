import Testing
import Tokenizers

@Suite("PreTokenizer")
struct PreTokenizerTests {
    private func words(_ text: String, _ kind: PreTokenizer = .smollm) -> [String] {
        let utf8 = Array(text.utf8)
        return kind.split(utf8).map { String(decoding: utf8[$0], as: UTF8.self) }
    }

    @Test("smollm splits every digit on its own", arguments: [
        ("2024", ["2", "0", "2", "4"]),
        ("abc123def", ["abc", "1", "2", "3", "def"]),
        ("year 1999!", ["year", " ", "1", "9", "9", "9", "!"]),
        ("٣٤ ½", ["٣", "٤", " ", "½"]),
    ])
    func digits(text: String, expected: [String]) {
        #expect(words(text) == expected)
    }

    @Test("gpt2 keeps a number run with its leading space")
    func gpt2Numbers() {
        #expect(words("year 1999!", .gpt2) == ["year", " 1999", "!"])
    }

    @Test("contractions split like the regex (lower-case only)", arguments: [
        ("don't", ["don", "'t"]),
        ("we're they'll I've she'd I'm it's", ["we", "'re", " they", "'ll", " I", "'ve", " she", "'d", " I", "'m", " it", "'s"]),
        ("DON'T", ["DON", "'", "T"]),
        ("'quoted'", ["'", "quoted", "'"]),
    ])
    func contractions(text: String, expected: [String]) {
        #expect(words(text) == expected)
    }

    @Test("whitespace runs leave their last space to the next word", arguments: [
        ("a  b", ["a", " ", " b"]),
        ("a   b", ["a", "  ", " b"]),
        ("end   ", ["end", "   "]),
        ("   x", ["  ", " x"]),
        ("line\n\nnext", ["line", "\n", "\n", "next"]),
        ("tab\tx", ["tab", "\t", "x"]),
        ("a \n b", ["a", " \n", " b"]),
    ])
    func whitespace(text: String, expected: [String]) {
        #expect(words(text) == expected)
    }

    @Test("letters, marks and symbols", arguments: [
        ("Hello, world!", ["Hello", ",", " world", "!"]),
        ("café", ["café"]),
        ("cafe\u{301}", ["cafe", "\u{301}"]),
        ("你好，世界", ["你好", "，", "世界"]),
        ("hi 😀😀 there", ["hi", " 😀😀", " there"]),
        ("a...?!b", ["a", "...?!", "b"]),
    ])
    func mixed(text: String, expected: [String]) {
        #expect(words(text) == expected)
    }

    @Test("the split covers every byte exactly once")
    func coverage() {
        let text = "Mixed: café 😀 123 你好\ttab\nnew  end's  "
        let ranges = PreTokenizer.smollm.split(Array(text.utf8))
        #expect(ranges.first?.lowerBound == 0)
        #expect(ranges.last?.upperBound == text.utf8.count)
        for (a, b) in zip(ranges, ranges.dropFirst()) { #expect(a.upperBound == b.lowerBound) }
        #expect(ranges.allSatisfy { !$0.isEmpty })
    }
}
