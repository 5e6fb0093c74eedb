import ArgumentParser
import Foundation
import Kernels
import LlamaModel
import LoRAAdapters
import ModelStore
import Placement
import Reports
import Safetensors
import ServeCore

/// `loraserve profile`: measures the real engine's step latency over batch shapes, ranks and
/// compute modes, fits the simulator's `CostModel` by least squares and writes a calibration file
/// (`simulate --cost-model FILE`).
struct ProfileCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "profile",
        abstract: "Fit the simulator's cost model to this machine: sweep batch sizes, prompt lengths, ranks and modes on the real engine.",
        discussion: """
        Each sample is one batched forward pass of the base model with LoRA segments (random adapters on all \
        seven projections), timed as the fastest of --repeats runs (after a warm-up). Per compute mode the fit is \
        T = α + β·tokens + γ·Σ tokens·r_eff + δ·adapters (non-negative least squares).
        """
    )

    @Flag(help: "Print the calibration as JSON on stdout.")
    var json = false

    @Option(help: "Write the calibration file here (default: calibration.json).")
    var out = "calibration.json"

    @Option(help: "Timed runs per sample (the fastest is used: noise on a shared machine only adds time).")
    var repeats = 5

    @Flag(help: "A smaller sweep (tests, smoke checks).")
    var quick = false

    @OptionGroup var modelOptions: ModelOptions

    func validate() throws {
        guard (1...50).contains(repeats) else { throw ValidationError("--repeats must be in 1...50") }
    }

    func run() throws {
        let model = try modelOptions.load()
        // One thread unless asked: a thread pool on a busy machine turns every descheduling into a stall.
        let threads = modelOptions.threads ?? 1
        let profiler = try EngineProfiler(model: model, threads: threads)
        let plan = EngineProfiler.sweep(quick: quick)
        let bar = ConsoleProgressBar(total: plan.count + 1, label: "profile")
        var samples: [ProfileSample] = []
        for shape in plan {
            samples.append(try profiler.measure(shape, repeats: repeats))
            bar.advance()
        }
        let loads = try profiler.measureLoads()
        bar.advance()
        bar.finish()
        let calibration = try CostCalibration.fit(samples: samples, loads: loads, model: model, threads: threads)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let data = try encoder.encode(calibration)
        do { try data.write(to: URL(fileURLWithPath: out)) } catch {
            throw CLIError("cannot write \(out): \(error.localizedDescription)")
        }
        if json {
            print(String(decoding: data, as: UTF8.self))
        } else {
            calibration.printSummary()
            Console.progress("wrote \(out) (use: loraserve simulate --cost-model \(out))")
        }
    }
}

/// One measured step.
struct ProfileSample: Codable, Equatable {
    var mode: String
    var sequences: Int
    var tokensPerSequence: Int
    /// Rank of each distinct adapter in the step (empty = base model only).
    var ranks: [Int]
    var tokens: Int
    /// Σ tokens × effective rank in this mode (the cost model's γ feature).
    var rankTokens: Int
    var distinctAdapters: Int
    var seconds: Double
}

/// A step shape to measure.
struct ProfileShape {
    var mode: LoRAComputeMode
    var sequences: Int
    var tokensPerSequence: Int
    var ranks: [Int]
}
