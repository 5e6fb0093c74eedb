import ArgumentParser
import Foundation
import Placement
import Simulator

/// `loraserve experiment …`: experiment suites that write reports.
struct ExperimentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "experiment",
        abstract: "Run experiment suites in the simulator and write reports (Markdown + SVG).",
        subcommands: [PaperExperimentCommand.self]
    )
}

/// `loraserve experiment paper`: the policy comparison behind the paper's claims.
struct PaperExperimentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "paper",
        abstract: "Compare LoRAServe with vLLM-, llm-d-, Dynamo- and S-LoRA-style fleets on the Azure trace and a drift workload.",
        discussion: """
        Writes report.md, summary.json and SVG plots into --out: throughput, SLO attainment and p99 TTFT vs offered \
        load, the TTFT CDF at a reference load, the maximum sustainable rate and the fewest workers under the SLO \
        (bisection), a popularity-shift timeline with placement actions, and ablations. --quick runs a reduced \
        version (a synthetic workload unless --trace is given) in well under a minute.
        """
    )

    @Option(help: "Output directory.")
    var out = "reports/paper"

    @Flag(help: "A reduced run (synthetic workload unless --trace; for tests and smoke checks).")
    var quick = false

    @Option(help: "Azure LLM 2023 conversation trace (default: ../shared/data/traces/azure-llm-2023/AzureLLMInferenceTrace_conv.csv; not used by --quick unless given).")
    var trace: String?

    @Option(help: "Simulated workers for the load sweep (default: 16, quick: 4).")
    var workers: Int?

    @Option(help: "Random seed.")
    var seed: UInt64 = 1

    @Option(name: .customLong("cost-model"), help: "Calibration file from `loraserve profile` or CostModel JSON (default: the A100/7B preset).")
    var costModel: String?

    @Option(name: .customLong("slo-target"), help: "Fraction of requests that must meet the SLO for a rate or fleet to count as sustainable.")
    var sloTarget = 0.9

    func validate() throws {
        if let workers, !(1...256).contains(workers) { throw ValidationError("--workers must be in 1...256") }
        guard sloTarget > 0, sloTarget <= 1 else { throw ValidationError("--slo-target must be in (0, 1]") }
    }

    func run() throws {
        let defaultTrace = "../shared/data/traces/azure-llm-2023/AzureLLMInferenceTrace_conv.csv"
        let tracePath = trace ?? (quick ? nil : defaultTrace)
        var records: [TraceRecord]?
        if let tracePath {
            guard FileManager.default.fileExists(atPath: tracePath) else {
                throw CLIError("trace \(tracePath) not found (pass --trace FILE, or --quick for a synthetic workload)")
            }
            records = try SimulationOptions.readTrace(path: tracePath, format: "azure")
        }
        let cost = try costModel.map { try CostCalibration.loadCostModel(path: $0) } ?? .a100Llama7B
        let settings = PaperSettings(quick: quick, trace: records, tracePath: tracePath, workers: workers, seed: seed,
                                     costModel: cost, sloTarget: sloTarget)
        let bar = ConsoleProgressBar(total: settings.plannedRuns, label: "experiment paper")
        let clock = ContinuousClock()
        let start = clock.now
        let results: PaperResults
        do { results = try PaperExperiment(settings: settings, progress: { bar.advance(by: $0, note: $1) }).run() } catch {
            throw CLIError(String(describing: error))
        }
        bar.finish()
        let wall = (clock.now - start).seconds
        let files = PaperReport(settings: settings, results: results, wallSeconds: wall).render()
        do {
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
            for (name, text) in files { try Data(text.utf8).write(to: URL(fileURLWithPath: out + "/" + name)) }
        } catch {
            throw CLIError("cannot write the report into \(out): \(error.localizedDescription)")
        }
        Console.progress("wrote \(out)/report.md and \(files.count - 1) more files in \(String(format: "%.0f", wall)) s")
        for line in PaperReport.headlineLines(settings: settings, results: results) { print(line) }
    }
}

/// A progress bar on stderr: redrawn in place on a terminal, one line per ~10% otherwise.
final class ConsoleProgressBar: @unchecked Sendable {
    private let total: Int
    private let label: String
    private var done = 0
    private var lastDecile = -1
    private let tty = isatty(STDERR_FILENO) != 0
    private let lock = NSLock()

    init(total: Int, label: String) {
        self.total = max(total, 1)
        self.label = label
    }

    func advance(by n: Int = 1, note: String = "") {
        lock.lock()
        defer { lock.unlock() }
        done = min(done + n, total)
        let fraction = Double(done) / Double(total)
        if tty {
            let width = 30
            let filled = Int(fraction * Double(width))
            let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
            let text = "\r\(label) \(bar) \(done)/\(total) \(note)".padding(toLength: 100, withPad: " ", startingAt: 0)
            FileHandle.standardError.write(Data(text.utf8))
        } else if Int(fraction * 10) > lastDecile {
            lastDecile = Int(fraction * 10)
            FileHandle.standardError.write(Data("\(label): \(Int(fraction * 100))% (\(done)/\(total)) \(note)\n".utf8))
        }
    }

    func finish() {
        lock.lock()
        defer { lock.unlock() }
        if tty { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}
