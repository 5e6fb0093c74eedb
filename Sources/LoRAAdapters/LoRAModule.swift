/// The seven Llama projections a LoRA adapter may target, with the names each format uses.
public enum LoRAModule: String, CaseIterable, Sendable, Codable, Hashable, Comparable {
    case q, k, v, o, gate, up, down

    /// Hugging Face / PEFT module name (`...self_attn.q_proj`).
    public var hfName: String {
        switch self {
        case .q: "q_proj"
        case .k: "k_proj"
        case .v: "v_proj"
        case .o: "o_proj"
        case .gate: "gate_proj"
        case .up: "up_proj"
        case .down: "down_proj"
        }
    }

    /// Parent block in the HF module path.
    public var hfParent: String {
        switch self {
        case .q, .k, .v, .o: "self_attn"
        case .gate, .up, .down: "mlp"
        }
    }

    /// GGUF tensor stem (`blk.N.attn_q.weight`).
    public var ggufName: String {
        switch self {
        case .q: "attn_q"
        case .k: "attn_k"
        case .v: "attn_v"
        case .o: "attn_output"
        case .gate: "ffn_gate"
        case .up: "ffn_up"
        case .down: "ffn_down"
        }
    }

    public init?(hfName: String) {
        guard let m = Self.allCases.first(where: { $0.hfName == hfName }) else { return nil }
        self = m
    }

    public init?(ggufName: String) {
        guard let m = Self.allCases.first(where: { $0.ggufName == ggufName }) else { return nil }
        self = m
    }

    /// Accepts `q`, `q_proj`, `attn_q`.
    public init?(anyName: String) {
        if let m = Self(rawValue: anyName) ?? Self(hfName: anyName) ?? Self(ggufName: anyName) { self = m } else { return nil }
    }

    public static func < (a: Self, b: Self) -> Bool {
        allCases.firstIndex(of: a) ?? 0 < allCases.firstIndex(of: b) ?? 0
    }
}

/// The base model dimensions an adapter must fit (from the GGUF's `LlamaConfig`).
public struct BaseModelShape: Sendable, Equatable, Codable {
    public var layers: Int
    public var width: Int
    public var feedForwardWidth: Int
    public var heads: Int
    public var kvHeads: Int

    public init(layers: Int, width: Int, feedForwardWidth: Int, heads: Int, kvHeads: Int) {
        self.layers = layers
        self.width = width
        self.feedForwardWidth = feedForwardWidth
        self.heads = heads
        self.kvHeads = kvHeads
    }

    public var headDimension: Int { heads > 0 ? width / heads : 0 }

    /// (input, output) features of a projection, as `y = W x` with W of shape [output, input].
    public func dimensions(of module: LoRAModule) -> (input: Int, output: Int) {
        switch module {
        case .q, .o: (width, width)
        case .k, .v: (width, kvHeads * headDimension)
        case .gate, .up: (width, feedForwardWidth)
        case .down: (feedForwardWidth, width)
        }
    }
}
