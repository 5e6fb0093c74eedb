import Foundation
import Engine

/// A minimal writer of the Prometheus text exposition format 0.0.4: `# HELP` / `# TYPE` once per
/// family, then its samples, label values escaped (`\\`, `\"`, `\n`).
package struct PrometheusExposition {
    package enum MetricType: String { case counter, gauge, histogram }

    package private(set) var text = ""
    private var declared: Set<String> = []

    /// Starts a family; all of its samples must follow before the next family starts.
    package init() {}

    package mutating func family(_ name: String, _ type: MetricType, help: String) {
        guard declared.insert(name).inserted else { return }
        text += "# HELP \(name) \(Self.escapeHelp(help))\n# TYPE \(name) \(type.rawValue)\n"
    }

    package mutating func sample(_ name: String, _ labels: [(String, String)] = [], _ value: Double) {
        text += name
        if !labels.isEmpty {
            text += "{" + labels.map { "\($0.0)=\"\(Self.escapeLabel($0.1))\"" }.joined(separator: ",") + "}"
        }
        text += " " + Self.format(value) + "\n"
    }

    /// `_bucket` (cumulative, with `+Inf`), `_sum` and `_count` samples of one histogram series.
    package mutating func histogram(_ name: String, _ labels: [(String, String)] = [], _ summary: LatencySummary) {
        for (bound, count) in zip(summary.bounds, summary.bucketCounts) {
            sample(name + "_bucket", labels + [("le", Self.format(bound))], Double(count))
        }
        sample(name + "_bucket", labels + [("le", "+Inf")], Double(summary.count))
        sample(name + "_sum", labels, summary.sum)
        sample(name + "_count", labels, Double(summary.count))
    }

    package static func escapeLabel(_ value: String) -> String {
        var out = ""
        out.reserveCapacity(value.utf8.count)
        for character in value.unicodeScalars {
            switch character {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.unicodeScalars.append(character)
            }
        }
        return out
    }

    package static func escapeHelp(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\n", with: "\\n")
    }

    /// Integers without a fraction, infinities and NaN as Prometheus spells them.
    package static func format(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }
}
