/// Splits raw text into the "words" BPE merges within, exactly as llama.cpp does for the
/// supported `tokenizer.ggml.pre` values.
///
/// - `gpt2`: one pass of GPT-2's regex
///   `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`.
/// - `smollm` (llama.cpp `LLAMA_VOCAB_PRE_TYPE_SMOLLM`): first `\p{N}` isolates every number
///   code point as its own chunk (so `2024` is four words and a space before a digit is never
///   glued to it), then the GPT-2 regex runs inside each chunk.
///
/// Hand-written over unicode scalars (no regex engine) following llama.cpp's custom GPT-2 splitter,
/// including its contraction matching (lower-case only) and the `\s+(?!\S)` rule that leaves the
/// last whitespace of a run to prefix the next word.
public enum PreTokenizer: String, Sendable, CaseIterable {
    case smollm
    case gpt2

    /// Maps a GGUF `tokenizer.ggml.pre` value.
    public init(name: String) throws(TokenizerError) {
        guard let kind = PreTokenizer(rawValue: name) else { throw .unsupportedPreTokenizer(name) }
        self = kind
    }

    /// Splits `utf8` (valid UTF-8) into word byte ranges, in order, covering every byte.
    public func split(_ utf8: [UInt8]) -> [Range<Int>] {
        var words: [Range<Int>] = []
        var scalars = ScalarBuffer()
        scalars.decode(utf8, range: 0..<utf8.count)
        split(scalars, into: &words)
        return words
    }

    /// Splits a sub-range of `utf8` (starting and ending on scalar boundaries).
    func split(_ utf8: [UInt8], range: Range<Int>, scratch: inout ScalarBuffer, into words: inout [Range<Int>]) {
        scratch.decode(utf8, range: range)
        split(scratch, into: &words)
    }

    private func split(_ scalars: ScalarBuffer, into words: inout [Range<Int>]) {
        let count = scalars.values.count
        guard count > 0 else { return }
        switch self {
        case .gpt2:
            Self.gpt2Split(scalars, 0..<count, into: &words)
        case .smollm:
            var chunkStart = 0
            for index in 0..<count where scalars.classes[index] == .number {
                if chunkStart < index { Self.gpt2Split(scalars, chunkStart..<index, into: &words) }
                words.append(scalars.byteOffsets[index]..<scalars.byteOffsets[index + 1])
                chunkStart = index + 1
            }
            if chunkStart < count { Self.gpt2Split(scalars, chunkStart..<count, into: &words) }
        }
    }

    /// GPT-2's regex over scalars `chunk`; appends byte ranges.
    private static func gpt2Split(_ s: ScalarBuffer, _ chunk: Range<Int>, into words: inout [Range<Int>]) {
        let end = chunk.upperBound
        var pos = chunk.lowerBound
        var wordStart = pos

        // Class of the scalar at `i`, or nil outside the chunk (llama.cpp's "no flags").
        func cls(_ i: Int) -> ScalarClass? { i < end ? s.classes[i] : nil }
        func emit(_ upTo: Int) {
            if upTo > wordStart { words.append(s.byteOffsets[wordStart]..<s.byteOffsets[upTo]) }
            wordStart = upTo
        }

        let apostrophe: UInt32 = 0x27, space: UInt32 = 0x20
        while pos < end {
            let c = s.values[pos]
            // 's|'t|'re|'ve|'m|'ll|'d  (case-sensitive, like the regex)
            if c == apostrophe, pos + 1 < end {
                let n1 = s.values[pos + 1]
                if n1 == 0x73 || n1 == 0x74 || n1 == 0x6D || n1 == 0x64 {  // s t m d
                    pos += 2; emit(pos); continue
                }
                if pos + 2 < end {
                    let n2 = s.values[pos + 2]
                    if (n1 == 0x72 && n2 == 0x65) || (n1 == 0x76 && n2 == 0x65) || (n1 == 0x6C && n2 == 0x6C) {  // re ve ll
                        pos += 3; emit(pos); continue
                    }
                }
            }
            // An optional single leading space joins the following letters/numbers/symbols.
            let leadClass = c == space ? cls(pos + 1) : s.classes[pos]
            if let lead = leadClass, lead != .whitespace {
                if c == space { pos += 1 }
                while cls(pos) == lead { pos += 1 }
                emit(pos)
                continue
            }
            // \s+(?!\S) then \s+: a run of ≥2 whitespace followed by more text gives its last
            // whitespace to the next word.
            var run = 0
            while cls(pos + run) == .whitespace { run += 1 }
            if run > 1, pos + run < end {
                pos += run - 1; emit(pos); continue
            }
            if run > 0 {
                pos += run; emit(pos); continue
            }
            pos += 1
            emit(pos)
        }
    }
}

/// Decoded scalars of a UTF-8 range with their classes and byte offsets (reused across calls).
struct ScalarBuffer {
    var values: [UInt32] = []
    var classes: [ScalarClass] = []
    /// `byteOffsets[i]` is where scalar `i` starts; one extra entry marks the end.
    var byteOffsets: [Int] = []

    mutating func decode(_ utf8: [UInt8], range: Range<Int>) {
        values.removeAll(keepingCapacity: true)
        classes.removeAll(keepingCapacity: true)
        byteOffsets.removeAll(keepingCapacity: true)
        var i = range.lowerBound
        let end = range.upperBound
        while i < end {
            let (value, length) = UTF8Scalar.decode(utf8, at: i, end: end)
            values.append(value)
            classes.append(ScalarClass.of(value))
            byteOffsets.append(i)
            i += length
        }
        byteOffsets.append(end)
    }
}

/// Minimal UTF-8 decoding for input that came from a Swift `String` (hence valid); a malformed
/// byte is still consumed one at a time as U+FFFD so callers never loop forever.
enum UTF8Scalar {
    @inline(__always)
    static func decode(_ bytes: [UInt8], at i: Int, end: Int) -> (value: UInt32, length: Int) {
        let b0 = UInt32(bytes[i])
        if b0 < 0x80 { return (b0, 1) }
        let length = sequenceLength(leadByte: bytes[i])
        guard length > 1, i + length <= end else { return (0xFFFD, 1) }
        var value = b0 & (0xFF >> UInt32(length + 1))
        for k in 1..<length {
            let b = bytes[i + k]
            guard b & 0xC0 == 0x80 else { return (0xFFFD, 1) }
            value = value << 6 | UInt32(b & 0x3F)
        }
        return (value, length)
    }

    /// Bytes in the sequence a lead byte starts (1 for ASCII and for invalid lead bytes).
    @inline(__always)
    static func sequenceLength(leadByte b: UInt8) -> Int {
        switch b {
        case 0xC2...0xDF: return 2
        case 0xE0...0xEF: return 3
        case 0xF0...0xF4: return 4
        default: return 1
        }
    }
}
