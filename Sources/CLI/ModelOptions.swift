import ArgumentParser
import Foundation
import ModelStore

/// `--model PATH` and `--threads N`, shared by every command that runs the base model.
struct ModelOptions: ParsableArguments {
    @Option(help: "A Llama-architecture GGUF file (default: SmolLM2-135M-Instruct, fetched on first use).")
    var model: String?

    @Option(help: "Compute threads (default: all cores).")
    var threads: Int?

    init() {}
    init(model: String?) { self.model = model }

    var threadCount: Int { max(1, threads ?? ProcessInfo.processInfo.activeProcessorCount) }

    func validate() throws {
        if let threads, threads < 1 || threads > 256 { throw ValidationError("--threads must be in 1...256") }
    }

    /// Loads the model, fetching the default one first if needed; errors become clean CLI errors.
    func load() throws -> LoadedLlama {
        do {
            let path = try model ?? LlamaLoader.defaultModelPath(progress: Console.progress)
            return try LlamaLoader.load(path: path)
        } catch {
            throw CLIError(String(describing: error))
        }
    }
}
