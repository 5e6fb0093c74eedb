import ArgumentParser
import CLI

/// `loraserve`: one executable, subcommands live in the CLI target.
@main
struct LoRAServe: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "loraserve",
        abstract: "Serve one base LLM with many LoRA adapters of mixed ranks.",
        subcommands: CLI.subcommands
    )
}
