import Foundation
import Kernels

extension LlamaContext {
    /// cos/sin of every batch token's RoPE angles, shared by all layers of one step.
    ///
    /// θᵢ = position · base^(−2i/headDimension) in Double, as llama.cpp's "normal" (adjacent-pair) RoPE.
    func computeRoPETables() {
        let half = config.headDimension / 2
        let base = Double(config.ropeFreqBase)
        for (t, position) in batch.positions.enumerated() {
            for i in 0..<half {
                let theta = Double(position) * pow(base, -2.0 * Double(i) / Double(config.headDimension))
                scratch.ropeCos[t * half + i] = Float(cos(theta))
                scratch.ropeSin[t * half + i] = Float(sin(theta))
            }
        }
    }

    /// Rotates adjacent pairs (x₂ᵢ, x₂ᵢ₊₁) of every head of `tokens` rows of `x` (rows of `heads` heads).
    func applyRoPE(_ x: UnsafeMutablePointer<Float>, heads: Int, tokens: Int) {
        let headDim = config.headDimension, half = headDim / 2
        for t in 0..<tokens {
            let cosRow = scratch.ropeCos + t * half, sinRow = scratch.ropeSin + t * half
            for h in 0..<heads {
                let p = x + (t * heads + h) * headDim
                for i in 0..<half {
                    let a = p[2 * i], b = p[2 * i + 1], c = cosRow[i], s = sinRow[i]
                    p[2 * i] = a * c - b * s
                    p[2 * i + 1] = a * s + b * c
                }
            }
        }
    }

    /// Copies this step's (rotated) keys and values into each chunk's cache at its positions.
    func storeKeysAndValues(layer: Int) {
        for c in 0..<batch.chunkCount {
            switch batch.caches[c].precision {
            case .f32: store(chunk: c, layer: layer, as: Float.self)
            case .f16: store(chunk: c, layer: layer, as: Float16.self)
            }
        }
    }

    private func store<E: KVElement>(chunk c: Int, layer: Int, as type: E.Type) {
        let headDim = config.headDimension, kvHeads = config.kvHeadCount, kvWidth = config.kvWidth
        let cache = batch.caches[c]
        for i in 0..<batch.tokenCount[c] {
            let t = batch.tokenStart[c] + i
            let position = batch.startPosition[c] + i
            for h in 0..<kvHeads {
                let source = t * kvWidth + h * headDim
                E.store(scratch.key + source, into: cache.keyPlane(layer: layer, head: h, as: E.self) + position * headDim,
                        count: headDim)
                E.store(scratch.value + source, into: cache.valuePlane(layer: layer, head: h, as: E.self) + position * headDim,
                        count: headDim)
            }
        }
    }

    /// Causal multi-head attention of every batch token over its own chunk's cache, into `attention`.
    ///
    /// Work items are (chunk, query head, block of ≤ 16 tokens), claimed dynamically by the pool.
    func attend(layer: Int) {
        var itemCount = 0
        for c in 0..<batch.chunkCount {
            let start = batch.tokenStart[c], count = batch.tokenCount[c]
            let block = min(count, 16)
            for head in 0..<config.headCount {
                var first = 0
                while first < count {
                    let end = min(first + block, count)
                    scratch.items[itemCount] = AttentionItem(chunk: Int32(c), head: Int32(head),
                                                             first: Int32(start + first), end: Int32(start + end))
                    itemCount += 1
                    first = end
                }
            }
        }
        pool.parallelFor(itemCount) { index in
            let item = self.scratch.items[index]
            switch self.batch.caches[Int(item.chunk)].precision {
            case .f32: self.attend(item: item, layer: layer, as: Float.self)
            case .f16: self.attend(item: item, layer: layer, as: Float16.self)
            }
        }
    }

    private func attend<E: KVElement>(item: AttentionItem, layer: Int, as type: E.Type) {
        let headDim = config.headDimension, queryWidth = config.queryWidth
        let c = Int(item.chunk), head = Int(item.head)
        let cache = batch.caches[c]
        let kvHead = head / config.groupSize
        let keys = UnsafePointer(cache.keyPlane(layer: layer, head: kvHead, as: E.self))
        let values = UnsafePointer(cache.valuePlane(layer: layer, head: kvHead, as: E.self))
        let firstPosition = batch.startPosition[c] - batch.tokenStart[c]
        let scale = 1 / Float(headDim).squareRoot()
        withUnsafeTemporaryAllocation(of: Float.self, capacity: AttentionMath.blockLength) { scores in
            guard let scores = scores.baseAddress else { return }
            for t in Int(item.first)..<Int(item.end) {
                let offset = t * queryWidth + head * headDim
                if headDim == 64 {
                    AttentionMath.attendOne64(query: scratch.query + offset, keys: keys, values: values,
                                              length: firstPosition + t + 1, scale: scale,
                                              scores: scores, out: scratch.attention + offset)
                    continue
                }
                AttentionMath.attendOne(query: scratch.query + offset, keys: keys, values: values,
                                        length: firstPosition + t + 1, headDim: headDim, scale: scale,
                                        scores: scores, out: scratch.attention + offset)
            }
        }
    }
}

/// SIMD inner loops of attention for head dimensions that are multiples of 8.
enum AttentionMath {
    /// Keys scored per online-softmax block (the block's scores live on the stack).
    static let blockLength = 64

