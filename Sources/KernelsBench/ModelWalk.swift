import Kernels

/// A decode/prefill pass over distinct weights for all 30 layers (≈ 96 MB, more than the L3), so
/// memory bandwidth is included, unlike the per-shape loops that re-read one cached matrix.
struct ModelWalk {
    let layers: [[BenchWeights]]   // per layer: q, k, v, o, gate, up, down
    let head: BenchWeights

    init(rng: inout BenchRNG) {
        var layers: [[BenchWeights]] = []
        for _ in 0..<30 {
            layers.append([
                BenchWeights(format: .q4_1, rows: 576, cols: 576, rng: &rng),
                BenchWeights(format: .q4_1, rows: 192, cols: 576, rng: &rng),
                BenchWeights(format: .q4_1, rows: 192, cols: 576, rng: &rng),
                BenchWeights(format: .q4_1, rows: 576, cols: 576, rng: &rng),
                BenchWeights(format: .q4_1, rows: 1536, cols: 576, rng: &rng),
                BenchWeights(format: .q4_1, rows: 1536, cols: 576, rng: &rng),
                BenchWeights(format: .q4_1, rows: 576, cols: 1536, rng: &rng),
            ])
        }
        self.layers = layers
        head = BenchWeights(format: .q8_0, rows: 49152, cols: 576, rng: &rng)
        packedLayers = layers.map { $0.map { Ops.pack($0.matrix) } }
        packedHead = Ops.pack(head.matrix)
    }

    let packedLayers: [[PackedWeights]]
    let packedHead: PackedWeights

    /// One decode token through the repacked weights.
    func runPacked(x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>, pool: ThreadPool?) {
        for layer in packedLayers {
            for w in layer { Ops.matmul(w, x: x, tokens: 1, y: y, pool: pool) }
        }
        Ops.matmul(packedHead, x: x, tokens: 1, y: y, pool: pool)
    }

    /// All projections for `tokens` tokens, plus the LM head for one token.
    func run(tokens: Int, x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>, pool: ThreadPool?) {
        for layer in layers {
            for w in layer { Ops.matmul(w.matrix, x: x, tokens: tokens, y: y, pool: pool) }
        }
        Ops.matmul(head.matrix, x: x, tokens: 1, y: y, pool: pool)
    }
}
