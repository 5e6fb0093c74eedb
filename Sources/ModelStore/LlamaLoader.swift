import GGUF
import LoRAAdapters
import LlamaModel
import ServeCore
import Tokenizers

/// A Llama-architecture model ready to run: weights (memory-mapped), tokenizer and chat template.
public struct LoadedLlama: Sendable {
    public let path: String
    public let weights: LlamaWeights
    public let tokenizer: BPETokenizer
    /// `nil` when the GGUF carries no chat template LoRAServe understands (raw prompts still work).
    public let chatTemplate: ChatTemplate?
}

/// Errors opening a model, each naming the file and what is wrong with it.
public enum ModelLoadError: Error, Sendable, CustomStringConvertible {
    case store(ModelStoreError)
    case gguf(path: String, GGUFError)
    case model(path: String, LlamaModelError)
    case tokenizer(path: String, TokenizerError)

    public var description: String {
        switch self {
        case let .store(error): error.description
        case let .gguf(path, error): "\(path) is not a readable GGUF file: \(error)"
        case let .model(path, error): "\(path) cannot be run as a Llama model: \(error)"
        case let .tokenizer(path, error): "\(path) has no usable tokenizer: \(error)"
        }
    }
}

public enum LlamaLoader {
    /// Memory-maps and validates a Llama-architecture GGUF file.
    public static func load(path: String) throws(ModelLoadError) -> LoadedLlama {
        let bytes: ReadOnlyBytes
        do { bytes = try MappedFile.map(path: path) } catch { throw .store(error) }
        let file: GGUFFile
        do { file = try GGUFFile(bytes: bytes) } catch { throw .gguf(path: path, error) }
        let weights: LlamaWeights
        do { weights = try LlamaWeights(file: file) } catch { throw .model(path: path, error) }
        let tokenizer: BPETokenizer
        do { tokenizer = try BPETokenizer(gguf: file) } catch { throw .tokenizer(path: path, error) }
        let template = try? ChatTemplate(ggufTemplate: file.string("tokenizer.chat_template"))
        return LoadedLlama(path: path, weights: weights, tokenizer: tokenizer, chatTemplate: template)
    }

    /// The default base model, fetched (with progress) on first use.
    public static func defaultModelPath(progress: @escaping @Sendable (String) -> Void) throws(ModelLoadError) -> String {
        let fetcher = ModelFetcher(progress: progress)
        if !fetcher.isReady(ModelCatalog.smolLM2) {
            progress("The base model is not present yet: fetching it (one time, ~93 MB) …")
        }
        do { return try fetcher.ensure(ModelCatalog.smolLM2)[0] } catch { throw .store(error) }
    }
}

extension LoadedLlama {
    /// The dimensions adapters for this model must have.
    public var shape: BaseModelShape {
        let c = weights.config
        return BaseModelShape(layers: c.layerCount, width: c.embeddingWidth, feedForwardWidth: c.feedForwardWidth,
                              heads: c.headCount, kvHeads: c.kvHeadCount)
    }
}
