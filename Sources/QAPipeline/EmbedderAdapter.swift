import BertModel
import Foundation
import ModelStore
import SummaryCache

/// Makes BertModel's `BertEmbedder` (all-MiniLM-L6-v2) a SummaryCache `Embedder`. The cache's
/// fingerprint folds the BERT fingerprint's pooling and weights digest into `modelID`, so a change
/// of weights or pooling never matches old entries.
public struct EmbedderAdapter: SummaryCache.Embedder {
    public let embedder: BertEmbedder
    public let fingerprint: SummaryCache.EmbedderFingerprint

    public init(_ embedder: BertEmbedder) {
        self.embedder = embedder
        let f = embedder.fingerprint
        fingerprint = SummaryCache.EmbedderFingerprint(modelID: "\(f.modelID)#\(f.pooling)#\(f.weightsDigest)",
                                                       dimensions: f.dimensions, normalized: f.normalized,
                                                       maxLength: f.maxLength)
    }

    /// Embeds on the calling task (the encoder runs its own thread pool); one batch per call.
    public func embed(_ texts: [String]) async throws -> [[Float]] {
        do { return try embedder.embed(texts) } catch { throw QAPipelineError.embedding(error.description) }
    }

    /// Loads all-MiniLM-L6-v2 from a directory holding model.safetensors, vocab.txt and
    /// (optionally) config.json; the weights are memory-mapped.
    public static func loadMiniLM(directory: String, threadCount: Int = 2) throws -> EmbedderAdapter {
        let weights = try MappedFile.map(path: directory + "/model.safetensors")
        guard let vocabulary = FileManager.default.contents(atPath: directory + "/vocab.txt") else {
            throw QAPipelineError.embedding("cannot read \(directory)/vocab.txt")
        }
        let config = FileManager.default.contents(atPath: directory + "/config.json").map { [UInt8]($0) }
        let bert = try BertEmbedder(safetensors: weights, vocabularyText: String(decoding: vocabulary, as: UTF8.self),
                                    configJSON: config, maxSequenceLength: 256, threadCount: threadCount)
        return EmbedderAdapter(bert)
    }

    /// `~/.cache/loraserve/models/all-MiniLM-L6-v2` (where `loraserve models` puts it).
    public static var defaultMiniLMDirectory: String {
        let home = ProcessInfo.processInfo.environment["HOME"] ?? NSHomeDirectory()
        return home + "/.cache/loraserve/models/all-MiniLM-L6-v2"
    }
}
