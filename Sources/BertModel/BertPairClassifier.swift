import Kernels
import Safetensors
import ServeCore
import Tokenizers

/// A cross-encoder over a BERT encoder: the two texts go through the encoder *together*
/// (`[CLS] a [SEP] b [SEP]`, token types 0 then 1; MPNet: `<s> a </s></s> b </s>`, no types), so
/// every word of one attends to every word of the other; the L2-normalised mean-pooled output
/// goes through one linear unit → a logit.
///
/// The tuned weights ship as a small file next to the base model: a LoRA delta merged into the
/// base encoder at load (`BertLoRADelta`) plus `head.weight` [1 × hidden] and `head.bias` [1].
/// Immutable after init and safe to share; each call uses its own `BertContext`.
public final class BertPairClassifier: Sendable {
    public let encoder: BertEncoder
    public let tokenizer: WordPieceTokenizer
    let headWeight: [Float]
    let headBias: Float
    /// Pair length limit ([CLS] + a + [SEP] + b + [SEP]); longer pairs are truncated longest-first
    /// like HF tokenizers' `truncation=True`.
    public let maxPairLength: Int
    /// Base weights + delta + head (for fingerprints of anything that depends on the verdicts).
    public let digest: String
    /// The classifier was trained to read a third text, the document sentence the cached question
    /// was answered from (`evidenceTokens`; the file has an `evidence_layout` tensor).
    public let readsEvidence: Bool
    /// In the evidence layout, the two questions together get at most this many tokens.
    public static let evidenceQuestionBudget = 60

    public init(base: SafetensorsFile, vocabulary: [String], config: BertConfig = .miniLML6v2, classifier: SafetensorsFile,
                maxPairLength: Int = 128, threadCount: Int = 1) throws(EmbedderLoadError) {
        guard vocabulary.count == config.vocabularySize else {
            throw .vocabularyMismatch(vocabularyCount: vocabulary.count, embeddingRows: config.vocabularySize)
        }
        do { tokenizer = try WordPieceTokenizer(vocabulary: vocabulary, lowercase: true, specialTokens: config.specialTokens) } catch {
            throw .invalidVocabulary(reason: error.description)
        }
        guard (4...config.maxSequenceLength).contains(maxPairLength) else {
            throw .invalidConfig(reason: "pair length \(maxPairLength) must be in 4...\(config.maxSequenceLength)")
        }
        let delta = try BertLoRADelta(file: classifier)
        let pool = threadCount > 1 ? ThreadPool(threadCount: threadCount) : nil
        encoder = try BertEncoder(file: base, config: config, pool: pool, delta: delta)
        let h = config.hiddenSize
        var head = BertTensorReader(file: classifier)
        headWeight = try head.tensor("head.weight", shape: [1, h]).values
        headBias = try head.tensor("head.bias", shape: [1]).values[0]
        self.maxPairLength = maxPairLength
        readsEvidence = classifier.tensors["evidence_layout"] != nil
        if readsEvidence {
            _ = try head.tensor("evidence_layout", shape: [1])
            guard config.architecture == .bert else { throw .invalidConfig(reason: "the evidence layout needs a BERT encoder") }
        }
        digest = encoder.weightsDigest + "+head:" + head.digestHex
    }

    /// `[CLS] a [SEP] b [SEP]` (MPNet: `<s> a </s></s> b </s>`) and the index where b starts.
    public func pairTokens(_ a: String, _ b: String) -> (ids: [TokenID], secondStart: Int) {
        let separator = encoder.config.architecture == .mpnet ? [tokenizer.sepID, tokenizer.sepID] : [tokenizer.sepID]
        let (ta, tb) = questionPieces(a, b, budget: maxPairLength - 2 - separator.count)
        let first = [tokenizer.clsID] + ta + separator
        return (first + tb + [tokenizer.sepID], first.count)
    }

    /// The word pieces of `a` and `b` (no special tokens), cut longest-first to `budget` together.
    private func questionPieces(_ a: String, _ b: String, budget: Int) -> ([TokenID], [TokenID]) {
        var ta = Array(tokenizer.encode(a, maxLength: maxPairLength).dropFirst().dropLast())
        var tb = Array(tokenizer.encode(b, maxLength: maxPairLength).dropFirst().dropLast())
        while ta.count + tb.count > budget {
            if ta.count > tb.count { ta.removeLast() } else { tb.removeLast() }
        }
        return (ta, tb)
    }

    /// `[CLS] a [SEP] b [SEP] evidence [SEP]` (types 0, then 1 from b on) and b's start: the two
    /// questions cut longest-first to `evidenceQuestionBudget` tokens together, the evidence cut
    /// from its end to what is left of `maxPairLength` (Scripts/verifier_evidence.py).
    public func evidenceTokens(_ a: String, _ b: String, evidence: String) -> (ids: [TokenID], secondStart: Int) {
        let (ta, tb) = questionPieces(a, b, budget: Self.evidenceQuestionBudget)
        let te = tokenizer.encode(evidence, maxLength: maxPairLength).dropFirst().dropLast()
            .prefix(max(0, maxPairLength - 4 - ta.count - tb.count))
        let first = [tokenizer.clsID] + ta + [tokenizer.sepID]
        return (first + tb + [tokenizer.sepID] + te + [tokenizer.sepID], first.count)
    }

    /// One logit per pair (> 0: the classifier says "same"), computed in one packed batch.
    public func logits(_ pairs: [(String, String)], context: BertContext = BertContext()) throws(EmbedError) -> [Float] {
        try logits(encoded: pairs.map { pairTokens($0.0, $0.1) }, context: context)
    }

    /// One logit per (cached, new, evidence) triple, in the evidence layout (`evidenceTokens`).
    public func logits(_ triples: [(String, String, String)], context: BertContext = BertContext()) throws(EmbedError) -> [Float] {
        try logits(encoded: triples.map { evidenceTokens($0.0, $0.1, evidence: $0.2) }, context: context)
    }

    func logits(encoded: [(ids: [TokenID], secondStart: Int)], context: BertContext) throws(EmbedError) -> [Float] {
        guard !encoded.isEmpty else { return [] }
        // MPNet has no token types: the separator pair alone marks the second segment.
        let starts = encoder.config.typeVocabularySize > 0 ? encoded.map(\.secondStart) : nil
        let pooled = try encoder.embed(tokenIDs: encoded.map(\.ids), secondSegmentStarts: starts, context: context)
        return pooled.map { v in zip(v, headWeight).reduce(headBias) { $0 + $1.0 * $1.1 } }
    }
}
