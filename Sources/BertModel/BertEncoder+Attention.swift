import Foundation
import Kernels
import ServeCore

extension BertEncoder {
    /// Multi-head self-attention per sequence over its own tokens (no mask needed: packed batch).
    ///
    /// Work items are (sequence, head) pairs; `slots` chunks each take every `slots`-th item with
    /// their own scratch, so threads never share scratch memory.
    func attention(qkv: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>, batch: [[TokenID]], offsets: [Int],
                   scratch: UnsafeMutablePointer<Float>, slots: Int, longest: Int) {
        let heads = config.headCount
        let tasks = batch.count * heads
        let slotStride = BertContext.headScratchCount(sequence: longest, headDim: config.headDim)
        let counts = batch.map(\.count)
        let run: (Int) -> Void = { slot in
            var task = slot
            while task < tasks {
                let s = task / heads
                self.attendHead(qkv: qkv, out: out, offset: offsets[s], length: counts[s], head: task % heads,
                                scratch: scratch + slot * slotStride)
                task += slots
            }
        }
        if let pool, slots > 1 { pool.parallelFor(slots, run) } else { for slot in 0..<slots { run(slot) } }
    }

    /// softmax(Q·Kᵀ/√d + bias)·V for one head of one sequence of `n` tokens starting at row
    /// `offset`; bias is MPNet's relative position bias (none for BERT).
    private func attendHead(qkv: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>, offset: Int, length n: Int, head: Int,
                            scratch: UnsafeMutablePointer<Float>) {
        let h = config.hiddenSize, d = config.headDim, stride = 3 * h
        let q = scratch, k = scratch + n * d, vt = scratch + 2 * n * d
        let scores = scratch + 3 * n * d, result = scores + n * n
        let scale = 1 / Float(d).squareRoot()
        let column = head * d
        // Gather this head's Q (pre-scaled), K and Vᵀ into contiguous blocks for the dot-form GEMM.
        for i in 0..<n {
            let row = qkv + (offset + i) * stride + column
            for j in 0..<d {
                q[i * d + j] = row[j] * scale
                k[i * d + j] = row[h + j]
                vt[j * n + i] = row[2 * h + j]
            }
        }
        Ops.gemmNT(a: q, b: k, c: scores, m: n, n: n, k: d, pool: nil)
        if config.relativeAttentionBuckets > 0 {
            let bias = weights.relativeAttentionBias.pointer, heads = config.headCount
            relativeBuckets.withUnsafeBufferPointer { buckets in
                // buckets[(j − i) + maxSequenceLength − 1] for query i, key j.
                let center = config.maxSequenceLength - 1
                for i in 0..<n {
                    let row = scores + i * n
                    for j in 0..<n { row[j] += bias[Int(buckets[center + j - i]) * heads + head] }
                }
            }
        }
        for i in 0..<n { Ops.softmax(scores + i * n, count: n) }
        Ops.gemmNT(a: scores, b: vt, c: result, m: n, n: d, k: n, pool: nil)
        for i in 0..<n {
            (out + (offset + i) * h + column).update(from: result + i * d, count: d)
        }
    }

    /// MPNet's bucket of a relative position (key − query), as HF `MPNetEncoder.relative_position_bucket`:
    /// half the buckets for keys before the query, half for after; within a half, distances
    /// below a quarter of the buckets are exact, longer ones share log-spaced buckets up to
    /// `maxDistance` (float32 arithmetic, truncated like torch's `.to(long)`).
    public static func relativePositionBucket(_ relative: Int, buckets: Int, maxDistance: Int) -> Int {
        let half = buckets / 2, exact = half / 2
        let n = -relative
        let base = n < 0 ? half : 0
        let distance = abs(n)
        if distance < exact { return base + distance }
        let scaled = Float(Foundation.log(Float(distance) / Float(exact))) / Float(Foundation.log(Double(maxDistance) / Double(exact)))
            * Float(half - exact)
        return base + min(exact + Int(scaled), half - 1)
    }
}
