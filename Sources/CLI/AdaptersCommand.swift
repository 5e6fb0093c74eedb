import ArgumentParser
import Engine
import Foundation
import LoRAAdapters
import ModelStore
import Safetensors

/// `loraserve adapters make|inspect`.
struct AdaptersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "adapters",
        abstract: "Create and inspect LoRA adapters (PEFT format).",
        subcommands: [Make.self, Inspect.self]
    )

    struct Make: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a PEFT adapter: random weights (performance work) or --prefer TEXT (an observable effect).")

        @Option(help: "LoRA rank r.")
        var rank: Int

        @Option(help: "Comma-separated targets among q,k,v,o,gate,up,down.")
        var targets = "q,k,v,o,gate,up,down"

        @Option(help: "lora_alpha (default: 2 × rank).")
        var alpha: Float?

        @Option(help: "Random seed.")
        var seed: UInt64 = 0

        @Option(help: "Output directory.")
        var out: String

        @Option(help: "Make the model strongly prefer the first token of this text (observable effect; needs the base model).")
        var prefer: String?

        @Option(help: "A Llama-architecture GGUF file (for --prefer and shapes; default: SmolLM2-135M-Instruct).")
        var model: String?

        func validate() throws {
            guard (1...4096).contains(rank) else { throw ValidationError("--rank must be in 1...4096") }
            _ = try parsedTargets()
        }

        func parsedTargets() throws -> [LoRAModule] {
            let names = targets.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            var modules: [LoRAModule] = []
            for name in names {
                guard let module = LoRAModule(anyName: name) else {
                    throw ValidationError("unknown target '\(name)'; use q,k,v,o,gate,up,down")
                }
                modules.append(module)
            }
            guard !modules.isEmpty else { throw ValidationError("--targets is empty") }
            return modules
        }

        func run() throws {
            let loaded = try ModelOptions(model: model).load()
            let shape = loaded.shape
            let alphaValue = alpha ?? Float(2 * rank)
            let files: (config: [UInt8], weights: [UInt8])
            do {
                if let prefer {
                    files = try ObservableAdapter.make(model: loaded, preferring: prefer, rank: rank, alpha: alphaValue,
                                                       progress: Console.progress)
                } else {
                    let modules = PEFTAdapterWriter.randomModules(rank: rank, targets: try parsedTargets(), base: shape, seed: seed)
                    let config = PEFTConfig(r: rank, lora_alpha: alphaValue, target_modules: .names(try parsedTargets().map(\.hfName)),
                                            base_model_name_or_path: "HuggingFaceTB/SmolLM2-135M-Instruct")
                    files = try PEFTAdapterWriter.serialize(config: config, modules: modules, base: shape)
                }
                try AdapterFiles.writePEFT(directory: out, config: files.config, weights: files.weights)
            } catch let error as AdapterError {
                throw CLIError(error.description)
            }
            Console.progress("wrote \(out) (rank \(rank), \(files.weights.count / 1024) KiB)")
        }
    }

    struct Inspect: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print an adapter's rank, targets, bytes and scale.")

        @Argument(help: "A PEFT adapter directory or a GGUF-LoRA file.")
        var path: String

        @Flag(help: "Print JSON.")
        var json = false

        @Option(help: "Base GGUF to validate against (default: SmolLM2-135M-Instruct).")
        var model: String?

        @Option(name: .customLong("max-lora-rank"), help: "Reject ranks above this.")
        var maxLoRARank = 4096

        func run() throws {
            let loaded = try ModelOptions(model: model).load()
            let adapter: LoRAAdapter
            do { adapter = try AdapterFiles.load(path: path, root: nil, base: loaded.shape, maxRank: maxLoRARank) } catch {
                throw CLIError(error.description)
            }
            let layers = adapter.modules.enumerated().filter { !$0.element.isEmpty }.map(\.offset)
            let report = Report(path: path, format: adapter.format.rawValue, rank: adapter.rank,
                                ranks: Array(Set(adapter.modules.flatMap(\.values).map(\.rank))).sorted(),
                                targets: adapter.targets.sorted().map(\.hfName), layers: layers, bytes: adapter.byteCount,
                                scales: adapter.scales, alpha: adapter.alpha, base_model: adapter.baseModel)
            if json {
                try Console.printJSON(report)
            } else {
                print("""
                \(path)
                  format   \(report.format)
                  rank     \(report.rank)\(report.ranks.count > 1 ? " (per module: \(report.ranks))" : "")
                  targets  \(report.targets.joined(separator: ", "))
                  layers   \(layers.count) (\(layers.first ?? 0)…\(layers.last ?? 0))
                  bytes    \(report.bytes) (F32 in memory)
                  scale    \(report.scales.map { String($0) }.joined(separator: ", ")) (alpha \(report.alpha))
                  base     \(report.base_model ?? "-")
                """)
            }
        }

        struct Report: Encodable {
            let path: String
            let format: String
            let rank: Int
            let ranks: [Int]
            let targets: [String]
            let layers: [Int]
            let bytes: Int
            let scales: [Float]
            let alpha: Float
            let base_model: String?
        }
    }
}
