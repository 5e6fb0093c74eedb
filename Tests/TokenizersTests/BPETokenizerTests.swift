import ServeCore
import Testing
import Tokenizers

@Suite("BPETokenizer")
struct BPETokenizerTests {
    let tok: BPETokenizer

    init() throws {
        tok = try TinyVocab.tokenizer()
    }

    private func id(_ text: String) throws -> TokenID {
        try #require(tok.tokenID(forText: text))
    }

    @Test("merges apply by rank to whole words")
    func mergesByRank() throws {
        #expect(tok.encode("hello", parseSpecial: false) == [try id("hello")])
        #expect(tok.encode("hello world", parseSpecial: false) == [try id("hello"), try id("Ġworld")])
        // "l l" (rank 1) beats "l o" (rank 2), and nothing merges "ll"+"o".
        #expect(tok.encode("llo", parseSpecial: false) == [try id("ll"), try id("o")])
    }

    @Test("text without merges falls back to one token per byte")
    func byteFallback() {
        let emoji = "😀"  // F0 9F 98 80
        #expect(tok.encode(emoji, parseSpecial: false) == Array(emoji.utf8).map(TinyVocab.byteID))
        let accented = "é"
        #expect(tok.encode(accented, parseSpecial: false) == Array(accented.utf8).map(TinyVocab.byteID))
        #expect(tok.decode(tok.encode("x😀é\u{0}", parseSpecial: false)) == "x😀é\u{0}")
    }

    @Test("empty text encodes to nothing, or only BOS when the model adds it")
    func emptyAndBOS() throws {
        #expect(tok.encode("", parseSpecial: true).isEmpty)
        let withBOS = try TinyVocab.tokenizer(addBOS: true)
        #expect(withBOS.addsBOS)
        #expect(withBOS.encode("", parseSpecial: true) == [1])
        #expect(withBOS.encode("hello", parseSpecial: true) == [1, try id("hello")])
    }

    @Test("control tokens are parsed only with parseSpecial")
    func specialParsing() throws {
        let text = "<|im_start|>hello<|im_end|>"
        #expect(tok.encode(text, parseSpecial: true) == [1, try id("hello"), 2])
        let plain = tok.encode(text, parseSpecial: false)
        #expect(!plain.contains(1) && !plain.contains(2))
        #expect(tok.decode(plain) == text)
        // Adjacent and repeated specials.
        #expect(tok.encode("<|im_end|><|im_end|><|endoftext|>", parseSpecial: true) == [2, 2, 0])
        // An incomplete marker stays text.
        #expect(!tok.encode("<|im_end", parseSpecial: true).contains(2))
    }

    @Test("user-defined tokens are matched even without parseSpecial")
    func userDefinedAlwaysMatched() throws {
        #expect(tok.encode("<tool>", parseSpecial: false) == [3])
        #expect(tok.encode("a<tool>b", parseSpecial: false) == [TinyVocab.byteID(0x61), 3, TinyVocab.byteID(0x62)])
    }

    @Test("decode round-trips text and honours skipSpecial")
    func decodeRoundTrip() {
        let samples = ["hello world", "  two  spaces ", "tabs\tand\nnewlines\r\n", "mixed 123 😀 你好", ""]
        for sample in samples {
            #expect(tok.decode(tok.encode(sample, parseSpecial: true)) == sample)
        }
        let ids = tok.encode("<|im_start|>hello<|im_end|>", parseSpecial: true)
        #expect(tok.decode(ids) == "<|im_start|>hello<|im_end|>")
        #expect(tok.decode(ids, skipSpecial: true) == "hello")
    }

