import Kernels

/// Per-token cost around the int8-decode / tiled-F32 switch (`KernelsBench crossover`).
@MainActor
func crossover(rng: inout BenchRNG) {
    for (rows, cols, format) in [(576, 576, WeightFormat.q4_1), (576, 1536, .q4_1)] {
        let weights = BenchWeights(format: format, rows: rows, cols: cols, rng: &rng)
        let packed = Ops.pack(weights.matrix)
        for tokens in [1, 2, 3, 4, 6, 8, 12, 16, 32, 64, 96, 128, 192, 256, 512] {
            let x = (0..<(tokens * cols)).map { _ in Float.random(in: -2...2, using: &rng) }
            var y = [Float](repeating: 0, count: tokens * rows)
            let s = measure(budget: 0.3) { Ops.matmul(packed, x: x, tokens: tokens, y: &y, pool: nil) }
            print("\(rows)x\(cols) tokens \(tokens): \(fmt(s * 1e6 / Double(tokens), 2)) µs per token, \(fmt(2 * Double(rows * cols * tokens) / s / 1e9)) GFLOP/s")
        }
    }
}
