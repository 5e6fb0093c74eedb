import Foundation

/// A linear or base-10 logarithmic axis mapping data values to pixels, with "nice" tick values.
struct Axis {
    let low: Double
    let high: Double
    let log: Bool
    let pixelLow: Double
    let pixelHigh: Double

    /// Data range padded to round numbers; `log` axes span whole decades.
    init(values: [Double], fixed: ClosedRange<Double>?, log: Bool, zeroBased: Bool, pixels: (Double, Double)) {
        self.log = log
        pixelLow = pixels.0
        pixelHigh = pixels.1
        let finite = values.filter { $0.isFinite && (!log || $0 > 0) }
        if log {
            let lo = fixed.map { max($0.lowerBound, 1e-12) } ?? finite.min() ?? 0.01
            let hi = fixed?.upperBound ?? finite.max() ?? 1
            low = Foundation.pow(10, Foundation.floor(Foundation.log10(lo)))
            let top = Foundation.pow(10, Foundation.ceil(Foundation.log10(max(hi, lo * 1.0001))))
            high = top > low ? top : low * 10
            return
        }
        var lo = fixed?.lowerBound ?? finite.min() ?? 0
        var hi = fixed?.upperBound ?? finite.max() ?? 1
        if fixed == nil, zeroBased { lo = min(lo, 0) }
        if hi <= lo { hi = lo + 1 }
        if fixed == nil {
            let step = Axis.niceStep((hi - lo) / 5)
            lo = Foundation.floor(lo / step) * step
            hi = Foundation.ceil(hi / step) * step
        }
        low = lo
        high = hi
    }

    /// 1, 2 or 5 × a power of ten, at least `raw`.
    static func niceStep(_ raw: Double) -> Double {
        guard raw > 0, raw.isFinite else { return 1 }
        let magnitude = Foundation.pow(10, Foundation.floor(Foundation.log10(raw)))
        for m in [1.0, 2, 5, 10] where m * magnitude >= raw { return m * magnitude }
        return 10 * magnitude
    }

    func pixel(_ v: Double) -> Double {
        let t: Double
        if log {
            let c = max(v, low)
            t = (Foundation.log10(c) - Foundation.log10(low)) / (Foundation.log10(high) - Foundation.log10(low))
        } else {
            t = (v - low) / (high - low)
        }
        let clamped = v.isFinite ? min(max(t, -0.02), 1.02) : 0
        return pixelLow + clamped * (pixelHigh - pixelLow)
    }

    var ticks: [Double] {
        if log {
            var out: [Double] = []
            var v = low
            while v <= high * 1.0001 && out.count < 20 {
                out.append(v)
                v *= 10
            }
            return out
        }
        let step = Axis.niceStep((high - low) / 5)
        var out: [Double] = []
        var v = Foundation.ceil(low / step) * step
        while v <= high + step * 1e-9 && out.count < 20 {
            out.append(abs(v) < step * 1e-9 ? 0 : v)
            v += step
        }
        return out
    }

    /// Tick label: short, no trailing zeros.
    static func label(_ v: Double) -> String {
        if v == 0 { return "0" }
        let a = abs(v)
        if a >= 1e6 { return trim(String(format: "%.1fM", v / 1e6)) }
        if a >= 1e4 { return trim(String(format: "%.1fk", v / 1e3)) }
        if a >= 1 { return trim(String(format: "%.2f", v)) }
        if a >= 0.001 { return trim(String(format: "%.3f", v)) }
        return String(format: "%.0e", v)
    }

    private static func trim(_ s: String) -> String {
        guard s.contains(".") else { return s }
        var t = s
        var suffix = ""
        if let last = t.last, last.isLetter { suffix = String(last); t.removeLast() }
        while t.hasSuffix("0") { t.removeLast() }
        if t.hasSuffix(".") { t.removeLast() }
        return t + suffix
    }
}
