import Kernels
import LlamaModel
import LoRAAdapters
import ModelStore
import Safetensors
import ServeCore

/// Makes an adapter whose effect anyone can see: the model strongly prefers one token.
///
/// Construction (last layer's FFN, no training, works on any Llama model): `gate_proj` and `up_proj`
/// get the same rank-m update (m = rank/2) that adds +L·zᵢ to FFN unit jᵢ and −L·zᵢ to unit kᵢ,
/// where zᵢ = aᵢ·x for random unit directions aᵢ. Since silu(y)·y + silu(−y)·(−y) = y², units
/// jᵢ + kᵢ then carry ≈ L²·zᵢ², which is ≥ 0 for every input. The rank-2m `down_proj` update
/// reads those 2m units one by one and, for each, removes the base projection's own column (so
/// the huge unit values do not leak into the residual through W_down) and writes along the target
/// token's output-embedding direction instead. Every position's residual stream then moves
/// towards that token. The strength is doubled until greedy decoding picks the token at ≥ 90% of
/// calibration positions, then doubled once more for margin.
public enum ObservableAdapter {
    static let calibration = [
        "<|im_start|>user\nWhat is the capital of France?<|im_end|>\n<|im_start|>assistant\n",
        "The quick brown fox jumps over the lazy dog. Numbers like 42 and 1999 appear in text, too.",
        "def add(a, b):\n    return a + b\n\nprint(add(2, 3))",
        "<|im_start|>user\nTell me a story about a robot.<|im_end|>\n<|im_start|>assistant\nOnce upon a time",
    ]

    /// Returns (adapter_config.json, adapter_model.safetensors). `rank` (≥ 8, even) is the adapter's
    /// rank: gate/up use rank/2, down uses rank.
    public static func make(model: LoadedLlama, preferring text: String, rank requestedRank: Int, alpha: Float, seed: UInt64 = 7,
                            progress: (String) -> Void) throws(AdapterError) -> (config: [UInt8], weights: [UInt8]) {
        guard let target = model.tokenizer.encode(text, parseSpecial: false).first else {
            throw .invalidConfig("--prefer text encodes to no tokens")
        }
        let shape = model.shape
        let rank = max(requestedRank, 8) / 2
        guard 2 * rank <= shape.feedForwardWidth else { throw .invalidConfig("rank \(2 * rank) needs \(2 * rank) FFN units; the model has \(shape.feedForwardWidth)") }
        // W_down's columns for the 2m units we take over (so the down update can cancel them).
        let down = model.weights.layers[shape.layers - 1].down
        var downColumns = [[Float]](repeating: [Float](repeating: 0, count: shape.width), count: 2 * rank)
        var row = [Float](repeating: 0, count: shape.feedForwardWidth)
        for r in 0..<shape.width {
            row.withUnsafeMutableBufferPointer { Ops.dequantizeRow(down, row: r, into: $0.baseAddress!) }
            for u in 0..<(2 * rank) { downColumns[u][r] = row[u] }
        }
        let context: LlamaContext
        do { context = try LlamaContext(weights: model.weights, maxBatchTokens: 256, maxLogitRows: 256, pool: ThreadPool(threadCount: 2)) } catch {
            throw .invalidConfig("cannot run the base model: \(error.description)")
        }
        let limit = min(200, model.weights.config.contextLength)
        let prompts = calibration.map { Array(model.tokenizer.encode($0, parseSpecial: true).prefix(limit)) }

        let direction = targetDirection(model, target: target)
        var strength: Float = 1
        for _ in 0..<16 {
            let files = try serialize(shape: shape, rank: rank, alpha: alpha, direction: direction, downColumns: downColumns,
                                      strength: strength, seed: seed)
            let adapter = try PEFTAdapterReader.read(configJSON: files.config, weights: try parse(files.weights), base: shape, maxRank: 2 * rank)
            let share = preferenceShare(context, prompts: prompts, adapter: adapter, target: target)
            progress(String(format: "strength %g: target token chosen at %.0f%% of calibration positions", strength, share * 100))
            if share >= 0.9 {
                return try serialize(shape: shape, rank: rank, alpha: alpha, direction: direction, downColumns: downColumns,
                                     strength: 2 * strength, seed: seed)
            }
            strength *= 2
        }
        throw .invalidConfig("could not make the model prefer '\(text)' (tried strengths up to \(strength))")
    }

