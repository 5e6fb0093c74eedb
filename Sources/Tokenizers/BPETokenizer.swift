import ServeCore

/// GPT-2 style byte-level BPE tokenizer (the `gpt2` GGUF tokenizer model), bit-compatible with
/// llama.cpp's tokenisation for the supported pre-tokenizers.
///
/// Immutable and shareable; the only shared mutable state is an internal word cache guarded by
/// a mutex. Encoding: split out special tokens, pre-tokenise each text span into words, map each
/// word's bytes to byte tokens, merge by rank. Decoding maps tokens back to their raw bytes.
public struct BPETokenizer: Sendable {
    /// Beginning-of-sequence token (`<|im_start|>` for SmolLM2), if the model has one.
    public let bosID: TokenID?
    /// End-of-sequence token (`<|im_end|>` for SmolLM2), if the model has one.
    public let eosID: TokenID?
    /// Token substituted for bytes that have no token (never needed by complete byte-level vocabularies).
    public let unknownID: TokenID?
    /// Whether `encode` prepends `bosID` (GGUF `tokenizer.ggml.add_bos_token`).
    public let addsBOS: Bool
    /// How raw text is split into words before merging.
    public let preTokenizer: PreTokenizer

    let tokenTexts: [String]
    let kinds: [TokenKind]
    /// Raw bytes of every token, concatenated; token `i` is `pieceBytes[pieceStarts[i]..<pieceStarts[i+1]]`.
    let pieceBytes: [UInt8]
    let pieceStarts: [Int]
    let tokenIDs: [String: TokenID]
    let merges: MergeTable
    /// Token for each raw byte's one-character spelling, or -1 when the vocabulary lacks it.
    let byteTokens: [TokenID]
    /// Tokens matched in raw text before pre-tokenisation, longest first (llama.cpp order).
    let specialTokens: [SpecialToken]
    let endOfGenerationIDs: Set<TokenID>
    let cache: WordCache

    struct SpecialToken: Sendable {
        let id: TokenID
        let utf8: [UInt8]
        /// User-defined tokens are matched even when special parsing is off.
        let alwaysMatched: Bool
    }

    /// Builds the tokenizer from GGUF-style arrays.
    ///
    /// - Parameters:
    ///   - tokens: vocabulary strings in GPT-2 byte-level spelling (`Ġ` for space); index = id.
    ///   - merges: "left right" rules, highest priority first.
    ///   - tokenTypes: GGUF token types per token (`[]` means all normal).
    ///   - preTokenizer: GGUF `tokenizer.ggml.pre` (`smollm` or `gpt2`).
    public init(
        tokens: [String], merges: [String], tokenTypes: [Int32],
        bosID: TokenID?, eosID: TokenID?, unknownID: TokenID?,
        addBOS: Bool, preTokenizer: String
    ) throws(TokenizerError) {
        guard !tokens.isEmpty else { throw .emptyVocabulary }
        guard tokenTypes.isEmpty || tokenTypes.count == tokens.count else {
            throw .tokenTypeCountMismatch(tokens: tokens.count, tokenTypes: tokenTypes.count)
        }
        for (name, id) in [("bos", bosID), ("eos", eosID), ("unknown", unknownID)] {
            if let id, id < 0 || Int(id) >= tokens.count {
                throw .specialTokenOutOfRange(name: name, id: id, vocabularySize: tokens.count)
            }
        }
        self.preTokenizer = try PreTokenizer(name: preTokenizer)
        self.bosID = bosID
        self.eosID = eosID
        self.unknownID = unknownID
        self.addsBOS = addBOS && bosID != nil

        var kinds = tokenTypes.isEmpty
            ? [TokenKind](repeating: .normal, count: tokens.count)
            : tokenTypes.map(TokenKind.init(gguf:))
        var eog: Set<TokenID> = []
        if let eosID { eog.insert(eosID) }
        for (index, text) in tokens.enumerated() where Self.endOfGenerationTexts.contains(text) {
            // llama.cpp promotes these to control tokens even when the file says otherwise.
            eog.insert(TokenID(index))
            if kinds[index] != .control { kinds[index] = .control }
        }
        self.kinds = kinds
        self.endOfGenerationIDs = eog
        self.tokenTexts = tokens

        var ids: [String: TokenID] = [:]
        ids.reserveCapacity(tokens.count)
        for (index, text) in tokens.enumerated() where ids[text] == nil {
            ids[text] = TokenID(index)
        }
        self.tokenIDs = ids
        self.merges = try MergeTable(merges: merges, tokenIDs: ids)
        self.byteTokens = (0..<256).map { byte in ids[ByteLevel.string(forByte: UInt8(byte))] ?? -1 }

        var pieceBytes: [UInt8] = []
        var pieceStarts: [Int] = [0]
        pieceStarts.reserveCapacity(tokens.count + 1)
        for (index, text) in tokens.enumerated() {
            pieceBytes.append(contentsOf: Self.rawBytes(text: text, kind: kinds[index]))
            pieceStarts.append(pieceBytes.count)
        }
        self.pieceBytes = pieceBytes
        self.pieceStarts = pieceStarts

        var specials: [SpecialToken] = []
        for (index, kind) in kinds.enumerated()
        where (kind == .control || kind == .userDefined || kind == .unknown) && !tokens[index].isEmpty {
            specials.append(SpecialToken(id: TokenID(index), utf8: Array(tokens[index].utf8), alwaysMatched: kind == .userDefined))
        }
        // Longest first; ties by id so the order is deterministic.
        specials.sort { ($0.utf8.count, -$0.id) > ($1.utf8.count, -$1.id) }
        self.specialTokens = specials
        self.cache = WordCache()
    }

