/// Everything about an embedder that changes which vectors it produces. Stored with every cache
/// entry; a lookup made with a different fingerprint never matches (vectors of two models, or of
/// one model with different truncation or normalisation, are not comparable).
public struct EmbedderFingerprint: Hashable, Sendable, Codable, CustomStringConvertible {
    /// Model identity, e.g. "sentence-transformers/all-MiniLM-L6-v2" plus a weights hash if known.
    public var modelID: String
    /// Output vector length.
    public var dimensions: Int
    /// Whether the embedder L2-normalises its outputs (the cache normalises anyway; this records
    /// what the model produces so two otherwise-equal setups stay distinguishable).
    public var normalized: Bool
    /// Maximum input length in tokens; longer inputs are truncated by the embedder.
    public var maxLength: Int

    public init(modelID: String, dimensions: Int, normalized: Bool, maxLength: Int) {
        self.modelID = modelID
        self.dimensions = dimensions
        self.normalized = normalized
        self.maxLength = maxLength
    }

    public var description: String {
        "\(modelID)[d=\(dimensions),\(normalized ? "l2" : "raw"),max=\(maxLength)]"
    }
}
