import Kernels
import Safetensors
import ServeCore
import Tokenizers

/// Sentence embedder: WordPiece → BERT encoder → mean pooling → L2 normalisation, the
/// sentence-transformers pipeline of all-MiniLM-L6-v2. Immutable after init and safe to share;
/// concurrent calls each use their own `BertContext` (the thread pool runs one parallel loop at a
/// time, so a second concurrent caller's loops run on its own thread).
///
/// Inputs are truncated to `config.maxSequenceLength` tokens ([CLS] and [SEP] included): 256,
/// sentence-transformers' `max_seq_length` for this model. An empty string embeds `[CLS] [SEP]`.
public final class BertEmbedder: Sendable {
    public let encoder: BertEncoder
    public let tokenizer: WordPieceTokenizer
    public let fingerprint: EmbedderFingerprint

    public static let miniLMModelID = "sentence-transformers/all-MiniLM-L6-v2"

    /// - Parameters:
    ///   - file: the model's safetensors (HF BERT names, with or without `bert.`).
    ///   - vocabulary: vocab.txt lines in id order; its size must equal `config.vocabularySize`.
    ///   - threadCount: threads for one call (≥ 2 creates a pool owned by this embedder).
    public init(modelID: String = BertEmbedder.miniLMModelID, file: SafetensorsFile, vocabulary: [String],
                config: BertConfig = .miniLML6v2, lowercase: Bool = true, threadCount: Int = 2) throws(EmbedderLoadError) {
        guard vocabulary.count == config.vocabularySize else {
            throw .vocabularyMismatch(vocabularyCount: vocabulary.count, embeddingRows: config.vocabularySize)
        }
        do { tokenizer = try WordPieceTokenizer(vocabulary: vocabulary, lowercase: lowercase, specialTokens: config.specialTokens) } catch {
            throw .invalidVocabulary(reason: error.description)
        }
        let pool = threadCount > 1 ? ThreadPool(threadCount: threadCount) : nil
        encoder = try BertEncoder(file: file, config: config, pool: pool)
        fingerprint = EmbedderFingerprint(modelID: modelID, dimensions: config.hiddenSize, normalized: true,
                                          maxLength: config.maxSequenceLength, pooling: "mean",
                                          weightsDigest: encoder.weightsDigest)
    }

    /// Builds the embedder from the model directory's file contents (read by the caller):
    /// model.safetensors, vocab.txt and, when present, config.json.
    public convenience init(modelID: String = BertEmbedder.miniLMModelID, safetensors: ReadOnlyBytes, vocabularyText: String,
                            configJSON: [UInt8]?, maxSequenceLength: Int = 256, threadCount: Int = 2) throws(EmbedderLoadError) {
        let file: SafetensorsFile
        do { file = try SafetensorsFile(bytes: safetensors) } catch { throw .safetensors(error) }
        var config = BertConfig.miniLML6v2
        if let configJSON {
            config = try BertConfig(huggingFaceConfigJSON: configJSON, maxSequenceLength: maxSequenceLength)
        } else {
            config.maxSequenceLength = maxSequenceLength
        }
        try self.init(modelID: modelID, file: file, vocabulary: Self.parseVocabulary(vocabularyText), config: config,
                      threadCount: threadCount)
    }

    /// vocab.txt: one token per line, id = line index; "\n" or "\r\n" endings, final newline optional.
    public static func parseVocabulary(_ text: String) -> [String] {
        // Split bytes, not Characters: "\r\n" is one Character and would not split on "\n".
        var lines = text.utf8.split(separator: 0x0A, omittingEmptySubsequences: false).map { line in
            String(decoding: line.last == 0x0D ? line.dropLast() : line, as: UTF8.self)
        }
        if lines.last == "" { lines.removeLast() }
        return lines
    }

    public var config: BertConfig { encoder.config }
    public var dimensions: Int { config.hiddenSize }

    /// `[CLS] … [SEP]` ids, truncated to `maxSequenceLength`.
    public func tokenize(_ text: String) -> [TokenID] {
        tokenizer.encode(text, maxLength: config.maxSequenceLength)
    }

    /// One unit vector of `dimensions` floats per text, in order. The whole array is one batch
    /// (packed, so lengths may differ freely; see `BertEncoder`).
    public func embed(_ texts: [String], context: BertContext = BertContext()) throws(EmbedError) -> [[Float]] {
        try encoder.embed(tokenIDs: texts.map(tokenize), context: context)
    }

    public func embed(_ text: String) throws(EmbedError) -> [Float] {
        try embed([text]).first ?? []
    }
}
