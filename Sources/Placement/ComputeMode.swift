/// How a worker's LoRA kernels charge each adapter token (see docs/placement.md, "Cost model").
///
/// - `exact`: each token pays its own adapter's rank (this engine, S-LoRA MBGMV, SGLang).
/// - `padded(maxRank:)`: every LoRA token pays the configured max rank (vLLM `--max-lora-rank`);
///   adapters above `maxRank` cannot be loaded at all.
/// - `batchMax`: every LoRA token pays the largest rank in its batch (Punica BGMV).
public enum ComputeMode: Hashable, Sendable, Codable, CustomStringConvertible {
    case exact
    case padded(maxRank: Int)
    case batchMax

    /// Whether this engine can host an adapter of `rank` at all.
    public func accepts(rank: Int) -> Bool {
        if case let .padded(maxRank) = self { return rank <= maxRank }
        return true
    }

    /// The rank a token of an adapter of `rank` pays when the batch's largest rank is `batchMaxRank`.
    @inlinable
    public func effectiveRank(own rank: Int, batchMaxRank: Int) -> Int {
        guard rank > 0 else { return 0 }  // base-model tokens skip the LoRA kernels
        switch self {
        case .exact: return rank
        case let .padded(maxRank): return maxRank
        case .batchMax: return Swift.max(rank, batchMaxRank)
        }
    }

    public var description: String {
        switch self {
        case .exact: "exact"
        case let .padded(r): "padded(\(r))"
        case .batchMax: "batch-max"
        }
    }
}
