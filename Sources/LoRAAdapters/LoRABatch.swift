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

    /// Adds the LoRA deltas of `module` in `layer` to `y` ([tokens × output], row stride `output`),
    /// reading the projection input `x` ([tokens × input]) of the whole step (`tokens` rows).
    public func apply(layer: Int, module kind: LoRAModule, x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>,
                      tokens stepTokens: Int, pool: ThreadPool?) {
        inputObserver?(layer, kind, x, stepTokens)
        for segment in segments where segment.tokenStart + segment.tokenCount <= stepTokens {
            guard let m = segment.adapter.module(layer: layer, kind) else { continue }
            let rank = effectiveRank(of: m)
            let tokens = segment.tokenCount
            guard rank > 0, tokens > 0, tokens * rank <= scratchCount else { continue }
            let h = scratch
            m.a.withUnsafeBufferPointer { a in
                m.bt.withUnsafeBufferPointer { bt in
                    guard let aBase = a.baseAddress, let btBase = bt.baseAddress else { return }
                    let xs = x + segment.tokenStart * m.input
                    let ys = y + segment.tokenStart * m.output
                    // Shrink: h[t, j] = scale · A[j] · x[t]   (scale folded in here: r values, not `output`).
                    let shrinkJobs = tokens * rank
                    let run: (Int) -> Void = { job in
                        let t = job / rank, j = job % rank
                        h[t * rank + j] = m.scale * Ops.dot(aBase + j * m.input, xs + t * m.input, count: m.input)
                    }
                    if let pool, shrinkJobs >= 64 { pool.parallelFor(shrinkJobs, run) } else { for job in 0..<shrinkJobs { run(job) } }
                    // Expand: y[t] += Σ_j h[t, j] · Bᵀ[j]; split the output columns so threads never share a row slice.
                    let chunk = 256
                    let chunks = (m.output + chunk - 1) / chunk
                    let expand: (Int) -> Void = { job in
                        let t = job / chunks, c = (job % chunks) * chunk
                        let width = min(chunk, m.output - c)
                        for j in 0..<rank {
                            Ops.axpy(h[t * rank + j], x: btBase + j * m.output + c, y: ys + t * m.output + c, count: width)
                        }
                    }
                    let expandJobs = tokens * chunks
                    if let pool, expandJobs >= 2 { pool.parallelFor(expandJobs, expand) } else { for job in 0..<expandJobs { expand(job) } }
                }
            }
        }
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
