#if arch(x86_64)
import _Builtin_intrinsics.intel
#endif

/// Vectorised transcendental functions for the activation kernels.
enum FastMath {
    /// e^x, Cephes `expf` polynomial (≈ 2 ulp on [−87, 88]); 0 below −87.3 (so −∞ masks give 0),
    /// +∞ above 88.7.
    @inline(__always)
    static func exp(_ x: SIMD8<Float>) -> SIMD8<Float> {
        let hi: Float = 88.72283, lo: Float = -87.33654
        let xc = x.clamped(lowerBound: SIMD8(repeating: lo), upperBound: SIMD8(repeating: hi))
        let n = (xc * 1.44269504088896341).rounded(.toNearestOrEven)
        var r = xc - n * 0.693359375
        r = r + n * 2.12194440e-4
        var p = SIMD8<Float>(repeating: 1.9875691500e-4)
        p = p * r + 1.3981999507e-3
        p = p * r + 8.3334519073e-3
        p = p * r + 4.1665795894e-2
        p = p * r + 1.6666665459e-1
        p = p * r + 5.0000001201e-1
        p = p * (r * r) + r + 1
        // 2^n built in two halves so n = 128 (x near 88.7) does not overflow the exponent field.
        let ni = unsafeBitCast(_mm256_cvttps_epi32(n), to: SIMD8<Int32>.self)
        let half = ni &>> 1
        let s1 = SIMD8<Float>(bitPattern: SIMD8<UInt32>(truncatingIfNeeded: (half &+ 127) &<< 23))
        let s2 = SIMD8<Float>(bitPattern: SIMD8<UInt32>(truncatingIfNeeded: (ni &- half &+ 127) &<< 23))
        var result = p * s1 * s2
        result.replace(with: 0, where: x .< lo)
        result.replace(with: .infinity, where: x .> hi)
        return result
    }

    /// erf(x), Abramowitz & Stegun 7.1.26 (absolute error ≤ 1.5e-7).
    @inline(__always)
    static func erf(_ x: SIMD8<Float>) -> SIMD8<Float> {
        let ax = x.replacing(with: -x, where: x .< 0)
        let t = 1 / (1 + 0.3275911 * ax)
        var p = SIMD8<Float>(repeating: 1.061405429)
        p = p * t - 1.453152027
        p = p * t + 1.421413741
        p = p * t - 0.284496736
        p = p * t + 0.254829592
        p = p * t
        let e: SIMD8<Float> = FastMath.exp(-(ax * ax))
        let y = 1 - p * e
        var result = y
        result.replace(with: -y, where: x .< 0)
        return result
    }
}

extension SIMD8 where Scalar == Float {
    @inline(__always)
    init(bitPattern bits: SIMD8<UInt32>) {
        self = unsafeBitCast(bits, to: SIMD8<Float>.self)
    }
}
