/// One module's low-rank update in one layer: Δy = scale · B (A x).
///
/// `a` is [rank × input] row-major (PEFT's lora_A), `b` is [output × rank] row-major (lora_B), with
/// rows already in the GGUF layout (q/k rows permuted for adjacent-pair RoPE).
public struct LoRAMatrices: Sendable, Equatable {
    public let rank: Int
    public let input: Int
    public let output: Int
    public let scale: Float
    public let a: [Float]
    public let b: [Float]

    public init(rank: Int, input: Int, output: Int, scale: Float, a: [Float], b: [Float]) {
        self.rank = rank
        self.input = input
        self.output = output
        self.scale = scale
        self.a = a
        self.b = b
    }

    public var byteCount: Int { (a.count + b.count) * MemoryLayout<Float>.stride }
}

/// An adapter's weights, immutable and shareable across engine threads.
public struct LoRAAdapter: Sendable {
    public enum Format: String, Sendable, Codable { case peft, ggufLoRA = "gguf-lora", generated }

    public let format: Format
    public let baseModel: String?
    /// `modules[layer][module]`; absent when the adapter does not touch that projection.
    public let modules: [[LoRAModule: LoRAMatrices]]
    public let alpha: Float

    public init(format: Format, baseModel: String?, alpha: Float, modules: [[LoRAModule: LoRAMatrices]]) {
        self.format = format
        self.baseModel = baseModel
        self.alpha = alpha
        self.modules = modules
    }

    /// The largest rank of any module (what `--max-lora-rank` and rank classes refer to).
    public var rank: Int { modules.flatMap(\.values).map(\.rank).max() ?? 0 }

    public var targets: Set<LoRAModule> { Set(modules.flatMap(\.keys)) }

    public var byteCount: Int { modules.flatMap(\.values).reduce(0) { $0 + $1.byteCount } }

    /// Scales of the targeted modules (equal unless rank/alpha patterns differ per module).
    public var scales: [Float] { Array(Set(modules.flatMap(\.values).map(\.scale))).sorted() }

    public func matrices(layer: Int, module: LoRAModule) -> LoRAMatrices? {
        guard layer >= 0, layer < modules.count else { return nil }
        return modules[layer][module]
    }
}
