/// A small parser for the Prometheus text exposition format (0.0.4): enough to read a worker's
/// `/metrics` (vLLM names). Comments, `# HELP`/`# TYPE` lines and timestamps are skipped.
public enum PrometheusText {
    public struct Sample: Sendable, Hashable {
        public var name: String
        public var labels: [String: String]
        public var value: Double
    }

    /// Parses every sample line; malformed lines are skipped (a scrape must not fail on one bad line).
    public static func parse(_ text: String) -> [Sample] {
        var out: [Sample] = []
        for raw in text.split(whereSeparator: { $0 == "\n" || $0 == "\r" }) {
            let line = raw.drop { $0 == " " || $0 == "\t" }
            guard !line.isEmpty, line.first != "#" else { continue }
            if let s = parseLine(Substring(line)) { out.append(s) }
        }
        return out
    }

    static func parseLine(_ line: Substring) -> Sample? {
        var i = line.startIndex
        while i < line.endIndex, line[i] != "{", line[i] != " ", line[i] != "\t" { i = line.index(after: i) }
        let name = String(line[line.startIndex..<i])
        guard !name.isEmpty else { return nil }
        var labels: [String: String] = [:]
        if i < line.endIndex, line[i] == "{" {
            i = line.index(after: i)
            while i < line.endIndex, line[i] != "}" {
                // key
                let keyStart = i
                while i < line.endIndex, line[i] != "=" { i = line.index(after: i) }
                guard i < line.endIndex else { return nil }
                let key = line[keyStart..<i].trimmingSpaces()
                i = line.index(after: i)
                guard i < line.endIndex, line[i] == "\"" else { return nil }
                i = line.index(after: i)
                var value = ""
                while i < line.endIndex, line[i] != "\"" {
                    if line[i] == "\\" {
                        i = line.index(after: i)
                        guard i < line.endIndex else { return nil }
                        switch line[i] {
                        case "n": value.append("\n")
                        default: value.append(line[i])
                        }
                    } else {
                        value.append(line[i])
                    }
                    i = line.index(after: i)
                }
                guard i < line.endIndex else { return nil }
                i = line.index(after: i)  // closing quote
                labels[key] = value
                while i < line.endIndex, line[i] == "," || line[i] == " " { i = line.index(after: i) }
            }
            guard i < line.endIndex else { return nil }
            i = line.index(after: i)  // }
        }
        let rest = line[i...].split(whereSeparator: { $0 == " " || $0 == "\t" })
        guard let first = rest.first, let value = parseValue(first) else { return nil }
        return Sample(name: name, labels: labels, value: value)
    }

    static func parseValue(_ s: Substring) -> Double? {
        switch s {
        case "+Inf", "Inf": .infinity
        case "-Inf": -.infinity
        case "NaN": .nan
        default: Double(s)
        }
    }
}

extension Substring {
    fileprivate func trimmingSpaces() -> String {
        String(self.drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}

extension Array where Element == PrometheusText.Sample {
    /// Sum of the samples named `name` (over all label sets), nil when absent.
    public func sum(_ name: String) -> Double? {
        var found = false, total = 0.0
        for s in self where s.name == name { found = true; total += s.value }
        return found ? total : nil
    }

    public func first(_ name: String) -> PrometheusText.Sample? { first { $0.name == name } }

    /// Cumulative histogram buckets of `name` (`name_bucket{le=...}`) summed over other labels.
    public func buckets(_ name: String) -> [(le: Double, count: Double)] {
        var byLE: [Double: Double] = [:]
        for s in self where s.name == name + "_bucket" {
            guard let le = s.labels["le"].flatMap({ PrometheusText.parseValue(Substring($0)) }) else { continue }
            byLE[le, default: 0] += s.value
        }
        return byLE.sorted { $0.key < $1.key }.map { (le: $0.key, count: $0.value) }
    }
}

/// Quantiles from cumulative histogram buckets (linear interpolation inside a bucket, as PromQL).
public enum HistogramQuantile {
    public static func quantile(_ q: Double, buckets: [(le: Double, count: Double)]) -> Double? {
        guard let total = buckets.last?.count, total > 0 else { return nil }
        let rank = q * total
        var prevLE = 0.0, prevCount = 0.0
        for b in buckets {
            if b.count >= rank {
                if b.le.isInfinite { return prevLE }
                let inBucket = b.count - prevCount
                guard inBucket > 0 else { return b.le }
                return prevLE + (b.le - prevLE) * (rank - prevCount) / inBucket
            }
            prevLE = b.le
            prevCount = b.count
        }
        return prevLE
    }

    /// Per-bucket difference of two cumulative snapshots (counts since `earlier`).
    public static func delta(_ now: [(le: Double, count: Double)], since earlier: [(le: Double, count: Double)]) -> [(le: Double, count: Double)] {
        let before = Dictionary(earlier.map { ($0.le, $0.count) }, uniquingKeysWith: +)
        return now.map { (le: $0.le, count: max(0, $0.count - (before[$0.le] ?? 0))) }
    }
}
