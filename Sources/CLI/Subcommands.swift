import ArgumentParser

/// Every subcommand of `loraserve`, in help order.
public let subcommands: [any ParsableCommand.Type] = [
    UpCommand.self,
    GenerateCommand.self,
    WorkerCommand.self,
    ControllerCommand.self,
    TokenizeCommand.self,
    AdaptersCommand.self,
    ModelsCommand.self,
    BenchCommand.self,
    SimulateCommand.self,
    PoliciesCommand.self,
    ExperimentCommand.self,
    ProfileCommand.self,
    EmbedCommand.self,
    CacheCommand.self,
    EvalCommand.self,
]
