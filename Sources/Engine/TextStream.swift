import ServeCore
import Tokenizers

/// Turns sampled tokens into the text a client sees: complete UTF-8 only, stop strings cut off (and
/// never shown, not even their first characters), held-back text flushed at the end. Shared by the
/// single-stream `Generator` and the batching step loop so both stream identically.
struct TextStream {
    private var detokenizer: StreamingDetokenizer
    private var stops: StopStringMatcher

    init(tokenizer: BPETokenizer, stops: [String]) {
        detokenizer = StreamingDetokenizer(tokenizer: tokenizer)
        self.stops = StopStringMatcher(stops: stops)
    }

    /// Text completed by `token`, and whether a stop string ended the output there.
    mutating func push(_ token: TokenID) -> (text: String, stopped: Bool) {
        let (emit, stopped) = stops.push(detokenizer.push(token))
        return (emit, stopped)
    }

    /// Text still held back when generation ends for another reason (end token, length limit),
    /// and whether that tail itself completed a stop string.
    mutating func finish() -> (text: String, stopped: Bool) {
        let (emit, stopped) = stops.push(detokenizer.finish())
        return stopped ? (emit, true) : (emit + stops.flush(), false)
    }
}
