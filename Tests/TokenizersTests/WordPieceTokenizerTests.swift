import ServeCore
import Testing
import Tokenizers

@Suite("WordPieceTokenizer")
struct WordPieceTokenizerTests {
    static let vocabulary = [
        "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]",
        "un", "##aff", "##able", "hello", "world", ",", "!", "cafe", "你", "好", "play", "##ing", "a", "##a",
    ]
    let tok: WordPieceTokenizer

    init() throws {
        tok = try WordPieceTokenizer(vocabulary: Self.vocabulary)
    }

    private func ids(_ tokens: [String]) -> [TokenID] {
        tokens.map { TokenID(Self.vocabulary.firstIndex(of: $0) ?? -1) }
    }

    @Test("greedy longest match with ## continuations")
    func wordPieces() {
        #expect(tok.encode("unaffable playing", maxLength: 32) == ids(["[CLS]", "un", "##aff", "##able", "play", "##ing", "[SEP]"]))
    }

    @Test("lower-casing, accent stripping, punctuation and CJK splitting")
    func normalisation() {
        #expect(tok.encode("HELLO, World!", maxLength: 32) == ids(["[CLS]", "hello", ",", "world", "!", "[SEP]"]))
        #expect(tok.encode("Café", maxLength: 32) == ids(["[CLS]", "cafe", "[SEP]"]))
        #expect(tok.encode("cafe\u{301}", maxLength: 32) == ids(["[CLS]", "cafe", "[SEP]"]))
        #expect(tok.encode("你好", maxLength: 32) == ids(["[CLS]", "你", "好", "[SEP]"]))
    }

    @Test("a word with an unmatchable piece, or over 100 characters, becomes one [UNK]")
    func unknownWords() {
        #expect(tok.encode("unxyz hello", maxLength: 32) == ids(["[CLS]", "[UNK]", "hello", "[SEP]"]))
        #expect(tok.encode(String(repeating: "a", count: 100), maxLength: 8) == ids(["[CLS]", "a"] + Array(repeating: "##a", count: 5) + ["[SEP]"]))
        #expect(tok.encode(String(repeating: "a", count: 101), maxLength: 8) == ids(["[CLS]", "[UNK]", "[SEP]"]))
    }

    @Test("control characters are deleted (not spaced) and whitespace of any kind separates words")
    func cleaning() {
        #expect(tok.encode("hel\u{0}l\u{7}o\u{FEFF} world", maxLength: 32) == ids(["[CLS]", "hello", "world", "[SEP]"]))
        #expect(tok.encode("hello\t\u{3000}\nworld", maxLength: 32) == ids(["[CLS]", "hello", "world", "[SEP]"]))
        #expect(tok.encode("", maxLength: 32) == ids(["[CLS]", "[SEP]"]))
    }

    @Test("special tokens in raw text are kept verbatim (case-sensitive)")
    func specials() {
        #expect(tok.encode("hello [SEP] world", maxLength: 32) == ids(["[CLS]", "hello", "[SEP]", "world", "[SEP]"]))
        #expect(tok.encode("[MASK]!", maxLength: 32) == ids(["[CLS]", "[MASK]", "!", "[SEP]"]))
        // Matched on bytes: a combining mark after the token does not hide it.
        #expect(tok.encode("[SEP]\u{301}hello", maxLength: 32) == ids(["[CLS]", "[SEP]", "hello", "[SEP]"]))
        #expect(tok.encode("[sep]", maxLength: 32) == ids(["[CLS]", "[UNK]", "[UNK]", "[UNK]", "[SEP]"]))
    }

    @Test("truncation keeps [CLS] and [SEP]")
    func truncation() {
        let encoded = tok.encode("hello world hello world hello", maxLength: 4)
        #expect(encoded == ids(["[CLS]", "hello", "world", "[SEP]"]))
        #expect(tok.encode("hello", maxLength: 2) == ids(["[CLS]", "[SEP]"]))
        #expect(tok.encode("hello", maxLength: 1).isEmpty)
    }

    @Test("a vocabulary without [CLS]/[SEP]/[UNK] is rejected")
    func missingSpecials() {
        #expect(throws: TokenizerError.missingSpecialToken("[CLS]")) { try WordPieceTokenizer(vocabulary: ["a"]) }
        #expect(throws: TokenizerError.emptyVocabulary) { try WordPieceTokenizer(vocabulary: []) }
    }
}
