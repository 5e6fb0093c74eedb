import Foundation

/// A hand-written SVG line chart of a threshold sweep: savings (paraphrase hit rate, summary
/// tokens saved), errors (near-miss false-hit rate) and accuracy (EM/F1 with the cache, and the
/// no-cache EM/F1 as dashed reference lines), all on a 0–100 % axis against the threshold.
public enum SweepPlot {
    struct Series {
        var name: String
        var color: String
        var dashed: Bool
        var values: [Double]   // 0...100
    }

    public static func svg(_ results: [ThresholdResult], title: String, marked: Float? = nil) -> String {
        let rows = results.sorted { $0.threshold < $1.threshold }
        let width = 760.0, height = 440.0, left = 60.0, right = 200.0, top = 40.0, bottom = 50.0
        let plotW = width - left - right, plotH = height - top - bottom
        let tMin = Double(rows.first?.threshold ?? 0), tMax = Double(rows.last?.threshold ?? 1)
        let span = max(tMax - tMin, 1e-6)
        func x(_ t: Double) -> Double { left + (t - tMin) / span * plotW }
        func y(_ v: Double) -> Double { top + (1 - min(max(v, 0), 100) / 100) * plotH }
        let series = [
            Series(name: "paraphrase hit rate", color: "#1f77b4", dashed: false, values: rows.map { 100 * $0.hitRate }),
            Series(name: "summary tokens saved", color: "#2ca02c", dashed: false, values: rows.map { 100 * $0.summaryTokensSavedFraction }),
            Series(name: "near-miss false hits", color: "#d62728", dashed: false, values: rows.map { 100 * $0.falseHitRate }),
            Series(name: "EM with cache", color: "#9467bd", dashed: false, values: rows.map(\.emWithCache)),
            Series(name: "F1 with cache", color: "#ff7f0e", dashed: false, values: rows.map(\.f1WithCache)),
            Series(name: "EM without cache", color: "#9467bd", dashed: true, values: rows.map(\.emWithoutCache)),
            Series(name: "F1 without cache", color: "#ff7f0e", dashed: true, values: rows.map(\.f1WithoutCache)),
        ]
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" font-family=\"sans-serif\" font-size=\"12\">\n"
        s += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
        s += "<text x=\"\(f(left))\" y=\"22\" font-size=\"15\">\(escape(title))</text>\n"
        for v in stride(from: 0.0, through: 100.0, by: 20.0) {
            s += "<line x1=\"\(f(left))\" y1=\"\(f(y(v)))\" x2=\"\(f(left + plotW))\" y2=\"\(f(y(v)))\" stroke=\"#ddd\"/>\n"
            s += "<text x=\"\(f(left - 8))\" y=\"\(f(y(v) + 4))\" text-anchor=\"end\">\(Int(v))%</text>\n"
        }
        for r in rows {
            let t = Double(r.threshold)
            s += "<line x1=\"\(f(x(t)))\" y1=\"\(f(top + plotH))\" x2=\"\(f(x(t)))\" y2=\"\(f(top + plotH + 5))\" stroke=\"#333\"/>\n"
            s += "<text x=\"\(f(x(t)))\" y=\"\(f(top + plotH + 18))\" text-anchor=\"middle\">\(String(format: "%.2f", t))</text>\n"
        }
        s += "<text x=\"\(f(left + plotW / 2))\" y=\"\(f(height - 10))\" text-anchor=\"middle\">similarity threshold</text>\n"
        s += "<rect x=\"\(f(left))\" y=\"\(f(top))\" width=\"\(f(plotW))\" height=\"\(f(plotH))\" fill=\"none\" stroke=\"#333\"/>\n"
        if let marked {
            let mx = x(Double(marked))
            s += "<line x1=\"\(f(mx))\" y1=\"\(f(top))\" x2=\"\(f(mx))\" y2=\"\(f(top + plotH))\" stroke=\"#555\" stroke-dasharray=\"2,3\"/>\n"
            s += "<text x=\"\(f(mx + 4))\" y=\"\(f(top + 12))\">recommended</text>\n"
        }
        for (i, series) in series.enumerated() {
            let points = zip(rows, series.values).map { "\(f(x(Double($0.threshold)))),\(f(y($1)))" }.joined(separator: " ")
            let dash = series.dashed ? " stroke-dasharray=\"6,4\"" : ""
            s += "<polyline points=\"\(points)\" fill=\"none\" stroke=\"\(series.color)\" stroke-width=\"2\"\(dash)/>\n"
            if !series.dashed {
                for p in zip(rows, series.values) {
                    s += "<circle cx=\"\(f(x(Double(p.0.threshold))))\" cy=\"\(f(y(p.1)))\" r=\"2.5\" fill=\"\(series.color)\"/>\n"
                }
            }
            let ly = top + 10 + Double(i) * 20
            s += "<line x1=\"\(f(left + plotW + 15))\" y1=\"\(f(ly))\" x2=\"\(f(left + plotW + 40))\" y2=\"\(f(ly))\" stroke=\"\(series.color)\" stroke-width=\"2\"\(dash)/>\n"
            s += "<text x=\"\(f(left + plotW + 46))\" y=\"\(f(ly + 4))\">\(escape(series.name))</text>\n"
        }
        s += "</svg>\n"
        return s
    }

    static func f(_ v: Double) -> String { String(format: "%.1f", v) }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }
}
