/// One request from a public trace: arrival and token counts (public traces carry no adapter ids).
public struct TraceRecord: Sendable, Hashable, Codable {
    /// Seconds since the trace's first request.
    public var arrivalSeconds: Double
    public var promptTokens: Int
    public var outputTokens: Int

    public init(arrivalSeconds: Double, promptTokens: Int, outputTokens: Int) {
        self.arrivalSeconds = arrivalSeconds
        self.promptTokens = promptTokens
        self.outputTokens = outputTokens
    }
}

/// Why a trace could not be read; carries the line for context.
public enum TraceError: Error, Sendable, Equatable, CustomStringConvertible {
    case missingColumn(String, header: String)
    case badLine(line: Int, reason: String)
    case empty

    public var description: String {
        switch self {
        case let .missingColumn(c, h): "trace header has no column \(c): \(h)"
        case let .badLine(l, r): "trace line \(l): \(r)"
        case .empty: "trace has no requests"
        }
    }
}

/// Readers for the public traces the literature uses. All take the file's text (the caller does
/// the I/O), return records sorted by arrival and rebased so the first arrival is at 0.
public enum TraceReader {
    /// Azure LLM inference trace 2023: `TIMESTAMP,ContextTokens,GeneratedTokens`, timestamps like
    /// `2023-11-16 18:15:46.6805900` (one day or a few; parsed without a calendar: day-of-month
    /// rollover is handled, month rollover is not needed for the published traces).
    public static func azure(csv text: String) throws(TraceError) -> [TraceRecord] {
        try csvRecords(text, time: "TIMESTAMP", prompt: "ContextTokens", output: "GeneratedTokens") { s throws(TraceError) in
            guard let t = parseClockTimestamp(s) else { throw .badLine(line: 0, reason: "bad timestamp \(s)") }
            return t
        }
    }

    /// BurstGPT: `Timestamp,Model,Request tokens,Response tokens,Total tokens,Log Type`, seconds.
    /// Rows with zero response tokens (failed requests in the trace) are skipped.
    public static func burstGPT(csv text: String) throws(TraceError) -> [TraceRecord] {
        try csvRecords(text, time: "Timestamp", prompt: "Request tokens", output: "Response tokens") { s throws(TraceError) in
            guard let t = Double(s) else { throw .badLine(line: 0, reason: "bad timestamp \(s)") }
            return t
        }
    }

    /// Mooncake: JSON lines with `timestamp` (milliseconds), `input_length`, `output_length`.
    public static func mooncake(jsonl text: String) throws(TraceError) -> [TraceRecord] {
        var out: [TraceRecord] = []
        var lineNo = 0
        for line in text.split(whereSeparator: \.isNewline) {
            lineNo += 1
            let l = line.trimmingSpaces
            guard !l.isEmpty else { continue }
            guard let ts = jsonNumber(l, key: "timestamp"), let inp = jsonNumber(l, key: "input_length"),
                  let outp = jsonNumber(l, key: "output_length") else {
                throw .badLine(line: lineNo, reason: "needs numeric timestamp, input_length, output_length")
            }
            out.append(TraceRecord(arrivalSeconds: ts / 1000, promptTokens: Int(inp), outputTokens: Int(outp)))
        }
        return try normalise(out)
    }

    // MARK: - Helpers

    static func csvRecords(_ text: String, time: String, prompt: String, output: String,
                           parseTime: (Substring) throws(TraceError) -> Double) throws(TraceError) -> [TraceRecord] {
        var lines = text.split(whereSeparator: \.isNewline).makeIterator()
        guard let headerLine = lines.next() else { throw .empty }
        let header = headerLine.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingSpaces }
        func column(_ name: String) throws(TraceError) -> Int {
            guard let i = header.firstIndex(where: { $0.lowercased() == name.lowercased() }) else {
                throw .missingColumn(name, header: String(headerLine))
            }
            return i
        }
        let ti = try column(time), pi = try column(prompt), oi = try column(output)
        var out: [TraceRecord] = []
        var lineNo = 1
        while let line = lines.next() {
            lineNo += 1
            let cells = line.split(separator: ",", omittingEmptySubsequences: false)
            if cells.count == 1, cells[0].trimmingSpaces.isEmpty { continue }
            guard cells.count > max(ti, pi, oi) else { throw .badLine(line: lineNo, reason: "\(cells.count) columns") }
            let t: Double
            do { t = try parseTime(cells[ti].trimmingSpaces[...]) } catch { throw .badLine(line: lineNo, reason: "\(error)") }
            guard let p = Int(cells[pi].trimmingSpaces), let o = Int(cells[oi].trimmingSpaces), p >= 0, o >= 0 else {
                throw .badLine(line: lineNo, reason: "token counts must be non-negative integers")
            }
            if o == 0 { continue }
            out.append(TraceRecord(arrivalSeconds: t, promptTokens: max(p, 1), outputTokens: o))
        }
        return try normalise(out)
    }

    static func normalise(_ records: [TraceRecord]) throws(TraceError) -> [TraceRecord] {
        guard !records.isEmpty else { throw .empty }
        let sorted = records.enumerated().sorted {
            $0.element.arrivalSeconds != $1.element.arrivalSeconds ? $0.element.arrivalSeconds < $1.element.arrivalSeconds : $0.offset < $1.offset
        }.map(\.element)
        let t0 = sorted[0].arrivalSeconds
        return sorted.map { TraceRecord(arrivalSeconds: $0.arrivalSeconds - t0, promptTokens: $0.promptTokens, outputTokens: $0.outputTokens) }
    }

    /// `YYYY-MM-DD hh:mm:ss[.fraction]` → seconds since the start of the month.
    static func parseClockTimestamp(_ s: Substring) -> Double? {
        let parts = s.split(separator: " ")
        guard parts.count == 2 else { return Double(s) }
        let date = parts[0].split(separator: "-"), clock = parts[1].split(separator: ":")
        guard date.count == 3, clock.count == 3, let day = Int(date[2]), let h = Int(clock[0]), let m = Int(clock[1]),
              let sec = Double(clock[2]) else { return nil }
        return Double(day) * 86_400 + Double(h) * 3_600 + Double(m) * 60 + sec
    }

    /// The number after `"key":` in a flat JSON object line.
    static func jsonNumber(_ line: String, key: String) -> Double? {
        guard let r = line.firstRange(ofText: "\"\(key)\"") else { return nil }
        var i = r.upperBound
        while i < line.endIndex, line[i] == " " || line[i] == ":" { i = line.index(after: i) }
        var j = i
        while j < line.endIndex, "0123456789.-+eE".contains(line[j]) { j = line.index(after: j) }
        return Double(line[i..<j])
    }
}

extension StringProtocol {
    var trimmingSpaces: String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" || f == "\r" || f == "\"" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" || l == "\r" || l == "\"" { s.removeLast() }
        return String(s)
    }
}

extension String {
    func firstRange(ofText needle: String) -> Range<String.Index>? {
        guard !needle.isEmpty else { return nil }
        var i = startIndex
        while i < endIndex {
            if self[i...].hasPrefix(needle) { return i ..< index(i, offsetBy: needle.count) }
            i = index(after: i)
        }
        return nil
    }
}
