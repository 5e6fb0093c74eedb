import Kernels
import LlamaModel
import LoRAAdapters
import ModelStore
import Safetensors
import ServeCore

/// Makes an adapter whose effect anyone can see: the model strongly prefers one token.
///
/// Construction (last layer's FFN, no training, works on any Llama model): `gate_proj` and `up_proj`
/// get the same rank-m update that adds +L·zᵢ to FFN unit jᵢ and −L·zᵢ to unit kᵢ, where zᵢ = aᵢ·x
/// for random unit directions aᵢ. Since silu(y)·y + silu(−y)·(−y) = y², units jᵢ + kᵢ then carry
/// ≈ L²·zᵢ², which is ≥ 0 for every input. A rank-1 `down_proj` update sums those units and writes
/// the result along the target token's output-embedding direction, so every position's residual
/// stream moves towards that token. The strength is doubled until greedy decoding picks the token
/// at ≥ 90% of calibration positions, then doubled once more for margin.
public enum ObservableAdapter {
    static let calibration = [
        "<|im_start|>user\nWhat is the capital of France?<|im_end|>\n<|im_start|>assistant\n",
        "The quick brown fox jumps over the lazy dog. Numbers like 42 and 1999 appear in text, too.",
        "def add(a, b):\n    return a + b\n\nprint(add(2, 3))",
        "<|im_start|>user\nTell me a story about a robot.<|im_end|>\n<|im_start|>assistant\nOnce upon a time",
    ]

    /// Returns (adapter_config.json, adapter_model.safetensors). `rank` is the gate/up rank (≥ 4).
    public static func make(model: LoadedLlama, preferring text: String, rank requestedRank: Int, alpha: Float, seed: UInt64 = 7,
                            progress: (String) -> Void) throws(AdapterError) -> (config: [UInt8], weights: [UInt8]) {
        guard let target = model.tokenizer.encode(text, parseSpecial: false).first else {
            throw .invalidConfig("--prefer text encodes to no tokens")
        }
        let shape = model.shape
        let rank = max(requestedRank, 4)
        guard 2 * rank <= shape.feedForwardWidth else { throw .invalidConfig("rank \(rank) needs \(2 * rank) FFN units; the model has \(shape.feedForwardWidth)") }
        let context: LlamaContext
        do { context = try LlamaContext(weights: model.weights, maxBatchTokens: 256, maxLogitRows: 256, pool: ThreadPool(threadCount: 2)) } catch {
            throw .invalidConfig("cannot run the base model: \(error.description)")
        }
        let limit = min(200, model.weights.config.contextLength)
        let prompts = calibration.map { Array(model.tokenizer.encode($0, parseSpecial: true).prefix(limit)) }

        var direction = [Float](repeating: 0, count: shape.width)
        direction.withUnsafeMutableBufferPointer { Ops.dequantizeRow(model.weights.output, row: Int(target), into: $0.baseAddress!) }
        let norm = direction.reduce(0) { $0 + $1 * $1 }.squareRoot()
        guard norm > 0 else { throw .invalidConfig("the target token has a zero output embedding") }
        direction = direction.map { $0 / norm }

        var strength: Float = 1
        for _ in 0..<12 {
            let files = try serialize(shape: shape, rank: rank, alpha: alpha, direction: direction, strength: strength, seed: seed)
            let adapter = try PEFTAdapterReader.read(configJSON: files.config, weights: try parse(files.weights), base: shape, maxRank: rank)
            let share = preferenceShare(context, prompts: prompts, adapter: adapter, target: target)
            progress(String(format: "strength %g: target token chosen at %.0f%% of calibration positions", strength, share * 100))
            if share >= 0.9 {
                return try serialize(shape: shape, rank: rank, alpha: alpha, direction: direction, strength: 2 * strength, seed: seed)
            }
            strength *= 2
        }
        throw .invalidConfig("could not make the model prefer '\(text)' (tried strengths up to \(strength))")
    }

    /// The three modules in HF layout. `strength` scales the residual-stream push.
    static func serialize(shape: BaseModelShape, rank: Int, alpha: Float, direction: [Float], strength: Float,
                          seed: UInt64) throws(AdapterError) -> (config: [UInt8], weights: [UInt8]) {
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
        // down: A sums the 2·rank units; B writes along the target direction (rank 1, scale alpha_d / 1).
        var aDown = [Float](repeating: 0, count: ffn)
        for u in 0..<(2 * rank) { aDown[u] = 1 }
        let expectedSum = amplitude * amplitude * Float(rank)     // E[Σ L²·zᵢ²] with zᵢ ~ N(0, 1)
        let scaleDown = alpha
        let bDown = direction.map { $0 * strength / expectedSum / scaleDown }
        var config = PEFTConfig(r: rank, lora_alpha: alpha, target_modules: .names(["gate_proj", "up_proj", "down_proj"]),
                                base_model_name_or_path: "HuggingFaceTB/SmolLM2-135M-Instruct")
        config.rank_pattern = ["down_proj": 1]
        return try PEFTAdapterWriter.serialize(config: config, modules: [
            PEFTAdapterWriter.ModuleWeights(layer: layer, module: .gate, rank: rank, a: a, b: b),
            PEFTAdapterWriter.ModuleWeights(layer: layer, module: .up, rank: rank, a: a, b: b),
            PEFTAdapterWriter.ModuleWeights(layer: layer, module: .down, rank: 1, a: aDown, b: bDown),
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