    /// The residual-stream direction d (unit norm) whose final-norm image makes `target` the argmax
    /// with the highest probability: projected gradient ascent on log p(target | E·(g ⊙ d)), started
    /// from the target's embedding (which alone is not enough: large-norm tokens win otherwise).
    static func targetDirection(_ model: LoadedLlama, target: TokenID) -> [Float] {
        let head = model.weights.output
        let g = model.weights.outputNorm
        let width = g.count, vocab = head.rows
        var d = [Float](repeating: 0, count: width)
        var row = [Float](repeating: 0, count: width)
        d.withUnsafeMutableBufferPointer { Ops.dequantizeRow(head, row: Int(target), into: $0.baseAddress!) }
        var logits = [Float](repeating: 0, count: vocab)
        func renormalise() {
            let n = d.reduce(0) { $0 + $1 * $1 }.squareRoot()
            if n > 0 { d = d.map { $0 / n * Float(width).squareRoot() } }
        }
        renormalise()
        for _ in 0..<80 {
            let u = zip(g, d).map { $0 * $1 }
            u.withUnsafeBufferPointer { up in
                logits.withUnsafeMutableBufferPointer { lp in
                    for v in 0..<vocab {
                        row.withUnsafeMutableBufferPointer { Ops.dequantizeRow(head, row: v, into: $0.baseAddress!) }
                        lp[v] = row.withUnsafeBufferPointer { Ops.dot($0.baseAddress!, up.baseAddress!, count: width) }
                    }
                    Ops.softmax(lp.baseAddress!, count: vocab)
                }
            }
            var gradient = [Float](repeating: 0, count: width)
            for v in 0..<vocab {
                let weight = (v == Int(target) ? 1 : 0) - logits[v]
                guard abs(weight) > 1e-7 else { continue }
                row.withUnsafeMutableBufferPointer { Ops.dequantizeRow(head, row: v, into: $0.baseAddress!) }
                for i in 0..<width { gradient[i] += weight * row[i] }
            }
            for i in 0..<width { d[i] += 0.5 * g[i] * gradient[i] }
            renormalise()
        }
        let n = d.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return n > 0 ? d.map { $0 / n } : d
    }

    /// The three modules in HF layout. `strength` scales the residual-stream push.
    static func serialize(shape: BaseModelShape, rank: Int, alpha: Float, direction: [Float], downColumns: [[Float]],
                          strength: Float, seed: UInt64) throws(AdapterError) -> (config: [UInt8], weights: [UInt8]) {
        let layer = shape.layers - 1
        let width = shape.width, ffn = shape.feedForwardWidth
        let amplitude: Float = 8     // L: drives silu into its linear/zero regimes
        var rng = SplitMix64(seed: seed)
        let scaleGateUp = alpha / Float(rank)
        // A rows: random unit directions over the (normalised) block input.
        var a = [Float](repeating: 0, count: rank * width)
        for j in 0..<rank {
            let row = (0..<width).map { _ in rng.nextUnitFloat() * 2 - 1 }
            let n = row.reduce(0) { $0 + $1 * $1 }.squareRoot()
            for i in 0..<width { a[j * width + i] = row[i] / max(n, 1e-6) }
        }
        // B [ffn × rank]: column j adds +L to unit j and −L to unit rank + j (scale folded out).
        var b = [Float](repeating: 0, count: ffn * rank)
        for j in 0..<rank {
            b[j * rank + j] = amplitude / scaleGateUp
            b[(rank + j) * rank + j] = -amplitude / scaleGateUp
        }
        // down (rank 2m): row u of A reads unit u; column u of B = (c·ê_t − W_down[:, u]) / scale.
        let downRank = 2 * rank
        var aDown = [Float](repeating: 0, count: downRank * ffn)
        for u in 0..<downRank { aDown[u * ffn + u] = 1 }
        let expectedSum = amplitude * amplitude * Float(rank)     // E[Σ L²·zᵢ²] with zᵢ ~ N(0, 1)
        let scaleDown = alpha / Float(downRank)
        var bDown = [Float](repeating: 0, count: width * downRank)
        for o in 0..<width {
            for u in 0..<downRank {
                bDown[o * downRank + u] = (direction[o] * strength / expectedSum - downColumns[u][o]) / scaleDown
            }
        }
        var config = PEFTConfig(r: rank, lora_alpha: alpha, target_modules: .names(["gate_proj", "up_proj", "down_proj"]),
                                base_model_name_or_path: "HuggingFaceTB/SmolLM2-135M-Instruct")
        config.rank_pattern = ["down_proj": downRank]
        return try PEFTAdapterWriter.serialize(config: config, modules: [
            PEFTAdapterWriter.ModuleWeights(layer: layer, module: .gate, rank: rank, a: a, b: b),
            PEFTAdapterWriter.ModuleWeights(layer: layer, module: .up, rank: rank, a: a, b: b),
            PEFTAdapterWriter.ModuleWeights(layer: layer, module: .down, rank: downRank, a: aDown, b: bDown),
        ], base: shape)
    }

    private static func preferenceShare(_ context: LlamaContext, prompts: [[TokenID]], adapter: LoRAAdapter, target: TokenID) -> Double {
        let batch = LoRABatch(mode: .exact, maxTokens: 256, maxRank: max(adapter.rank, 1))
        let prepared = PreparedAdapter(adapter, capacityRank: 0)
        context.lora = batch
        defer { context.lora = nil }
        var hits = 0, total = 0
        for ids in prompts where !ids.isEmpty {
            batch.setSegments([LoRASegment(tokenStart: 0, tokenCount: ids.count, adapter: prepared)])
            guard let cache = try? context.makeCache(capacity: ids.count),
                  let rows = try? context.forward([SequenceChunk(cache: cache, tokens: ids, logits: .all)]), let range = rows.first else { continue }
            for row in range {
                if Sampler.argmax(UnsafeBufferPointer(context.logits(row: row))) == target { hits += 1 }
                total += 1
            }
        }
        return total == 0 ? 0 : Double(hits) / Double(total)
    }

    private static func parse(_ bytes: [UInt8]) throws(AdapterError) -> SafetensorsFile {
        do { return try SafetensorsFile(bytes: ReadOnlyBytes(copying: bytes)) } catch { throw .unreadable(error.description) }
    }
}
