import Kernels

/// The adapter segments of one step: contiguous token ranges of the flattened batch that use the
/// same adapter (the engine orders sequences by adapter so each adapter forms one segment, as SGMV).
/// Tokens outside every segment use the base model only.
public struct LoRASegment: Sendable {
    public let tokenStart: Int
    public let tokenCount: Int
    public let adapter: PreparedAdapter
    public init(tokenStart: Int, tokenCount: Int, adapter: PreparedAdapter) {
        self.tokenStart = tokenStart
        self.tokenCount = tokenCount
        self.adapter = adapter
    }
}

/// Applies Δy = scale · B (A x) for every segment of a step, after the base projection ran once for
/// all tokens. Shrink: h = A x at the segment's effective rank; expand: y += scale · Bᵀ-rows · h.
public final class LoRABatch {
    public let mode: LoRAComputeMode
    public private(set) var segments: [LoRASegment] = []
    /// The largest own rank in this step (the rank every token pays in `batchMax` mode).
    public private(set) var stepMaxRank = 0
    private let scratch: UnsafeMutablePointer<Float>
    private let scratchCount: Int

    /// - Parameters: maxTokens × maxRank bounds the shrink scratch (no allocation per step).
    public init(mode: LoRAComputeMode, maxTokens: Int, maxRank: Int) {
        self.mode = mode
        scratchCount = max(1, maxTokens * maxRank)
        scratch = .allocate(capacity: scratchCount)
    }

    deinit { scratch.deallocate() }

    public func setSegments(_ segments: [LoRASegment]) {
        self.segments = segments
        stepMaxRank = segments.map(\.adapter.rank).max() ?? 0
    }

    public var isEmpty: Bool { segments.isEmpty }

    /// The rank a segment's tokens are computed at, per mode.
    public func effectiveRank(of module: PreparedAdapter.Module) -> Int {
        switch mode {
        case .exact: module.rank
        case .padded: module.capacity
        case .batchMax: min(module.capacity, max(module.rank, stepMaxRank))
        }
    }

    /// Sees every projection input of a forward pass (tools: calibration of observable adapters).
    /// Arguments: layer, module, input rows [tokens × input], tokens.
    public var inputObserver: ((Int, LoRAModule, UnsafePointer<Float>, Int) -> Void)?

    /// One segment's work for one module, resolved once per call.
    private struct Job {
        let module: PreparedAdapter.Module
        let rank: Int
        let tokenStart: Int
        let tokens: Int
        /// Offset of this segment's rows in the shrink scratch.
        let scratchOffset: Int
    }

    /// Adds the LoRA deltas of `module` in `layer` to `y` ([tokens × output], row stride `output`),
    /// reading the projection input `x` ([tokens × input]) of the whole step (`tokens` rows).
    ///
    /// All segments share one parallel shrink and one parallel expand (two pool dispatches per
    /// module, not two per segment: with many adapters in a decode step, dispatch overhead would
    /// otherwise dominate).
    public func apply(layer: Int, module kind: LoRAModule, x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>,
                      tokens stepTokens: Int, pool: ThreadPool?) {
        inputObserver?(layer, kind, x, stepTokens)
        var jobs: [Job] = []
        jobs.reserveCapacity(segments.count)
        var scratchUsed = 0
        for segment in segments where segment.tokenStart + segment.tokenCount <= stepTokens {
            guard let m = segment.adapter.module(layer: layer, kind) else { continue }
            let rank = effectiveRank(of: m)
            guard rank > 0, segment.tokenCount > 0, scratchUsed + segment.tokenCount * rank <= scratchCount else { continue }
            jobs.append(Job(module: m, rank: rank, tokenStart: segment.tokenStart, tokens: segment.tokenCount, scratchOffset: scratchUsed))
            scratchUsed += segment.tokenCount * rank
        }
        guard !jobs.isEmpty else { return }
        let h = scratch
        // Shrink: h[t, j] = scale · A[j] · x[t]   (scale folded in here: r values, not `output`).
        // Work item = (job, token, block of 8 rank rows).
        var shrinkStarts = [Int](repeating: 0, count: jobs.count + 1)
        for (i, job) in jobs.enumerated() { shrinkStarts[i + 1] = shrinkStarts[i] + job.tokens * ((job.rank + 7) / 8) }
        let shrink: (Int) -> Void = { item in
            let i = Self.owner(of: item, in: shrinkStarts)
            let job = jobs[i]
            let local = item - shrinkStarts[i]
            let blocks = (job.rank + 7) / 8
            let t = local / blocks, j0 = (local % blocks) * 8
            let m = job.module
            m.a.withUnsafeBufferPointer { a in
                guard let aBase = a.baseAddress else { return }
                let xt = x + (job.tokenStart + t) * m.input
                for j in j0..<min(j0 + 8, job.rank) {
                    h[job.scratchOffset + t * job.rank + j] = m.scale * Ops.dot(aBase + j * m.input, xt, count: m.input)
                }
            }
        }
        run(shrinkStarts[jobs.count], shrink, pool: pool)
        // Expand: y[t] += Σ_j h[t, j] · Bᵀ[j]; columns split in chunks so threads never share a row slice.
        let chunk = 512
        var expandStarts = [Int](repeating: 0, count: jobs.count + 1)
        for (i, job) in jobs.enumerated() { expandStarts[i + 1] = expandStarts[i] + job.tokens * ((job.module.output + chunk - 1) / chunk) }
        let expand: (Int) -> Void = { item in
            let i = Self.owner(of: item, in: expandStarts)
            let job = jobs[i]
            let m = job.module
            let chunks = (m.output + chunk - 1) / chunk
            let local = item - expandStarts[i]
            let t = local / chunks, c = (local % chunks) * chunk
            let width = min(chunk, m.output - c)
            let yt = y + (job.tokenStart + t) * m.output + c
            m.bt.withUnsafeBufferPointer { bt in
                guard let btBase = bt.baseAddress else { return }
                for j in 0..<job.rank {
                    Ops.axpy(h[job.scratchOffset + t * job.rank + j], x: btBase + j * m.output + c, y: yt, count: width)
                }
            }
        }
        run(expandStarts[jobs.count], expand, pool: pool)
    }

    private func run(_ count: Int, _ body: (Int) -> Void, pool: ThreadPool?) {
        if let pool, count >= 2 { pool.parallelFor(count, body) } else { for i in 0..<count { body(i) } }
    }

    /// The job whose half-open item range [starts[i], starts[i+1]) holds `item` (binary search).
    @inline(__always)
    private static func owner(of item: Int, in starts: [Int]) -> Int {
        var low = 0, high = starts.count - 2
        while low < high {
            let mid = (low + high + 1) / 2
            if starts[mid] <= item { low = mid } else { high = mid - 1 }
        }
        return low
    }

    /// Scalar twin: the same deltas straight from `LoRAAdapter` matrices (Double accumulation),
    /// independent of the prepared layout, padding and threading.
    public static func referenceDelta(_ m: LoRAMatrices, x: [Float]) -> [Float] {
        var h = [Double](repeating: 0, count: m.rank)
        for j in 0..<m.rank {
            for i in 0..<m.input { h[j] += Double(m.a[j * m.input + i]) * Double(x[i]) }
        }
        return (0..<m.output).map { o in
            var s = 0.0
            for j in 0..<m.rank { s += Double(m.b[o * m.rank + j]) * h[j] }
            return Float(s * Double(m.scale))
        }
    }
}
