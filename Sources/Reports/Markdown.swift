import Foundation

/// Markdown building blocks for generated reports.
public enum Markdown {
    /// A pipe table; cells have `|` and newlines escaped. Rows shorter than the header are padded.
    public static func table(_ headers: [String], _ rows: [[String]], alignRight: Set<Int> = []) -> String {
        func cell(_ s: String) -> String {
            s.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
        }
        var out = "| " + headers.map(cell).joined(separator: " | ") + " |\n"
        out += "|" + headers.indices.map { alignRight.contains($0) ? "---:" : "---" }.joined(separator: "|") + "|\n"
        for r in rows {
            let padded = r + Array(repeating: "", count: max(0, headers.count - r.count))
            out += "| " + padded.prefix(headers.count).map(cell).joined(separator: " | ") + " |\n"
        }
        return out
    }

    /// A number with `digits` significant figures, no exponent for everyday magnitudes
    /// ("0.0851", "134.6", "12,345" for large integers).
    public static func number(_ v: Double, digits: Int = 3) -> String {
        guard v.isFinite else { return v.isNaN ? "n/a" : (v > 0 ? "∞" : "-∞") }
        if v == 0 { return "0" }
        let a = abs(v)
        if a >= 1e5 { return String(format: "%.0f", v) }
        let decimals = max(0, digits - 1 - Int(Foundation.floor(Foundation.log10(a))))
        return String(format: "%.\(min(decimals, 6))f", v)
    }

    /// `ratio` formatted as "2.1×" (n/a when the denominator is zero or either side is missing).
    public static func ratio(_ numerator: Double?, _ denominator: Double?) -> String {
        guard let n = numerator, let d = denominator, d != 0, n.isFinite, d.isFinite else { return "n/a" }
        return number(n / d) + "×"
    }
}
