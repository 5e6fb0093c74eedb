// Micro-benchmark of the Kernels matmuls on SmolLM2-135M's shapes (random weights of the real
// formats). Prints µs per call and GFLOP/s (2·rows·cols·tokens per call) for 1 and 2 threads,
// the speed-up over ReferenceOps measured in the same run, and a whole-model matmul estimate.
// Usage: KernelsBench [quick]
import Kernels

let quick = CommandLine.arguments.contains("quick")
let onlyCrossover = CommandLine.arguments.contains("crossover")
let clock = ContinuousClock()

struct Shape { let name: String; let format: WeightFormat; let rows: Int; let cols: Int; let perLayer: Int }
let shapes = [
    Shape(name: "attn_q/o 576x576", format: .q4_1, rows: 576, cols: 576, perLayer: 2),
    Shape(name: "attn_k/v 192x576", format: .q4_1, rows: 192, cols: 576, perLayer: 2),
    Shape(name: "ffn_gate/up 1536x576", format: .q4_1, rows: 1536, cols: 576, perLayer: 2),
    Shape(name: "ffn_down 576x1536", format: .q4_1, rows: 576, cols: 1536, perLayer: 1),
    Shape(name: "lm_head 49152x576", format: .q8_0, rows: 49152, cols: 576, perLayer: 0),
]

var rng = BenchRNG(seed: 42)
let pools = [1: ThreadPool(threadCount: 1), 2: ThreadPool(threadCount: 2)]

/// Fastest seconds per call of `body`, repeated for about `budget` seconds. The minimum, not the
/// median: this machine is shared (load ≈ 8 on 2 cores), and calls longer than a scheduler slice
/// are usually preempted, which the median would report as kernel time.
func measure(budget: Double, _ body: () -> Void) -> Double {
    body()   // warm up
    var samples: [Double] = []
    let start = clock.now
    while samples.count < 3 || (clock.now - start) < .seconds(budget) {
        let t0 = clock.now
        body()
        let d = clock.now - t0
        samples.append(Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18)
        if samples.count >= 2000 { break }
    }
    samples.sort()
    return samples[0]
}

func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s : s + String(repeating: " ", count: n - s.count) }
func fmt(_ v: Double, _ digits: Int = 1) -> String {
    var scale = 1.0
    for _ in 0..<digits { scale *= 10 }
    let r = (v * scale).rounded() / scale
    return "\(r)"
}

if onlyCrossover {
    crossover(rng: &rng)
} else {
    fullBenchmark()
}

