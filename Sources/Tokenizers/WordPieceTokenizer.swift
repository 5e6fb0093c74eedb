import ServeCore

/// BERT WordPiece tokenizer (all-MiniLM-L6-v2), matching HF `tokenizers` with the model's
/// tokenizer.json: BERT normaliser and pre-tokeniser, greedy longest-match WordPiece with `##`
/// continuations, words over 100 characters → `[UNK]`, special tokens (`[CLS]`, `[SEP]`, `[PAD]`,
/// `[MASK]`, `[UNK]`) recognised verbatim in the raw text, `[CLS] … [SEP]` around the result.
public struct WordPieceTokenizer: Sendable {
    /// The special tokens' spellings: BERT's `[CLS]`/`[SEP]`/… or MPNet's `<s>`/`</s>`/….
    public struct SpecialTokens: Sendable, Hashable {
        public var cls: String, sep: String, unknown: String, pad: String, mask: String

        public init(cls: String, sep: String, unknown: String, pad: String, mask: String) {
            self.cls = cls
            self.sep = sep
            self.unknown = unknown
            self.pad = pad
            self.mask = mask
        }

        public static let bert = SpecialTokens(cls: "[CLS]", sep: "[SEP]", unknown: "[UNK]", pad: "[PAD]", mask: "[MASK]")
        /// all-mpnet-base-v2's tokenizer_config.json (its unknown token is BERT's `[UNK]`).
        public static let mpnet = SpecialTokens(cls: "<s>", sep: "</s>", unknown: "[UNK]", pad: "<pad>", mask: "<mask>")
    }

    public let clsID: TokenID
    public let sepID: TokenID
    public let unknownID: TokenID
    /// `[PAD]` when the vocabulary has it.
    public let padID: TokenID?
    public let lowercase: Bool
    /// Longer words become a single `[UNK]` (HF `max_input_chars_per_word`).
    public let maxInputCharsPerWord = 100

    private let ids: [String: TokenID]
    private let vocabulary: [String]
    /// Added special tokens matched before normalisation, longest first.
    private let specials: [(utf8: [UInt8], id: TokenID)]
    /// The first bytes of the special tokens ("[" for BERT, "<" for MPNet), indexed by byte.
    private let specialStarts: [Bool]

    /// - Parameter vocabulary: vocab.txt lines in order (index = id).
    public init(vocabulary: [String], lowercase: Bool = true, specialTokens: SpecialTokens = .bert) throws(TokenizerError) {
        guard !vocabulary.isEmpty else { throw .emptyVocabulary }
        var ids: [String: TokenID] = [:]
        ids.reserveCapacity(vocabulary.count)
        for (index, token) in vocabulary.enumerated() where ids[token] == nil {
            ids[token] = TokenID(index)
        }
        let names = specialTokens
        guard let cls = ids[names.cls] else { throw .missingSpecialToken(names.cls) }
        guard let sep = ids[names.sep] else { throw .missingSpecialToken(names.sep) }
        guard let unk = ids[names.unknown] else { throw .missingSpecialToken(names.unknown) }
        self.clsID = cls
        self.sepID = sep
        self.unknownID = unk
        self.padID = ids[names.pad]
        self.lowercase = lowercase
        self.ids = ids
        self.vocabulary = vocabulary
        self.specials = [names.mask, names.cls, names.sep, names.pad, names.unknown].compactMap { text in
            ids[text].map { (Array(text.utf8), $0) }
        }
        var starts = [Bool](repeating: false, count: 256)
        for s in specials { if let b = s.utf8.first { starts[Int(b)] = true } }
        self.specialStarts = starts
    }

    public var vocabularySize: Int { vocabulary.count }

    /// The vocabulary string of `id` (nil when out of range).
    public func token(_ id: TokenID) -> String? {
        id >= 0 && Int(id) < vocabulary.count ? vocabulary[Int(id)] : nil
    }

    /// `[CLS] tokens… [SEP]`, with the word pieces truncated so the whole fits in `maxLength`
    /// (HF truncation: pieces are cut, the special tokens stay). `maxLength < 2` yields `[]`.
    public func encode(_ text: String, maxLength: Int) -> [TokenID] {
        guard maxLength >= 2 else { return [] }
        let budget = maxLength - 2
        var pieces: [TokenID] = []
        let utf8 = Array(text.utf8)
        for segment in splitSpecials(utf8) {
            switch segment {
            case let .special(id):
                pieces.append(id)
            case let .text(range):
                // Special tokens are ASCII, so `range` lies on scalar boundaries.
                let span = String(decoding: utf8[range], as: UTF8.self)
                for word in BertText.words(span, lowercase: lowercase) {
                    appendWordPieces(word, to: &pieces)
                }
            }
            if pieces.count >= budget { break }
        }
        if pieces.count > budget { pieces.removeLast(pieces.count - budget) }
        return [clsID] + pieces + [sepID]
    }

    /// Greedy longest-match-first over the word's characters (HF splits on `char`, i.e. scalars).
    func appendWordPieces(_ word: String, to output: inout [TokenID]) {
        let scalars = Array(word.unicodeScalars)
        guard scalars.count <= maxInputCharsPerWord else {
            output.append(unknownID)
            return
        }
        var pieces: [TokenID] = []
        var start = 0
        while start < scalars.count {
            var end = scalars.count
            var found: TokenID?
            while start < end {
                var candidate = String(String.UnicodeScalarView(scalars[start..<end]))
                if start > 0 { candidate = "##" + candidate }
                if let id = ids[candidate] {
                    found = id
                    break
                }
                end -= 1
            }
            guard let found else {
                output.append(unknownID)
                return
            }
            pieces.append(found)
            start = end
        }
        output.append(contentsOf: pieces)
    }

    private enum Segment {
        case text(Range<Int>)
        case special(TokenID)
    }

    /// Splits raw UTF-8 around verbatim special-token occurrences (leftmost, then longest).
    /// Matching is on bytes, not `Character`s: a combining mark after `[SEP]` must not hide it.
    private func splitSpecials(_ utf8: [UInt8]) -> [Segment] {
        var segments: [Segment] = []
        var textStart = 0
        var index = 0
        while index < utf8.count {
            // Only positions holding a special token's first byte need checking.
            guard specialStarts[Int(utf8[index])], let match = specialMatch(utf8, at: index) else {
                index += 1
                continue
            }
            if textStart < index { segments.append(.text(textStart..<index)) }
            segments.append(.special(match.id))
            index += match.length
            textStart = index
        }
        if textStart < utf8.count { segments.append(.text(textStart..<utf8.count)) }
        return segments
    }

    private func specialMatch(_ utf8: [UInt8], at index: Int) -> (id: TokenID, length: Int)? {
        var best: (id: TokenID, length: Int)?
        for special in specials where special.utf8.count > (best?.length ?? 0) && index + special.utf8.count <= utf8.count {
            if utf8[index..<(index + special.utf8.count)].elementsEqual(special.utf8) {
                best = (special.id, special.utf8.count)
            }
        }
        return best
    }
}
