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
import Simulator

/// `loraserve profile`: measures the real engine's step latency over batch shapes, ranks and
/// compute modes, fits the simulator's `CostModel` by least squares and writes a calibration file
/// (`simulate --cost-model FILE`).
struct ProfileCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "profile",
        abstract: "Fit the simulator's cost model to this machine: sweep batch sizes, prompt lengths, ranks and modes on the real engine.",
        discussion: """
        Each sample is one batched forward pass of the base model with LoRA segments (random adapters on all \
        seven projections). Samples are timed in --rounds interleaved rounds (every shape once per round, in a \
        shuffled order, after one warm-up round) and each keeps its fastest time: load on a shared machine only \
        adds time, and interleaving spreads a burst of load over many shapes instead of one. Per compute mode the \
        fit is T = α + β·tokens + γ·Σ tokens·r_eff + δ·adapters + ε·sampled sequences (non-negative least squares \
        on relative error); samples slower than the fit by more than max(25%, 4 × the median error) are rejected \
        and the fit is redone. Engine-like mixed shapes, and every step of a short mixed workload on the real \
        BatchEngine, are held out of the fit to report its prediction error. One fit per thread count (a 1-thread \
        local worker is modelled by the 1-thread fit).
        """
    )

    @Flag(help: "Print the calibration as JSON on stdout.")
    var json = false

    @Option(help: "Write the calibration file here (default: calibration.json).")
    var out = "calibration.json"

    @Option(name: [.customLong("rounds"), .customLong("repeats")], help: "Timed rounds over all shapes (each sample keeps its fastest).")
    var rounds = 5

    @Option(name: .customLong("threads-list"), parsing: .upToNextOption,
            help: "Thread counts to calibrate, one fit each (default: --threads, else 1 and 2).")
    var threadsList: [Int] = []

    @Flag(name: .customLong("engine-check"), inversion: .prefixedNo,
          help: "Run a short mixed workload on the real BatchEngine and report the fit's per-step error (held out).")
    var engineCheck = true

    @Option(name: .customLong("large-step-tokens"),
            help: "Fit steps of at least this many tokens separately (the engine's matmul switches kernels at 48; 0 = one regime).")
    var largeStepTokens = 48

    @Flag(help: "A smaller sweep (tests, smoke checks).")
    var quick = false

    @OptionGroup var modelOptions: ModelOptions

    func validate() throws {
        guard (1...50).contains(rounds) else { throw ValidationError("--rounds must be in 1...50") }
        guard threadsList.allSatisfy({ (1...256).contains($0) }) else { throw ValidationError("--threads-list values must be in 1...256") }
    }

    func run() async throws {
        let model = try modelOptions.load()
        // One thread unless asked: a thread pool on a busy machine turns every descheduling into a stall.
        let threadCounts = !threadsList.isEmpty ? threadsList : modelOptions.threads.map { [$0] } ?? [1, 2]
        let plan = EngineProfiler.sweep(quick: quick)
        let heldOut = EngineProfiler.heldOutShapes(quick: quick)
        let bar = ConsoleProgressBar(total: threadCounts.count * (rounds + 2) + 1, label: "profile")
        var loads: (disk: Double, host: Double, setup: Double)?
        var fits: [CostCalibration.PerThreads] = []
        for threads in threadCounts {
            let profiler = try EngineProfiler(model: model, threads: threads)
            let measured = try profiler.measureInterleaved(plan + heldOut, rounds: rounds, seed: UInt64(threads)) { bar.advance() }
            if loads == nil {
                loads = try profiler.measureLoads()
                bar.advance()
            }
            let fitted = Array(measured.prefix(plan.count)), held = Array(measured.suffix(heldOut.count))
            var fit = try CalibrationFit.fit(samples: fitted, heldOut: held, loads: loads ?? (1e9, 1e9, 0), model: model, threads: threads,
                                             largeStepTokens: largeStepTokens > 0 ? largeStepTokens : nil)
            if engineCheck {
                // Calibration run → engine overhead per sampled sequence; a differently seeded run → held-out error.
                let calibrationRun = try await EngineStepCheck.run(model: model, threads: threads, fleet: fit.fleet(), seed: 11)
                let extra = (calibrationRun?.samples ?? []).compactMap { s -> Double? in
                    guard let p = s.predictedSeconds, let n = s.sampledSequences, n > 0 else { return nil }
                    return (s.seconds - p) / Double(n)
                }.sorted()
                if !extra.isEmpty {
                    fit.engineSecondsPerSampledSequence = max(0, extra[extra.count / 2])
                    fit.engineCalibrationSteps = calibrationRun
                }
                fit.engineSteps = try await EngineStepCheck.run(model: model, threads: threads, fleet: fit.fleet(), seed: 12)
            }
            bar.advance()
            fits.append(fit)
        }
        bar.finish()
        let calibration = try CostCalibration.assemble(fits, model: model)
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
    /// v2: sequences whose last token is sampled (the LM head runs once per sampled sequence);
    /// v1 files lack it (every profiled sequence samples: = sequences).
    var sampledSequences: Int?
    /// v2: the fit's prediction, (predicted − measured) / measured, and whether the fit rejected it.
    var predictedSeconds: Double?
    var relativeError: Double?
    var rejected: Bool?

    var features: [Double] {
        [1, Double(tokens), Double(rankTokens), Double(distinctAdapters), Double(sampledSequences ?? sequences)]
    }
}

