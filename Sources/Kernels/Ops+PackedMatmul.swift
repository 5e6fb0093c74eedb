extension Ops {
    /// Below this many tokens repacked weights use the int8-activation kernels (4 tokens per weight
    /// row pass): ≈ 80–97 GFLOP/s-equivalent per core at 1–3 tokens, 93–119 at 4–32, on par with
    /// the F32 tiles (≈ 90) at ~64 tokens and slower beyond (measured on the model's shapes).
    static let packedTokenThreshold = 48

    /// Same contract as `matmul(_ w: WeightMatrix, ...)`. Repacked Q4_0/Q4_1/Q8_0 use the
    /// int8-activation kernels below `packedTokenThreshold` tokens (same error bound as the
    /// unpacked int8 path), the F32 tiles from the source matrix above it.
    public static func matmul(_ w: PackedWeights, x: UnsafePointer<Float>, tokens: Int, y: UnsafeMutablePointer<Float>, pool: ThreadPool?) {
        guard tokens > 0 else { return }
        guard let storage = w.storage, tokens < packedTokenThreshold else {
            matmul(w.source, x: x, tokens: tokens, y: y, pool: pool)
            return
        }
        let layout = PackedWeights.Layout(cols: w.cols, format: w.format)
        let rows = w.rows, rowBytes = w.packedRowBytes
        let isQ8 = w.format == .q8_0
        let stride = (PairedActivation.scratchBytes(layout) + 63) & ~63
        withUnsafeTemporaryAllocation(byteCount: stride * tokens, alignment: 64) { scratch in
            guard let base = scratch.baseAddress else { return }
            for t in 0..<tokens {
                PairedActivation(scratch: base + t * stride, layout: layout).quantize(x + t * w.cols, layout: layout)
            }
            let packed = UnsafeRawPointer(storage.bytes)
            @inline(__always)
            func activation(_ t: Int) -> PairedActivation { PairedActivation(scratch: base + t * stride, layout: layout) }
            forChunks(rows, chunk: decodeChunkRows, pool: pool) { range in
                // Token groups outer, rows inner: the chunk's packed rows (≈ 12 KB) and four
                // activation rows stay in L1.
                var t = 0
                while t + 4 <= tokens {
                    let xs = (activation(t), activation(t + 1), activation(t + 2), activation(t + 3))
                    for r in range {
                        let v = PackedDot.x4(packed + r * rowBytes, xs, layout, isQ8: isQ8)
                        y[t * rows + r] = v[0]
                        y[(t + 1) * rows + r] = v[1]
                        y[(t + 2) * rows + r] = v[2]
                        y[(t + 3) * rows + r] = v[3]
                    }
                    t += 4
                }
                while t < tokens {
                    let xr = activation(t)
                    for r in range {
                        let p = packed + r * rowBytes
                        y[t * rows + r] = isQ8 ? PackedDot.q8(p, xr, layout) : PackedDot.q4(p, xr, layout)
                    }
                    t += 1
                }
            }
        }
    }
}
