import ServeCore
import Testing
import Tokenizers

@Suite("StreamingDetokenizer")
struct StreamingDetokenizerTests {
    let tok: BPETokenizer

    init() throws {
        tok = try TinyVocab.tokenizer()
    }

    private func stream(_ ids: [TokenID], skipSpecial: Bool = false) -> (pieces: [String], finish: String) {
        var detok = StreamingDetokenizer(tokenizer: tok, skipSpecial: skipSpecial)
        let pieces = ids.map { detok.push($0) }
        return (pieces, detok.finish())
    }

    @Test("a four-byte emoji appears only when its last byte arrives")
    func holdsIncompleteCharacters() {
        let ids = tok.encode("a😀b", parseSpecial: false)
        #expect(ids.count == 6)
        let result = stream(ids)
        #expect(result.pieces == ["a", "", "", "", "😀", "b"])
        #expect(result.finish == "")
    }

    @Test("an unfinished character is flushed by finish as U+FFFD")
    func finishFlushes() {
        let ids = Array(Array("😀".utf8).prefix(2)).map(TinyVocab.byteID)
        let result = stream(ids)
        #expect(result.pieces.allSatisfy { $0.isEmpty })
        #expect(result.finish == "\u{FFFD}")
        #expect(tok.decode(ids) == "\u{FFFD}")
    }

    @Test("pushes + finish equal one-shot decoding for random token sequences", arguments: [UInt64(1), 2, 3, 4, 5])
    func propertyMatchesDecode(seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        // Real text with multi-byte characters split across byte tokens, plus random ids
        // (random bytes make invalid UTF-8, which must also come out identically).
        let fragments = ["hello", " world", "😀", "👨‍👩‍👧", "你好", "é", "\u{301}", "<|im_end|>", "12", "\n", "ü"]
        var heldBack = 0
        for _ in 0..<200 {
            var ids: [TokenID] = []
            let length = Int(rng.next() % 24)
            for _ in 0..<length {
                if rng.next() % 3 == 0 {
                    ids.append(TokenID(rng.next() % UInt64(tok.vocabularySize)))
                } else {
                    let fragment = fragments[Int(rng.next() % UInt64(fragments.count))]
                    ids += tok.encode(fragment, parseSpecial: true)
                }
            }
            var probe = StreamingDetokenizer(tokenizer: tok)
            for id in ids {
                _ = probe.push(id)
                heldBack += probe.pendingByteCount > 0 ? 1 : 0
            }
            for skip in [false, true] {
                let result = stream(ids, skipSpecial: skip)
                let streamed = result.pieces.joined() + result.finish
                #expect(streamed == tok.decode(ids, skipSpecial: skip), "ids \(ids)")
            }
        }
        // The sequences really do split characters across tokens.
        #expect(heldBack > 0)
    }

    @Test("valid text never yields U+FFFD mid-stream")
    func noReplacementForValidText() {
        let text = "Mixed: café 😀 🇺🇸 👍🏽 你好，世界 \u{10FFFF} end"
        let result = stream(tok.encode(text, parseSpecial: false))
        #expect(result.pieces.allSatisfy { !$0.contains("\u{FFFD}") })
        #expect(result.pieces.joined() + result.finish == text)
    }
}
