import ArgumentParser

/// Every subcommand of `loraserve`, in help order.
public let subcommands: [any ParsableCommand.Type] = [
    GenerateCommand.self,
    WorkerCommand.self,
    TokenizeCommand.self,
    AdaptersCommand.self,
    ModelsCommand.self,
    BenchCommand.self,
]
