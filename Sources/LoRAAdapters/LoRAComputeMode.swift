/// How much rank each LoRA token pays, reproducing what engines do on one engine (same kernels,
/// same batch), so the comparison isolates the policy:
///
/// | mode | each adapter token is computed at | like |
/// |---|---|---|
/// | `exact` | its adapter's own rank | S-LoRA (MBGMV), SGLang, LoRAServe |
/// | `padded` | the configured maximum rank (`--max-lora-rank`), adapters zero-padded into max-rank slots | vLLM |
/// | `batchMax` | the largest rank among adapters in the step | Punica (BGMV) |
///
/// Padding is real work on zero rows, not a simulated delay: the cost is paid the same way.
public enum LoRAComputeMode: String, Sendable, Codable, CaseIterable {
    case exact
    case padded
    case batchMax = "batch-max"
}

/// One adapter's weights laid out for the batched kernels, for every (layer, module) it targets.
///
/// Per module: `a` is [capacity × input] (rows beyond `rank` are zero), `bt` is B transposed,
/// [capacity × output], so any rank prefix r' ≤ capacity is contiguous in both.
public final class PreparedAdapter: Sendable {
    public struct Module: Sendable {
        public let rank: Int
        public let capacity: Int
        public let input: Int
        public let output: Int
        public let scale: Float
        public let a: [Float]
        public let bt: [Float]
    }

    public let rank: Int
    public let capacity: Int
    /// `modules[layer * LoRAModule.allCases.count + moduleIndex]`.
    let modules: [Module?]
    public let byteCount: Int

    /// - Parameter capacityRank: storage rank (the adapter's own in `exact` mode, the configured
    ///   maximum in `padded` / `batchMax`, as vLLM reserves max-rank slots).
    public init(_ adapter: LoRAAdapter, capacityRank: Int) {
        let capacity = max(capacityRank, adapter.rank)
        var modules: [Module?] = []
        var bytes = 0
        for layer in adapter.modules {
            for module in LoRAModule.allCases {
                guard let m = layer[module] else { modules.append(nil); continue }
                var a = [Float](repeating: 0, count: capacity * m.input)
                var bt = [Float](repeating: 0, count: capacity * m.output)
                for j in 0..<m.rank {
                    for i in 0..<m.input { a[j * m.input + i] = m.a[j * m.input + i] }
                    for o in 0..<m.output { bt[j * m.output + o] = m.b[o * m.rank + j] }
                }
                bytes += (a.count + bt.count) * MemoryLayout<Float>.stride
                modules.append(Module(rank: m.rank, capacity: capacity, input: m.input, output: m.output, scale: m.scale, a: a, bt: bt))
            }
        }
        self.modules = modules
        self.rank = adapter.rank
        self.capacity = capacity
        self.byteCount = bytes
    }

    public func module(layer: Int, _ module: LoRAModule) -> Module? {
        let index = layer * LoRAModule.allCases.count + (LoRAModule.allCases.firstIndex(of: module) ?? 0)
        return index < modules.count ? modules[index] : nil
    }
}