    /// softmax(q·Kᵀ·scale)·V over `length` cached rows, as one pass with a running max and sum
    /// (flash-attention style), so no score buffer proportional to the context is needed.
    @inline(__always)
    static func attendOne<E: KVElement>(query: UnsafePointer<Float>, keys: UnsafePointer<E>, values: UnsafePointer<E>,
                          length: Int, headDim: Int, scale: Float, scores: UnsafeMutablePointer<Float>,
                          out: UnsafeMutablePointer<Float>) {
        out.update(repeating: 0, count: headDim)
        var runningMax = -Float.infinity
        var runningSum: Float = 0
        var start = 0
        while start < length {
            let n = min(blockLength, length - start)
            var blockMax = -Float.infinity
            for j in 0..<n {
                let s = dot(query, keys + (start + j) * headDim, count: headDim) * scale
                scores[j] = s
                blockMax = max(blockMax, s)
            }
            if blockMax > runningMax {
                if runningSum > 0 {
                    let correction = expf(runningMax - blockMax)
                    scale8(out, by: correction, count: headDim)
                    runningSum *= correction
                }
                runningMax = blockMax
            }
            for j in 0..<n {
                let p = expf(scores[j] - runningMax)
                runningSum += p
                axpy(p, x: values + (start + j) * headDim, y: out, count: headDim)
            }
            start += n
        }
        if runningSum > 0 { scale8(out, by: 1 / runningSum, count: headDim) }
    }

    /// `attendOne` for the common head dimension 64 (SmolLM2, Llama 2/3 small): the query and the
    /// output accumulator live in registers (8 × SIMD8 each), and scores are computed 8 keys at
    /// a time with one transposing horizontal-add tree instead of 8 separate reductions.
    @inline(__always)
    static func attendOne64<E: KVElement>(query: UnsafePointer<Float>, keys: UnsafePointer<E>, values: UnsafePointer<E>,
                            length: Int, scale: Float, scores: UnsafeMutablePointer<Float>,
                            out: UnsafeMutablePointer<Float>) {
        let q = Query64(query, scale: scale)
        var a0 = SIMD8<Float>(), a1 = SIMD8<Float>(), a2 = SIMD8<Float>(), a3 = SIMD8<Float>()
        var a4 = SIMD8<Float>(), a5 = SIMD8<Float>(), a6 = SIMD8<Float>(), a7 = SIMD8<Float>()
        var runningMax = -Float.infinity
        var runningSum: Float = 0
        var start = 0
        while start < length {
            let n = min(blockLength, length - start)
            var blockMax = SIMD8<Float>(repeating: -.infinity)
            var j = 0
            while j + 8 <= n {
                let s = q.scores8(keys + (start + j) * 64)
                store(s, scores + j)
                blockMax = Query64.max8(blockMax, s)
                j += 8
            }
            var tailMax = blockMax.max()
            while j < n {
                let s = q.score(keys + (start + j) * 64)
                scores[j] = s
                tailMax = max(tailMax, s)
                j += 1
            }
            if tailMax > runningMax {
                if runningSum > 0 {
                    let c = SIMD8<Float>(repeating: expf(runningMax - tailMax))
                    a0 *= c; a1 *= c; a2 *= c; a3 *= c; a4 *= c; a5 *= c; a6 *= c; a7 *= c
                    runningSum *= c[0]
                }
                runningMax = tailMax
            }
            var v = values + start * 64
            for j in 0..<n {
                let p = expf(scores[j] - runningMax)
                runningSum += p
                let pp = SIMD8<Float>(repeating: p)
                a0.addProduct(pp, E.load8(v)); a1.addProduct(pp, E.load8(v + 8))
                a2.addProduct(pp, E.load8(v + 16)); a3.addProduct(pp, E.load8(v + 24))
                a4.addProduct(pp, E.load8(v + 32)); a5.addProduct(pp, E.load8(v + 40))
                a6.addProduct(pp, E.load8(v + 48)); a7.addProduct(pp, E.load8(v + 56))
                v += 64
            }
            start += n
        }
        let inverse = SIMD8<Float>(repeating: runningSum > 0 ? 1 / runningSum : 0)
        store(a0 * inverse, out); store(a1 * inverse, out + 8)
        store(a2 * inverse, out + 16); store(a3 * inverse, out + 24)
        store(a4 * inverse, out + 32); store(a5 * inverse, out + 40)
        store(a6 * inverse, out + 48); store(a7 * inverse, out + 56)
    }

    @inline(__always)
    static func load(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
    }

    @inline(__always)
    static func store(_ v: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD8<Float>.self)
    }

    @inline(__always)
    static func dot<E: KVElement>(_ a: UnsafePointer<Float>, _ b: UnsafePointer<E>, count: Int) -> Float {
        var acc0 = SIMD8<Float>(), acc1 = SIMD8<Float>()
        var i = 0
        while i + 16 <= count {
            acc0.addProduct(load(a + i), E.load8(b + i))
            acc1.addProduct(load(a + i + 8), E.load8(b + i + 8))
            i += 16
        }
        if i < count { acc0.addProduct(load(a + i), E.load8(b + i)) }
        return (acc0 + acc1).sum()
    }

    @inline(__always)
    static func axpy<E: KVElement>(_ alpha: Float, x: UnsafePointer<E>, y: UnsafeMutablePointer<Float>, count: Int) {
        let a = SIMD8<Float>(repeating: alpha)
        var i = 0
        while i < count {
            store(load(y + i).addingProduct(a, E.load8(x + i)), y + i)
            i += 8
        }
    }

    @inline(__always)
    static func scale8(_ y: UnsafeMutablePointer<Float>, by factor: Float, count: Int) {
        var i = 0
        while i < count {
            store(load(y + i) * factor, y + i)
            i += 8
        }
    }
}