@MainActor
func fullBenchmark() {
    print("shape                     tokens  thr    µs/call   GFLOP/s   vs ref(1 thr)")
    var modelSeconds: [Int: [Int: Double]] = [:]
    var packedModelSeconds: [Int: [Int: Double]] = [:]   // tokens -> threads -> seconds per forward (matmuls)
    let tokenCounts = quick ? [1, 64] : [1, 64, 512]
    for shape in shapes {
        let weights = BenchWeights(format: shape.format, rows: shape.rows, cols: shape.cols, rng: &rng)
        let packed = Ops.pack(weights.matrix)
        for tokens in tokenCounts {
            let x = (0..<(tokens * shape.cols)).map { _ in Float.random(in: -2...2, using: &rng) }
            var y = [Float](repeating: 0, count: tokens * shape.rows)
            let flops = 2.0 * Double(shape.rows * shape.cols * tokens)
            // Reference only where it finishes in reasonable time (it is scalar Double).
            var referenceSeconds: Double?
            if Double(shape.rows * shape.cols * tokens) <= 60e6 {
                referenceSeconds = measure(budget: 0.3) {
                    ReferenceOps.matmul(weights.matrix, x: x, tokens: tokens, y: &y)
                }
            }
            for threads in [1, 2] {
                let pool = pools[threads]
                let seconds = measure(budget: quick ? 0.3 : 0.8) {
                    Ops.matmul(weights.matrix, x: x, tokens: tokens, y: &y, pool: pool)
                }
                let perForward = seconds * Double(shape.perLayer == 0 ? 1 : 30 * shape.perLayer)
                // The LM head runs for the last token only in prefill.
                let counted = shape.perLayer == 0 && tokens > 1 ? 0 : perForward
                modelSeconds[tokens, default: [:]][threads, default: 0] += counted
                let ratio = referenceSeconds.map { "\(fmt($0 / seconds))x" } ?? "-"
                print(pad(shape.name, 26) + pad("\(tokens)", 8) + pad("\(threads)", 5) + pad(fmt(seconds * 1e6), 11)
                      + pad(fmt(flops / seconds / 1e9), 10) + ratio)
                if tokens < 512 {
                    let seconds = measure(budget: quick ? 0.3 : 0.8) {
                        Ops.matmul(packed, x: x, tokens: tokens, y: &y, pool: pool)
                    }
                    let ratio = referenceSeconds.map { "\(fmt($0 / seconds))x" } ?? "-"
                    print(pad("  packed", 26) + pad("\(tokens)", 8) + pad("\(threads)", 5) + pad(fmt(seconds * 1e6), 11)
                          + pad(fmt(flops / seconds / 1e9), 10) + ratio)
                    let perForward = seconds * Double(shape.perLayer == 0 ? 1 : 30 * shape.perLayer)
                    packedModelSeconds[tokens, default: [:]][threads, default: 0] += shape.perLayer == 0 && tokens > 1 ? 0 : perForward
                }
            }
        }
    }
    print("")
    print("Whole-model matmul time per forward (30 layers x 7 projections; LM head for 1 token only):")
    for tokens in tokenCounts {
        for threads in [1, 2] {
            let s = modelSeconds[tokens]?[threads] ?? 0
            var line = "tokens \(tokens), \(threads) thr: \(fmt(s * 1e3, 2)) ms"
            line += "  -> \(fmt(Double(tokens) / s, 0)) tokens/s (matmuls only)"
            print(line)
        }
    }

    for tokens in [1, 64] {
        for threads in [1, 2] {
            let s = packedModelSeconds[tokens]?[threads] ?? 0
            print("tokens \(tokens) packed, \(threads) thr: \(fmt(s * 1e3, 2)) ms  -> \(fmt(Double(tokens) / s, 0)) tokens/s (matmuls only)")
        }
    }
    print("")
    print("Model walk over distinct weights (30 layers + LM head, ~96 MB, DRAM-bound like a real decode):")
    let walk = ModelWalk(rng: &rng)
    let walkX = (0..<(64 * 1536)).map { _ in Float.random(in: -2...2, using: &rng) }
    var walkY = [Float](repeating: 0, count: 64 * 49152)
    for tokens in quick ? [1] : [1, 64] {
        for threads in [1, 2] {
            let s = measure(budget: quick ? 0.5 : 1.5) { walk.run(tokens: tokens, x: walkX, y: &walkY, pool: pools[threads]) }
            print("tokens \(tokens), \(threads) thr: \(fmt(s * 1e3, 2)) ms per forward -> \(fmt(Double(tokens) / s, 0)) tokens/s (matmuls only)")
            if tokens == 1 {
                let p = measure(budget: quick ? 0.5 : 1.5) { walk.runPacked(x: walkX, y: &walkY, pool: pools[threads]) }
                print("tokens 1 packed, \(threads) thr: \(fmt(p * 1e3, 2)) ms per forward -> \(fmt(1 / p, 0)) tokens/s (matmuls only)")
            }
        }
    }

    // parallelFor overhead: 2 chunks of ~2 µs of work each. Best case ≈ 2 µs (both threads busy),
    // serial ≈ 4 µs; the difference from 2 µs is the dispatch overhead.
    @inline(never)
    func spinWork(_ n: Int) -> Double {
        var s = 0.0
        for k in 0..<n { s += Double(k).squareRoot() }
        return s
    }
    var sink = 0.0
    let workOnly = measure(budget: 0.3) { sink += spinWork(2_000) }
    for threads in [1, 2] {
        let perCall = measure(budget: 0.5) { pools[threads]?.parallelFor(2) { _ in _ = spinWork(2_000) } }
        print("parallelFor(2) x \(fmt(workOnly * 1e6, 2)) µs bodies, \(threads) thr: \(fmt(perCall * 1e6, 2)) µs per call")
    }
    if sink < 0 { print(sink) }
}
