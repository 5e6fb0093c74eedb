import Kernels
import Safetensors
import ServeCore

/// The BERT encoder plus sentence-transformers' pooling: token ids in, one L2-normalised
/// mean-pooled vector per sequence out. Immutable and shareable across threads; scratch lives in
/// a `BertContext`.
///
/// A batch is processed *packed*: the sequences' tokens are concatenated (no padding rows) for
/// every per-token operation, and attention runs per sequence over its own tokens. This is
/// exactly the padded forward with an attention mask (masked keys get weight e^−∞ = 0 and padded
/// rows are never pooled) without computing the padding, so a sentence's embedding does not
/// depend on what else is in its batch.
public final class BertEncoder: Sendable {
    public let config: BertConfig
    let weights: BertWeights
    /// MPNet: the relative-position bucket of key − query for −(L−1)…L−1 (L = maxSequenceLength),
    /// at index (key − query) + L − 1; empty for BERT.
    let relativeBuckets: [Int32]
    let pool: ThreadPool?
    /// Upper bound on packed tokens per internal forward pass (bounds scratch memory; larger
    /// batches are split, which does not change results).
    public let maxTokensPerPass: Int

    /// - Parameters:
    ///   - file: safetensors with HF BERT tensor names (F32, F16 or BF16).
    ///   - pool: threads for the matrix products and row loops (nil: the caller's thread only).
    ///   - delta: a LoRA delta merged into the linear weights at load (`BertLoRADelta`).
    public init(file: SafetensorsFile, config: BertConfig, pool: ThreadPool?, maxTokensPerPass: Int = 4096,
                delta: BertLoRADelta? = nil) throws(EmbedderLoadError) {
        try config.validate()
        self.config = config
        self.weights = try BertWeights(file: file, config: config, delta: delta)
        let span = config.maxSequenceLength - 1
        relativeBuckets = config.relativeAttentionBuckets > 0
            ? (-span...span).map { Int32(Self.relativePositionBucket($0, buckets: config.relativeAttentionBuckets,
                                                                        maxDistance: config.relativeAttentionMaxDistance)) }
            : []
        self.pool = pool
        self.maxTokensPerPass = max(maxTokensPerPass, config.maxSequenceLength)
    }

    /// Digest of the loaded weights (goes into the embedder fingerprint).
    public var weightsDigest: String { weights.digest }

    /// Embeds each token sequence ([CLS] … [SEP] as the tokenizer made it).
    /// - Throws: `EmbedError` for an empty sequence, one longer than `maxSequenceLength`, or an
    ///   id outside the vocabulary.
    /// - Parameter secondSegmentStarts: for sentence pairs, the index in each sequence where the
    ///   second segment starts (token type 1 from there on, BERT's `token_type_ids`); nil: type 0.
    public func embed(tokenIDs batch: [[TokenID]], secondSegmentStarts: [Int]? = nil,
                      context: BertContext = BertContext()) throws(EmbedError) -> [[Float]] {
        if let starts = secondSegmentStarts {
            guard starts.count == batch.count, config.typeVocabularySize >= 2 else {
                throw .invalidSegments(reason: "need one start per sequence and a model with two token types")
            }
            for (index, (ids, start)) in zip(batch, starts).enumerated() where start < 1 || start > ids.count {
                throw .invalidSegments(reason: "input \(index): second segment starts at \(start) of \(ids.count) tokens")
            }
        }
        for (index, ids) in batch.enumerated() {
            guard !ids.isEmpty else { throw .emptySequence(index: index) }
            guard ids.count <= config.maxSequenceLength else {
                throw .sequenceTooLong(index: index, length: ids.count, limit: config.maxSequenceLength)
            }
            for id in ids where id < 0 || Int(id) >= config.vocabularySize {
                throw .tokenOutOfRange(index: index, token: id, vocabularySize: config.vocabularySize)
            }
        }
        var result: [[Float]] = []
        result.reserveCapacity(batch.count)
        var start = 0
        while start < batch.count {
            var end = start, tokens = 0
            while end < batch.count, end == start || tokens + batch[end].count <= maxTokensPerPass {
                tokens += batch[end].count
                end += 1
            }
            result += forward(Array(batch[start..<end]), segmentStarts: secondSegmentStarts.map { Array($0[start..<end]) },
                              context: context)
            start = end
        }
        return result
    }
}
