import Foundation

/// Minimal SVG element writer (string building only).
struct SVGWriter {
    private var body: [String] = []
    let width: Int
    let height: Int

    init(width: Int, height: Int) {
        self.width = width
        self.height = height
    }

    static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.count)
        for c in s {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default:
                // XML 1.0 forbids most control characters.
                if let a = c.asciiValue, a < 0x20, a != 0x09, a != 0x0A, a != 0x0D { continue }
                out.append(c)
            }
        }
        return out
    }

    static func f(_ v: Double) -> String { String(format: "%.1f", v.isFinite ? v : 0) }

    mutating func line(x1: Double, y1: Double, x2: Double, y2: Double, stroke: String, width: Double = 1,
                       dash: String? = nil, opacity: Double = 1) {
        var e = "<line x1=\"\(Self.f(x1))\" y1=\"\(Self.f(y1))\" x2=\"\(Self.f(x2))\" y2=\"\(Self.f(y2))\" stroke=\"\(stroke)\" stroke-width=\"\(width)\""
        if let dash { e += " stroke-dasharray=\"\(dash)\"" }
        if opacity < 1 { e += " stroke-opacity=\"\(opacity)\"" }
        body.append(e + "/>")
    }

    mutating func rect(x: Double, y: Double, width: Double, height: Double, stroke: String) {
        body.append("<rect x=\"\(Self.f(x))\" y=\"\(Self.f(y))\" width=\"\(Self.f(width))\" height=\"\(Self.f(height))\" fill=\"none\" stroke=\"\(stroke)\"/>")
    }

    mutating func circle(cx: Double, cy: Double, r: Double, fill: String) {
        body.append("<circle cx=\"\(Self.f(cx))\" cy=\"\(Self.f(cy))\" r=\"\(r)\" fill=\"\(fill)\"/>")
    }

    mutating func polyline(_ points: [(Double, Double)], stroke: String, dash: String?) {
        guard !points.isEmpty else { return }
        let coords = points.map { "\(Self.f($0.0)),\(Self.f($0.1))" }.joined(separator: " ")
        var e = "<polyline fill=\"none\" stroke=\"\(stroke)\" stroke-width=\"2\" stroke-linejoin=\"round\" points=\"\(coords)\""
        if let dash { e += " stroke-dasharray=\"\(dash)\"" }
        body.append(e + "/>")
    }

    mutating func text(_ s: String, x: Double, y: Double, size: Int, anchor: String, weight: String? = nil,
                       fill: String = "#222222", rotate: Bool = false) {
        var e = "<text x=\"\(Self.f(x))\" y=\"\(Self.f(y))\" font-size=\"\(size)\" text-anchor=\"\(anchor)\" fill=\"\(fill)\""
        if let weight { e += " font-weight=\"\(weight)\"" }
        if rotate { e += " transform=\"rotate(-90 \(Self.f(x)) \(Self.f(y)))\"" }
        body.append(e + ">\(Self.escape(s))</text>")
    }

    func finish() -> String {
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <svg xmlns="http://www.w3.org/2000/svg" width="\(width)" height="\(height)" viewBox="0 0 \(width) \(height)" font-family="Helvetica, Arial, sans-serif">
        <rect width="100%" height="100%" fill="#ffffff"/>
        \(body.joined(separator: "\n"))
        </svg>

        """
    }
}
