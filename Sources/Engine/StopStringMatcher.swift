/// Finds stop strings in streamed text and holds back any tail that could still become one, so a
/// client never sees the beginning of a stop string (OpenAI/vLLM semantics: the stop string itself
/// is not part of the output).
public struct StopStringMatcher: Sendable {
    public let stops: [String]
    private var pending = ""
    private let longestStop: Int

    public init(stops: [String]) {
        self.stops = stops.filter { !$0.isEmpty }
        longestStop = self.stops.map(\.count).max() ?? 0
    }

    /// Feeds newly decoded text. Returns the text safe to emit now, and whether a stop string ended it.
    public mutating func push(_ text: String) -> (emit: String, stopped: Bool) {
        guard longestStop > 0 else { return (text, false) }
        pending += text
        var earliest: String.Index?
        for stop in stops {
            if let range = pending.range(of: stop), earliest.map({ range.lowerBound < $0 }) ?? true {
                earliest = range.lowerBound
            }
        }
        if let earliest {
            let emit = String(pending[..<earliest])
            pending = ""
            return (emit, true)
        }
        // Keep the longest suffix that is a proper prefix of some stop string.
        var keep = 0
        for length in stride(from: min(longestStop - 1, pending.count), through: 1, by: -1) {
            let suffix = pending.suffix(length)
            if stops.contains(where: { $0.hasPrefix(suffix) }) { keep = length; break }
        }
        let emit = String(pending.dropLast(keep))
        pending = String(pending.suffix(keep))
        return (emit, false)
    }

    /// Text held back at the end of generation (no stop string completed).
    public mutating func flush() -> String {
        defer { pending = "" }
        return pending
    }
}
