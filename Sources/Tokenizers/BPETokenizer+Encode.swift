import ServeCore

extension BPETokenizer {
    /// Encodes text to token ids, prepending `bosID` when `addsBOS`.
    ///
    /// - Parameter parseSpecial: when true, control-token text in the input (`<|im_start|>`)
    ///   becomes that control token, as llama.cpp's `tokenize(..., special=true)`; when false it
    ///   is tokenised as plain text. User-defined tokens are matched either way.
    public func encode(_ text: String, parseSpecial: Bool) -> [TokenID] {
        let utf8 = Array(text.utf8)
        var output: [TokenID] = []
        output.reserveCapacity(utf8.count / 3 + 2)
        if addsBOS, let bosID { output.append(bosID) }
        guard !utf8.isEmpty else { return output }

        var fragments: [Fragment] = [.text(0..<utf8.count)]
        for special in specialTokens where parseSpecial || special.alwaysMatched {
            fragments = Self.isolate(special, in: utf8, fragments: fragments)
        }

        var state = EncodeState()
        for fragment in fragments {
            switch fragment {
            case let .token(id):
                output.append(id)
            case let .text(range):
                encodeText(utf8, range: range, state: &state, into: &output)
            }
        }
        return output
    }

    /// Reusable scratch for one `encode` call.
    struct EncodeState {
        var scalars = ScalarBuffer()
        var words: [Range<Int>] = []
        var merger = WordMerger()
    }

    enum Fragment: Equatable {
        case text(Range<Int>)
        case token(TokenID)
    }

    private func encodeText(_ utf8: [UInt8], range: Range<Int>, state: inout EncodeState, into output: inout [TokenID]) {
        state.words.removeAll(keepingCapacity: true)
        preTokenizer.split(utf8, range: range, scratch: &state.scalars, into: &state.words)
        for wordRange in state.words {
            let word = utf8[wordRange]
            let cacheable = word.count <= WordCache.maxWordBytes
            if cacheable, cache.append(word, to: &output) { continue }
            let start = output.count
            state.merger.merge(byteTokens: byteTokens, word: word, merges: merges, unknownID: unknownID, into: &output)
            if cacheable { cache.insert(word, tokens: output[start...]) }
        }
    }

    /// Splits every text fragment around each occurrence of `special` (left to right,
    /// non-overlapping), as llama.cpp's `tokenizer_st_partition` does for one token.
    static func isolate(_ special: SpecialToken, in utf8: [UInt8], fragments: [Fragment]) -> [Fragment] {
        let needle = special.utf8
        guard let first = needle.first else { return fragments }
        var result: [Fragment] = []
        var changed = false
        for fragment in fragments {
            guard case let .text(range) = fragment else {
                result.append(fragment)
                continue
            }
            var start = range.lowerBound
            var index = range.lowerBound
            let lastStart = range.upperBound - needle.count
            while index <= lastStart {
                if utf8[index] == first, matches(needle, in: utf8, at: index) {
                    if index > start { result.append(.text(start..<index)) }
                    result.append(.token(special.id))
                    index += needle.count
                    start = index
                    changed = true
                } else {
                    index += 1
                }
            }
            if start < range.upperBound { result.append(.text(start..<range.upperBound)) }
        }
        return changed ? result : fragments
    }

    @inline(__always)
    private static func matches(_ needle: [UInt8], in haystack: [UInt8], at offset: Int) -> Bool {
        for k in 1..<needle.count where haystack[offset + k] != needle[k] { return false }
        return true
    }
}
