import Foundation

/// Hand-written SVG charts (no dependencies): line charts, CDFs and timelines with markers.
/// Output is a complete, well-formed SVG document; every text is XML-escaped.
public enum SVGChart {
    /// Colour-blind-safe palette (Okabe–Ito), cycled over series.
    public static let palette = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442",
                                 "#999999", "#882255"]

    /// A line chart of `series`, with optional vertical `markers`.
    public static func line(_ spec: ChartSpec, series: [ChartSeries], markers: [ChartMarker] = []) -> String {
        let left = 64.0, right = 170.0, top = 36.0, bottom = 52.0
        let w = Double(spec.width), h = Double(spec.height)
        let xs = series.flatMap { $0.points.map(\.x) } + markers.map(\.x)
        let ys = series.flatMap { $0.points.map(\.y) }
        let xAxis = Axis(values: xs, fixed: spec.xRange, log: false, zeroBased: false, pixels: (left, w - right))
        let yAxis = Axis(values: ys, fixed: spec.yRange, log: spec.logY, zeroBased: true, pixels: (h - bottom, top))
        var svg = SVGWriter(width: spec.width, height: spec.height)
        svg.text(spec.title, x: w / 2, y: 22, size: 15, anchor: "middle", weight: "bold")
        // Grid and ticks.
        for t in xAxis.ticks {
            let x = xAxis.pixel(t)
            svg.line(x1: x, y1: top, x2: x, y2: h - bottom, stroke: "#e5e5e5")
            svg.text(Axis.label(t), x: x, y: h - bottom + 16, size: 11, anchor: "middle")
        }
        for t in yAxis.ticks {
            let y = yAxis.pixel(t)
            svg.line(x1: left, y1: y, x2: w - right, y2: y, stroke: "#e5e5e5")
            svg.text(Axis.label(t), x: left - 6, y: y + 4, size: 11, anchor: "end")
        }
        svg.rect(x: left, y: top, width: w - right - left, height: h - bottom - top, stroke: "#444444")
        svg.text(spec.xLabel, x: (left + w - right) / 2, y: h - 12, size: 12, anchor: "middle")
        svg.text(spec.yLabel, x: 16, y: (top + h - bottom) / 2, size: 12, anchor: "middle", rotate: true)
        // Markers under the data.
        for m in markers {
            let x = xAxis.pixel(m.x)
            let colour = palette[abs(m.colorIndex) % palette.count]
            switch m.style {
            case .event:
                svg.line(x1: x, y1: top, x2: x, y2: h - bottom, stroke: colour, width: 1.5, dash: "6 4")
                if !m.label.isEmpty { svg.text(m.label, x: x + 4, y: top + 14, size: 11, anchor: "start", fill: colour) }
            case .tick:
                svg.line(x1: x, y1: h - bottom - 10, x2: x, y2: h - bottom, stroke: colour, width: 1, opacity: 0.7)
            }
        }
        // Data.
        for (i, s) in series.enumerated() where !s.points.isEmpty {
            let colour = palette[i % palette.count]
            let pts = s.points.filter { $0.x.isFinite && $0.y.isFinite }.map { (xAxis.pixel($0.x), yAxis.pixel($0.y)) }
            svg.polyline(pts, stroke: colour, dash: s.dashed ? "5 3" : nil)
            if pts.count <= 12 { for p in pts { svg.circle(cx: p.0, cy: p.1, r: 2.5, fill: colour) } }
        }
        // Legend.
        var ly = top + 8
        for (i, s) in series.enumerated() {
            let colour = palette[i % palette.count]
            svg.line(x1: w - right + 10, y1: ly, x2: w - right + 30, y2: ly, stroke: colour, width: 2.5, dash: s.dashed ? "5 3" : nil)
            svg.text(s.name, x: w - right + 34, y: ly + 4, size: 11, anchor: "start")
            ly += 16
        }
        let tickLabels = Dictionary(markers.filter { $0.style == .tick && !$0.label.isEmpty }.map { ($0.colorIndex, $0.label) },
                                    uniquingKeysWith: { a, _ in a })
        for (index, label) in tickLabels.sorted(by: { $0.key < $1.key }) {
            let colour = palette[abs(index) % palette.count]
            svg.line(x1: w - right + 20, y1: ly - 5, x2: w - right + 20, y2: ly + 5, stroke: colour, width: 1.5)
            svg.text(label, x: w - right + 34, y: ly + 4, size: 11, anchor: "start")
            ly += 16
        }
        return svg.finish()
    }

    /// Empirical CDFs of several samples (e.g. TTFT per policy): y is the fraction ≤ x.
    public static func cdf(_ spec: ChartSpec, samples: [(name: String, values: [Double])]) -> String {
        var s = spec
        if s.yRange == nil { s.yRange = 0...1 }
        return line(s, series: samples.map { ChartSeries(name: $0.name, points: CDF.points($0.values)) })
    }
}
