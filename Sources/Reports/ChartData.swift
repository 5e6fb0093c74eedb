/// One point of a plotted series.
public struct ChartPoint: Sendable, Equatable, Codable {
    public var x: Double
    public var y: Double
    public init(x: Double, y: Double) {
        self.x = x
        self.y = y
    }
}

/// A named polyline.
public struct ChartSeries: Sendable, Equatable, Codable {
    public var name: String
    public var points: [ChartPoint]
    /// Draw a dashed line (e.g. baselines) instead of a solid one.
    public var dashed: Bool
    public init(name: String, points: [ChartPoint], dashed: Bool = false) {
        self.name = name
        self.points = points
        self.dashed = dashed
    }
}

/// A vertical marker on the x axis (a drift, a placement action).
public struct ChartMarker: Sendable, Equatable, Codable {
    public enum Style: String, Sendable, Codable {
        /// Full-height dashed line with a label (events such as a popularity shift).
        case event
        /// Short tick along the bottom (frequent events such as placement actions).
        case tick
    }
    public var x: Double
    public var label: String
    public var style: Style
    /// Index into the palette (ticks of several series get their own colours).
    public var colorIndex: Int
    public init(x: Double, label: String = "", style: Style = .event, colorIndex: Int = 0) {
        self.x = x
        self.label = label
        self.style = style
        self.colorIndex = colorIndex
    }
}

/// Titles, size and axis options of a chart.
public struct ChartSpec: Sendable, Equatable, Codable {
    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var width: Int
    public var height: Int
    /// Logarithmic y axis (latencies spanning orders of magnitude); non-positive values are clamped.
    public var logY: Bool
    /// Fixed axis ranges; nil = from the data (with a zero baseline for linear axes).
    public var xRange: ClosedRange<Double>?
    public var yRange: ClosedRange<Double>?

    public init(title: String, xLabel: String, yLabel: String, width: Int = 720, height: Int = 420, logY: Bool = false,
                xRange: ClosedRange<Double>? = nil, yRange: ClosedRange<Double>? = nil) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.width = width
        self.height = height
        self.logY = logY
        self.xRange = xRange
        self.yRange = yRange
    }
}

/// Empirical distributions for CDF plots.
public enum CDF {
    /// The empirical CDF of `values` as a step curve: points (v_i, i/n) for the sorted values,
    /// thinned to at most `maxPoints` + 1 (always keeping the first and last). Non-finite values are
    /// dropped. x and y are both non-decreasing.
    public static func points(_ values: [Double], maxPoints: Int = 240) -> [ChartPoint] {
        let sorted = values.filter(\.isFinite).sorted()
        guard !sorted.isEmpty else { return [] }
        let n = sorted.count
        let limit = max(maxPoints, 2)
        let stride = max(1, (n + limit - 1) / limit)
        var out: [ChartPoint] = []
        out.reserveCapacity(min(n, maxPoints) + 2)
        var i = 0
        while i < n {
            out.append(ChartPoint(x: sorted[i], y: Double(i + 1) / Double(n)))
            i += stride
        }
        if out.last?.y != 1 { out.append(ChartPoint(x: sorted[n - 1], y: 1)) }
        return out
    }
}