/// A step shape to measure.
struct ProfileShape {
    var mode: LoRAComputeMode
    var sequences: Int
    var tokensPerSequence: Int
    var ranks: [Int]
}

/// The least-squares fit of `loraserve profile`, with outlier rejection and held-out errors.
enum CalibrationFit {
    /// Features of the small-step regime (α, β, γ, δ, ε) and of the large-step one (α, β, γ).
    static func smallFeatures(_ s: ProfileSample) -> [Double] { s.features }
    static func largeFeatures(_ s: ProfileSample) -> [Double] { Array(s.features.prefix(3)) }

    struct ModeFits {
        var coefficients: [String: [Double]] = [:]
        var quality: [String: CostCalibration.FitQuality] = [:]
    }

    /// Fits every mode on `samples` (base-only samples are shared by every mode) and writes each
    /// sample's prediction and rejection flag back into `annotated`.
    static func fitModes(_ samples: [ProfileSample], features: (ProfileSample) -> [Double], annotated: inout [ProfileSample],
                         offsets: [Int]) throws -> ModeFits {
        var out = ModeFits()
        for mode in ["exact", "padded", "batch-max"] {
            let indices = samples.indices.filter { samples[$0].ranks.isEmpty || samples[$0].mode == mode }
            let (c, rejected) = try robustFit(indices.map { samples[$0] }, mode: mode, features: features)
            out.coefficients[mode] = c
            for (k, i) in indices.enumerated() where samples[i].mode == mode || (samples[i].ranks.isEmpty && mode == "exact") {
                let p = predict(c, samples[i], features)
                annotated[offsets[i]].predictedSeconds = p
                annotated[offsets[i]].relativeError = (p - samples[i].seconds) / max(samples[i].seconds, 1e-9)
                annotated[offsets[i]].rejected = rejected.contains(k)
            }
            let rows = indices.enumerated().filter { !rejected.contains($0.offset) }.map { samples[$0.element] }
            let errors = rows.map { abs(predict(c, $0, features) - $0.seconds) / max($0.seconds, 1e-9) }.sorted()
            out.quality[mode] = CostCalibration.FitQuality(samples: rows.count,
                                                           rSquared: LeastSquares.rSquared(rows.map(features), rows.map(\.seconds), coefficients: c),
                                                           medianRelativeError: errors.isEmpty ? 0 : errors[errors.count / 2],
                                                           maxRelativeError: errors.last ?? 0, rejected: rejected.count)
        }
        return out
    }

    static func costModel(_ fits: ModeFits, loads: (disk: Double, host: Double, setup: Double), source: String) throws -> CostModel {
        guard let exact = fits.coefficients["exact"], let padded = fits.coefficients["padded"], let batchMax = fits.coefficients["batch-max"] else {
            throw CLIError("cost model fit incomplete")
        }
        func coeffs(_ c: [Double]) -> CostCoefficients {
            CostCoefficients(alphaSeconds: c[0], betaSecondsPerToken: c[1], gammaSecondsPerTokenRank: c[2],
                             deltaSecondsPerAdapter: c.count > 3 ? c[3] : 0)
        }
        return CostModel(exact: coeffs(exact), padded: coeffs(padded), batchMax: coeffs(batchMax), diskBytesPerSecond: loads.disk,
                         hostBytesPerSecond: loads.host, peerBytesPerSecond: loads.host, loadSetupSeconds: loads.setup, source: source)
    }

