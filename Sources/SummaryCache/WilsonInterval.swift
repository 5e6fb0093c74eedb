/// A 95% confidence interval for a rate measured as `successes` of `trials` (Wilson score
/// interval). Evaluation sets here are small — 120 to 132 near-misses, where one false hit moves
/// the rate by 0.8 points — so a measured false-hit rate is reported with the range the true
/// rate plausibly lies in: 1 of 132 (0.8%) is compatible with anything from 0.1% to 4.2%.
/// Wilson rather than the normal approximation because the rates of interest sit near 0,
/// where the normal interval collapses to [0, 0].
public struct WilsonInterval: Sendable, Codable, Equatable {
    public var lower: Double
    public var upper: Double

    /// z = 1.96 (two-sided 95%). `trials` 0 gives [0, 1]: nothing was measured.
    public init(successes: Int, trials: Int, z: Double = 1.959964) {
        guard trials > 0 else {
            lower = 0; upper = 1
            return
        }
        let n = Double(trials)
        let k = min(max(successes, 0), trials)
        let p = Double(k) / n
        let z2 = z * z
        let centre = (p + z2 / (2 * n)) / (1 + z2 / n)
        let half = z / (1 + z2 / n) * (p * (1 - p) / n + z2 / (4 * n * n)).squareRoot()
        // At 0 or all successes the closed form gives the bound 0 or 1 exactly; spare it rounding.
        lower = k == 0 ? 0 : max(0, centre - half)
        upper = k == trials ? 1 : min(1, centre + half)
    }
}
