/// Identifies what produced an embedding. The summary cache stores it with every entry and only
/// compares vectors whose fingerprints are equal: any change of model, weights, dimensions,
/// pooling, normalisation or truncation length makes old vectors incomparable.
public struct EmbedderFingerprint: Codable, Hashable, Sendable, CustomStringConvertible {
    /// e.g. "sentence-transformers/all-MiniLM-L6-v2".
    public var modelID: String
    public var dimensions: Int
    /// Whether vectors are L2-normalised (cosine = dot product).
    public var normalized: Bool
    /// Tokens per input after truncation ([CLS]/[SEP] included).
    public var maxLength: Int
    /// "mean" for sentence-transformers' mean pooling over real tokens.
    public var pooling: String
    /// Digest of the weights as loaded (see `BertWeights.digest`): "fnv1a64:<16 hex>".
    public var weightsDigest: String

    public init(modelID: String, dimensions: Int, normalized: Bool, maxLength: Int, pooling: String, weightsDigest: String) {
        self.modelID = modelID
        self.dimensions = dimensions
        self.normalized = normalized
        self.maxLength = maxLength
        self.pooling = pooling
        self.weightsDigest = weightsDigest
    }

    public var description: String {
        "\(modelID)/d\(dimensions)/\(pooling)\(normalized ? "/l2" : "")/max\(maxLength)/\(weightsDigest)"
    }
}