    /// Fits the small-step regime (steps under `largeStepTokens`: α, β, γ, δ per mode, ε shared:
    /// the mean of the per-mode fits) and, when it has samples, the large-step regime.
    static func fit(samples: [ProfileSample], heldOut: [ProfileSample], loads: (disk: Double, host: Double, setup: Double),
                    model: LoadedLlama, threads: Int, largeStepTokens: Int?) throws -> CostCalibration.PerThreads {
        let limit = largeStepTokens ?? Int.max
        let smallIdx = samples.indices.filter { samples[$0].tokens < limit }, largeIdx = samples.indices.filter { samples[$0].tokens >= limit }
        var annotated = samples
        let small = try fitModes(smallIdx.map { samples[$0] }, features: smallFeatures, annotated: &annotated, offsets: smallIdx)
        let name = URL(fileURLWithPath: model.path).lastPathComponent
        let source = "fitted by `loraserve profile` on \(cpuModel()) (\(threads) threads), model \(name), \(ISO8601DateFormatter().string(from: Date()))"
        let cost = try costModel(small, loads: loads, source: source)
        let epsilon = ["exact", "padded", "batch-max"].reduce(0.0) { $0 + (small.coefficients[$1]?[4] ?? 0) } / 3
        var large: CostCalibration.LargeSteps?
        if let largeStepTokens, largeIdx.count >= 3 {
            let fits = try fitModes(largeIdx.map { samples[$0] }, features: largeFeatures, annotated: &annotated, offsets: largeIdx)
            large = CostCalibration.LargeSteps(minTokens: largeStepTokens, costModel: try costModel(fits, loads: loads, source: source + ", steps ≥ \(largeStepTokens) tokens"),
                                               sampledSequenceSeconds: 0, fit: fits.quality)
        }
        var result = CostCalibration.PerThreads(threads: threads, costModel: cost, sampledSequenceSeconds: epsilon, fit: small.quality,
                                                samples: annotated, heldOut: nil, largeSteps: large)
        let fleet = result.fleet()
        let held = heldOut.map { s -> ProfileSample in
            var s = s
            let p = predict(fleet, s)
            s.predictedSeconds = p
            s.relativeError = (p - s.seconds) / max(s.seconds, 1e-9)
            return s
        }
        result.heldOut = summary(held)
        return result
    }

    /// Held-out samples with their errors summarised (nil when there are none).
    static func summary(_ samples: [ProfileSample]) -> CostCalibration.HeldOut? {
        guard !samples.isEmpty else { return nil }
        let errors = samples.compactMap { $0.relativeError.map(abs) }.sorted()
        let measured = samples.reduce(0) { $0 + $1.seconds }, predicted = samples.reduce(0) { $0 + ($1.predictedSeconds ?? 0) }
        return CostCalibration.HeldOut(samples: samples, medianRelativeError: errors.isEmpty ? 0 : errors[errors.count / 2],
                                       maxRelativeError: errors.last ?? 0, totalRelativeError: measured > 0 ? (predicted - measured) / measured : nil)
    }

    static func predict(_ c: [Double], _ s: ProfileSample, _ features: (ProfileSample) -> [Double]) -> Double {
        zip(c, features(s)).reduce(0) { $0 + $1.0 * $1.1 }
    }

    /// What the simulator charges for a profiled shape (mode from the sample; LoRA tokens = all tokens).
    static func predict(_ fleet: FleetSpec, _ s: ProfileSample) -> Double {
        let mode: ComputeMode = s.mode == "padded" ? .padded(maxRank: EngineProfiler.slotRank) : s.mode == "batch-max" ? .batchMax : .exact
        let lora = s.ranks.isEmpty ? 0 : s.tokens
        let shape = StepShape(tokens: s.tokens, ownRankTokens: s.mode == "exact" ? s.rankTokens : 0, loraTokens: lora,
                              maxRank: s.ranks.max() ?? 0, distinctAdapters: s.distinctAdapters)
        return fleet.stepSeconds(shape, sampled: s.sampledSequences ?? s.sequences, mode: mode)
    }

    /// Non-negative least squares on relative error (each row scaled by 1/measured), then one
    /// round of rejecting samples slower than predicted by more than max(25%, 4 × median error).
    /// Noise on a shared machine is one-sided (a descheduled thread only adds time), so only
    /// slow outliers are dropped. Returns the coefficients and the rejected rows' indices.
    static func robustFit(_ rows: [ProfileSample], mode: String, features: (ProfileSample) -> [Double]) throws -> ([Double], Set<Int>) {
        guard !rows.isEmpty else { throw CLIError("no samples for the \(mode) cost model") }
        func solve(_ use: [Int]) throws -> [Double] {
            let x = use.map { i in features(rows[i]).map { $0 / max(rows[i].seconds, 1e-9) } }
            guard let c = LeastSquares.solveNonNegative(x, Array(repeating: 1, count: use.count)) else {
                throw CLIError("cannot fit the \(mode) cost model: the samples do not determine it")
            }
            return c
        }
        let all = Array(rows.indices)
        var c = try solve(all)
        let errors = rows.map { (predict(c, $0, features) - $0.seconds) / max($0.seconds, 1e-9) }
        let median = errors.map(abs).sorted()[errors.count / 2]
        let limit = max(0.25, 4 * median)
        let rejected = Set(all.filter { -errors[$0] > limit })
        if !rejected.isEmpty, rows.count - rejected.count >= features(rows[0]).count + 1 {
            c = try solve(all.filter { !rejected.contains($0) })
            return (c, rejected)
        }
        return (c, [])
    }

    /// `model name` from /proc/cpuinfo (Linux), else "unknown".
    static func cpuModel() -> String {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return "unknown" }
        for line in text.split(separator: "\n") where line.hasPrefix("model name") {
            if let colon = line.firstIndex(of: ":") { return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces) }
        }
        return "unknown"
    }
}
