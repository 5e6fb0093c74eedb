#if canImport(Glibc)
import Glibc  // links libm for `squareRoot()` (IEEE-exact, so still identical on every platform)
#elseif canImport(Musl)
import Musl
#endif
import ServeCore

/// Seeded samplers for workload generation (all draw from `SplitMix64`, never global randomness).
enum Sample {
    /// Exponential with the given rate (1/mean).
    static func exponential(rate: Double, _ g: inout SplitMix64) -> Double {
        -((1 - g.nextUnitDouble()).logValue) / max(rate, 1e-12)
    }

    static func normal(_ g: inout SplitMix64) -> Double {
        // Box–Muller.
        let u1 = max(g.nextUnitDouble(), 1e-300), u2 = g.nextUnitDouble()
        return (-2 * u1.logValue).squareRoot() * cosine(2 * Double.pi * u2)
    }

    /// Gamma(shape k, scale θ) by Marsaglia–Tsang (k < 1 boosted by U^(1/k)).
    static func gamma(shape k: Double, scale theta: Double, _ g: inout SplitMix64) -> Double {
        if k < 1 {
            let u = max(g.nextUnitDouble(), 1e-300)
            return gamma(shape: k + 1, scale: theta, &g) * power(u, 1 / k)
        }
        let d = k - 1.0 / 3, c = 1 / (9 * d).squareRoot()
        while true {
            var x: Double, v: Double
            repeat { x = normal(&g); v = 1 + c * x } while v <= 0
            v = v * v * v
            let u = g.nextUnitDouble()
            if u < 1 - 0.0331 * x * x * x * x { return d * v * theta }
            if u > 0, u.logValue < 0.5 * x * x + d * (1 - v + v.logValue) { return d * v * theta }
        }
    }

    /// Log-normal with the given mean and sigma of the underlying normal.
    static func logNormal(mean: Double, sigma: Double, _ g: inout SplitMix64) -> Double {
        let mu = max(mean, 1e-9).logValue - sigma * sigma / 2
        return exponentialFn(mu + sigma * normal(&g))
    }
}

/// Zipf(s) over ranks 0..<n by inverse-CDF binary search (O(log n) per draw).
struct ZipfSampler: Sendable {
    let cdf: [Double]
    init(count n: Int, exponent s: Double) {
        var acc = 0.0
        var c: [Double] = []
        c.reserveCapacity(n)
        for k in 1...max(n, 1) { acc += 1 / power(Double(k), s); c.append(acc) }
        cdf = c.map { $0 / acc }
    }
    /// Probability of rank `k` (0-based).
    func probability(_ k: Int) -> Double { k == 0 ? cdf[0] : cdf[k] - cdf[k - 1] }
    func sample(_ g: inout SplitMix64) -> Int {
        let u = g.nextUnitDouble()
        var lo = 0, hi = cdf.count - 1
        while lo < hi {
            let mid = (lo + hi) >> 1
            if cdf[mid] < u { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }
}

// Elementary functions in plain Swift: bit-identical on every platform and libm, so a seeded
// workload is the same everywhere (libm log/exp/cos may differ in the last ulp between systems).
extension Double {
    /// Natural logarithm (x > 0).
    var logValue: Double {
        guard self > 0 else { return -.infinity }
        // x = m · 2^e with m in [1, 2); ln x = e·ln2 + 2·atanh((m-1)/(m+1)).
        let e = Double(exponent)
        let m = significand
        let t = (m - 1) / (m + 1), t2 = t * t
        var term = t, sum = 0.0
        var k = 1.0
        while k < 60 { sum += term / k; term *= t2; k += 2 }
        return e * 0.693_147_180_559_945_3 + 2 * sum
    }
}

func exponentialFn(_ x: Double) -> Double {
    // e^x = 2^(x/ln2) = 2^n · e^r with |r| ≤ ln2/2, Taylor series for e^r.
    guard x < 709 else { return .infinity }
    guard x > -745 else { return 0 }
    let n = (x / 0.693_147_180_559_945_3).rounded()
    let r = x - n * 0.693_147_180_559_945_3
    var term = 1.0, sum = 1.0
    for k in 1...20 { term *= r / Double(k); sum += term }
    return Double(sign: .plus, exponent: Int(n), significand: sum)
}

func power(_ x: Double, _ y: Double) -> Double { x <= 0 ? 0 : exponentialFn(y * x.logValue) }

func cosine(_ x: Double) -> Double {
    // Reduce to [-π, π], then Taylor.
    let twoPi = 2 * Double.pi
    var r = x - (x / twoPi).rounded() * twoPi
    var sign = 1.0
    if r > Double.pi / 2 { r = Double.pi - r; sign = -1 } else if r < -Double.pi / 2 { r = -Double.pi - r; sign = -1 }
    let r2 = r * r
    var term = 1.0, sum = 1.0
    for k in stride(from: 2, through: 24, by: 2) { term *= -r2 / Double((k - 1) * k); sum += term }
    return sign * sum
}
