import ArgumentParser
import ModelStore

/// `loraserve tokenize --text T [--json]`: the ids the engine would see for raw text.
struct TokenizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenize",
        abstract: "Print the token ids of TEXT (control-token text such as <|im_start|> becomes the control token; no BOS)."
    )

    @Option(help: "The text to tokenize.")
    var text: String

    @Flag(help: "Print {\"token_ids\": [...]}.")
    var json = false

    @OptionGroup var modelOptions: ModelOptions

    func run() throws {
        let model = try modelOptions.load()
        let ids = model.tokenizer.encode(text, parseSpecial: true)
        if json {
            try Console.printJSON(TokenIDs(token_ids: ids))
        } else {
            print(ids.map(String.init).joined(separator: " "))
        }
    }

    private struct TokenIDs: Encodable {
        let token_ids: [Int32]
    }
}
