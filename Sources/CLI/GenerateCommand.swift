import ArgumentParser
import Engine
import Foundation
import ModelStore
import ServeCore
import Tokenizers

/// `loraserve generate`: one prompt, streamed, with tokens/s.
struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Generate text from a prompt with the base model (streams; reports tokens/s)."
    )

    @Option(help: "The prompt. Raw text unless --chat; control-token text becomes control tokens.")
    var prompt: String

    @Flag(help: "Wrap the prompt as a user message in the model's chat template.")
    var chat = false

    @Option(help: "System message for --chat (default: the template's own default).")
    var system: String?

    @Option(name: .customLong("max-tokens"), help: "Tokens to generate at most.")
    var maxTokens = 128

    @Option(help: "0 = greedy.")
    var temperature: Float = 0

    @Option(name: .customLong("top-k"), help: "0 = off.")
    var topK = 0

    @Option(name: .customLong("top-p"), help: "1 = off.")
    var topP: Float = 1

    @Option(name: .customLong("min-p"), help: "0 = off.")
    var minP: Float = 0

    @Option(name: .customLong("repeat-penalty"), help: "1 = off.")
    var repeatPenalty: Float = 1

    @Option(help: "Random seed (sampling is deterministic for a seed).")
    var seed: UInt64?

    @Option(help: "Stop when this string appears (repeatable; not included in the output).")
    var stop: [String] = []

    @Flag(name: .customLong("ignore-eos"), help: "Keep generating past end-of-generation tokens.")
    var ignoreEOS = false

    @Flag(help: "Print one JSON object instead of streaming.")
    var json = false

    @OptionGroup var modelOptions: ModelOptions

    func validate() throws {
        if maxTokens < 1 { throw ValidationError("--max-tokens must be at least 1") }
        if system != nil && !chat { throw ValidationError("--system needs --chat") }
    }

    func run() throws {
        let model = try modelOptions.load()
        let text: String
        if chat {
            guard let template = model.chatTemplate else {
                throw CLIError("\(model.path) has no chat template LoRAServe understands; use a raw --prompt")
            }
            var messages: [ChatMessage] = []
            if let system { messages.append(ChatMessage(role: "system", content: system)) }
            messages.append(ChatMessage(role: "user", content: prompt))
            text = template.render(messages, addGenerationPrompt: true)
        } else {
            text = prompt
        }
        let promptIDs = model.tokenizer.encode(text, parseSpecial: true)
        let parameters = SamplingParameters(temperature: temperature, topK: topK, topP: topP, minP: minP,
                                            repetitionPenalty: repeatPenalty, seed: seed, maxTokens: maxTokens,
                                            stop: stop, ignoreEOS: ignoreEOS)
        let result: GenerationResult
        do {
            let generator = try Generator(weights: model.weights, tokenizer: model.tokenizer, threads: modelOptions.threadCount)
            result = try generator.generate(prompt: promptIDs, parameters: parameters) { piece in
                if !json { Console.write(piece) }
                return true
            }
        } catch {
            throw CLIError(error.description)
        }
        if json {
            try Console.printJSON(Report(result))
        } else {
            Console.write("\n")   // unbuffered, like the streamed text, so it lands before the stats line
            Console.progress(String(format: "[prompt %d tokens, %.1f tokens/s | generated %d tokens, %.1f tokens/s | finish: %@]",
                                    result.promptTokenIDs.count, result.prefillTokensPerSecond,
                                    result.generatedTokenIDs.count, result.decodeTokensPerSecond, result.finishReason.rawValue))
        }
    }

    /// The `--json` contract (relied on by external checks: keep the keys stable).
    struct Report: Encodable {
        let prompt_token_ids: [Int32]
        let generated_token_ids: [Int32]
        let text: String
        let finish_reason: String
        let prefill_tokens_per_second: Double
        let decode_tokens_per_second: Double

        init(_ r: GenerationResult) {
            prompt_token_ids = r.promptTokenIDs
            generated_token_ids = r.generatedTokenIDs
            text = r.text
            finish_reason = r.finishReason.rawValue
            prefill_tokens_per_second = r.prefillTokensPerSecond
            decode_tokens_per_second = r.decodeTokensPerSecond
        }
    }
}