    @Test("token bytes and vocabulary facts")
    func tokenFacts() throws {
        #expect(tok.tokenBytes(try id("Ġworld")) == Array(" world".utf8))
        #expect(tok.tokenBytes(2) == Array("<|im_end|>".utf8))
        #expect(tok.tokenBytes(-1).isEmpty)
        #expect(tok.tokenBytes(TokenID(tok.vocabularySize)).isEmpty)
        #expect(tok.vocabularySize == TinyVocab.tokens.count)
        #expect(tok.bosID == 1 && tok.eosID == 2)
        let hello = try id("hello")
        #expect(tok.isSpecial(0) && !tok.isSpecial(3) && !tok.isSpecial(hello))
    }

    @Test("end of generation: eos, <|im_end|> and <|endoftext|>")
    func endOfGeneration() throws {
        #expect(tok.isEndOfGeneration(2))
        #expect(tok.isEndOfGeneration(0))
        #expect(!tok.isEndOfGeneration(1))
        let hello = try id("hello")
        #expect(!tok.isEndOfGeneration(hello))
    }

    @Test("encoding is the same with a cold and a warm word cache")
    func cacheConsistency() {
        let text = "hello world hello world llo 12 12"
        let first = tok.encode(text, parseSpecial: false)
        let second = tok.encode(text, parseSpecial: false)
        let fresh = (try? TinyVocab.tokenizer())?.encode(text, parseSpecial: false)
        #expect(first == second)
        #expect(first == fresh)
    }

    @Test("long words and long whitespace runs merge correctly")
    func longInputs() throws {
        let spaces = String(repeating: " ", count: 101)
        // 100 spaces pair up into 50 "ĠĠ"; the 101st prefixes "hello" but has no merge with it.
        let ids = tok.encode(spaces + "hello", parseSpecial: false)
        #expect(ids == [TokenID](repeating: try id("ĠĠ"), count: 50) + [TinyVocab.byteID(0x20), try id("hello")])
        let long = String(repeating: "he", count: 500)
        #expect(tok.encode(long, parseSpecial: false) == [TokenID](repeating: try id("he"), count: 500))
    }

    @Test("invalid construction throws typed errors")
    func invalidInputs() {
        #expect(throws: TokenizerError.emptyVocabulary) {
            try BPETokenizer(tokens: [], merges: [], tokenTypes: [], bosID: nil, eosID: nil, unknownID: nil, addBOS: false, preTokenizer: "smollm")
        }
        #expect(throws: TokenizerError.tokenTypeCountMismatch(tokens: TinyVocab.tokens.count, tokenTypes: 1)) {
            try BPETokenizer(tokens: TinyVocab.tokens, merges: [], tokenTypes: [1], bosID: nil, eosID: nil, unknownID: nil, addBOS: false, preTokenizer: "smollm")
        }
        #expect(throws: TokenizerError.malformedMerge(index: 0, text: "nospace")) {
            try BPETokenizer(tokens: TinyVocab.tokens, merges: ["nospace"], tokenTypes: [], bosID: nil, eosID: nil, unknownID: nil, addBOS: false, preTokenizer: "smollm")
        }
        #expect(throws: TokenizerError.unsupportedPreTokenizer("llama3")) {
            try BPETokenizer(tokens: TinyVocab.tokens, merges: [], tokenTypes: [], bosID: nil, eosID: nil, unknownID: nil, addBOS: false, preTokenizer: "llama3")
        }
        #expect(throws: TokenizerError.specialTokenOutOfRange(name: "eos", id: 100_000, vocabularySize: TinyVocab.tokens.count)) {
            try BPETokenizer(tokens: TinyVocab.tokens, merges: [], tokenTypes: [], bosID: nil, eosID: 100_000, unknownID: nil, addBOS: false, preTokenizer: "smollm")
        }
    }

    @Test("smollm isolates digits; gpt2 keeps number runs together")
    func digitsByPreTokenizer() throws {
        let gpt2 = try TinyVocab.tokenizer(preTokenizer: "gpt2")
        #expect(tok.encode("12", parseSpecial: false) == [TinyVocab.byteID(0x31), TinyVocab.byteID(0x32)])
        #expect(gpt2.encode("12", parseSpecial: false) == [try id("12")])
    }
}
