#if arch(x86_64)
import _Builtin_intrinsics.intel
#endif

/// How KV cache entries are stored: `f32` is exact; `f16` (the default, as llama.cpp's) halves the
/// cache's memory and the bytes attention streams per step, at ~3 significant digits per entry.
public enum KVPrecision: Sendable, Equatable, Codable {
    case f32, f16

    var elementBytes: Int { self == .f32 ? 4 : 2 }
}

/// A KV cache element type: widened to F32 in SIMD8 lanes for the attention loops.
protocol KVElement {
    static func load8(_ p: UnsafePointer<Self>) -> SIMD8<Float>
    /// Writes `count` floats (a multiple of 8) as this type.
    static func store(_ source: UnsafePointer<Float>, into target: UnsafeMutablePointer<Self>, count: Int)
}

extension Float: KVElement {
    @inline(__always)
    static func load8(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
    }

    @inline(__always)
    static func store(_ source: UnsafePointer<Float>, into target: UnsafeMutablePointer<Float>, count: Int) {
        target.update(from: source, count: count)
    }
}

extension Float16: KVElement {
    @inline(__always)
    static func load8(_ p: UnsafePointer<Float16>) -> SIMD8<Float> {
        #if arch(x86_64)
        // One vcvtph2ps (F16C, part of the haswell target) instead of 8 scalar conversions.
        let half = UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float16>.self)
        return _mm256_cvtph_ps(unsafeBitCast(half, to: __m128i.self))
        #else
        var v = SIMD8<Float>()
        for i in 0..<8 { v[i] = Float(p[i]) }
        return v
        #endif
    }

    @inline(__always)
    static func store(_ source: UnsafePointer<Float>, into target: UnsafeMutablePointer<Float16>, count: Int) {
        for i in 0..<count { target[i] = Float16(source[i]) }
    }
}