    /// Token texts llama.cpp treats as end-of-generation (subset relevant to ChatML/GPT-2 families).
    static let endOfGenerationTexts: Set<String> = [
        "<|im_end|>", "<|endoftext|>", "<|eot_id|>", "<|end|>", "<end_of_turn>",
        "<|end_of_text|>", "<|eom_id|>", "<EOT>", "<end_of_utterance>",
    ]

    /// Number of tokens in the vocabulary.
    public var vocabularySize: Int { tokenTexts.count }

    /// True for tokens that end a generation: eos and the `<|im_end|>`/`<|endoftext|>` family.
    public func isEndOfGeneration(_ id: TokenID) -> Bool { endOfGenerationIDs.contains(id) }

    /// The id of the token spelled exactly `text` (vocabulary spelling, e.g. `<|im_end|>` or `Ġthe`).
    public func tokenID(forText text: String) -> TokenID? { tokenIDs[text] }

    /// The vocabulary spelling of `id`, or nil when out of range.
    public func tokenText(_ id: TokenID) -> String? {
        id >= 0 && Int(id) < tokenTexts.count ? tokenTexts[Int(id)] : nil
    }

    /// True for control/unknown tokens (hidden by `decode(_:skipSpecial: true)`).
    public func isSpecial(_ id: TokenID) -> Bool {
        id >= 0 && Int(id) < kinds.count && kinds[Int(id)].isSpecial
    }

    /// Bytes a token decodes to: byte-level decoding for normal tokens, the literal text for
    /// control and user-defined tokens, one byte for `<0xXX>` tokens; empty for unused or
    /// out-of-range ids.
    static func rawBytes(text: String, kind: TokenKind) -> [UInt8] {
        switch kind {
        case .control, .unknown, .userDefined:
            return Array(text.utf8)
        case .byte:
            let utf8 = Array(text.utf8)
            // "<0xAB>"
            guard utf8.count == 6, let value = UInt8(String(decoding: utf8[3..<5], as: UTF8.self), radix: 16) else {
                return ByteLevel.decode(text)
            }
            return [value]
        case .unused:
            return []
        case .normal, .undefined:
            return ByteLevel.decode(text)
        }
    }
}
