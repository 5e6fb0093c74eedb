import Kernels
import LoRAAdapters

/// The seven linear maps of a Llama block; LoRA adapters attach to these by name.
public enum LlamaProjection: Int, Sendable, CaseIterable, CustomStringConvertible {
    case query, key, value, attentionOutput, gate, up, down

    /// The GGUF tensor stem (`blk.N.<stem>.weight`), also used by llama.cpp GGUF-LoRA files.
    public var ggufName: String {
        switch self {
        case .query: "attn_q"
        case .key: "attn_k"
        case .value: "attn_v"
        case .attentionOutput: "attn_output"
        case .gate: "ffn_gate"
        case .up: "ffn_up"
        case .down: "ffn_down"
        }
    }

    /// The PEFT / Hugging Face module name (`q_proj`, ...).
    public var peftName: String {
        switch self {
        case .query: "q_proj"
        case .key: "k_proj"
        case .value: "v_proj"
        case .attentionOutput: "o_proj"
        case .gate: "gate_proj"
        case .up: "up_proj"
        case .down: "down_proj"
        }
    }

    public var description: String { ggufName }

    /// The adapter module that attaches to this projection.
    public var loraModule: LoRAModule {
        switch self {
        case .query: .q
        case .key: .k
        case .value: .v
        case .attentionOutput: .o
        case .gate: .gate
        case .up: .up
        case .down: .down
        }
    }
}

extension LlamaLayerWeights {
    /// The weight matrix of one projection.
    @inline(__always)
    public func matrix(_ projection: LlamaProjection) -> WeightMatrix {
        switch projection {
        case .query: query
        case .key: key
        case .value: value
        case .attentionOutput: attentionOutput
        case .gate: gate
        case .up: up
        case .down: down
        }
    }
}
