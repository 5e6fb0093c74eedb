/// Why an adapter was rejected: precise enough to fix the adapter without reading our code.
public enum AdapterError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidConfig(String)
    case unknownTargetModule(String)
    case missingTensor(String)
    case unexpectedTensor(String)
    case shapeMismatch(tensor: String, expected: [Int], actual: [Int])
    case rankTooLarge(module: String, rank: Int, maximum: Int)
    case rankMismatch(module: String, a: Int, b: Int)
    case nonFinite(tensor: String, index: Int)
    case unsupportedDType(tensor: String, dtype: String)
    case unreadable(String)
    case pathOutsideRoot(path: String, root: String)
    case empty

    public var description: String {
        switch self {
        case let .invalidConfig(m): "invalid adapter_config.json: \(m)"
        case let .unknownTargetModule(m): "unknown target module '\(m)': supported are q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj, down_proj"
        case let .missingTensor(t): "missing tensor \(t)"
        case let .unexpectedTensor(t): "unexpected tensor \(t) (not a LoRA A/B weight of a supported module)"
        case let .shapeMismatch(t, e, a): "tensor \(t) has shape \(a), but the base model needs \(e)"
        case let .rankTooLarge(m, r, max): "\(m) has rank \(r), above the configured maximum \(max) (--max-lora-rank)"
        case let .rankMismatch(m, a, b): "\(m): lora_A has rank \(a) but lora_B has rank \(b)"
        case let .nonFinite(t, i): "tensor \(t) holds a NaN or infinite value at element \(i)"
        case let .unsupportedDType(t, d): "tensor \(t) has dtype \(d); supported are F32, F16, BF16"
        case let .unreadable(m): "cannot read adapter: \(m)"
        case let .pathOutsideRoot(p, r): "adapter path \(p) is outside the adapter root \(r)"
        case .empty: "the adapter has no LoRA weights"
        }
    }
}
