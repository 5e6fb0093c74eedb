import Foundation
import ModelStore
import Placement
import Reports
import Simulator

/// A calibration file: the fitted `CostModel` plus the machine, model and samples it came from.
///
/// Format `loraserve-calibration/2` adds (all optional, so v1 files still load, and v1 readers
/// still find `costModel`): `sampledSequenceSeconds` (LM head + sampling per sampled sequence),
/// per-sample predictions and rejection flags, held-out samples with their errors, and
/// `perThreads` (one fit per thread count; `costModel` is the first one's).
struct CostCalibration: Codable {
    struct Machine: Codable {
        var cpu: String
        var cores: Int
        var threads: Int
        var os: String
    }

    struct Model: Codable {
        var name: String
        var path: String
        var sha256: String
        var layers: Int
        var width: Int
    }

    struct FitQuality: Codable {
        var samples: Int
        var rSquared: Double
        /// Median of |predicted − measured| / measured.
        var medianRelativeError: Double
        /// v2: the worst kept sample's relative error, and samples rejected as outliers.
        var maxRelativeError: Double?
        var rejected: Int?
    }

    /// v2: prediction error on samples that were measured but not fitted (engine-like shapes).
    struct HeldOut: Codable {
        var samples: [ProfileSample]
        var medianRelativeError: Double
        var maxRelativeError: Double
        /// (Σ predicted − Σ measured) / Σ measured: the error on a whole run's busy time.
        var totalRelativeError: Double?
        /// Engine runs: error of the median time to first token and of the makespan, all steps
        /// (cold first step included) — what a one-worker simulation of the same requests gets wrong.
        var ttftP50RelativeError: Double?
        var makespanRelativeError: Double?
    }

    /// v2: one thread count's fit.
    struct PerThreads: Codable {
        var threads: Int
        var costModel: CostModel
        var sampledSequenceSeconds: Double
        var fit: [String: FitQuality]
        var samples: [ProfileSample]
        var heldOut: HeldOut?
        /// Steps of a short mixed workload on the real `BatchEngine`, predicted by this fit
        /// (with the engine overhead); a differently seeded workload from the calibration run.
        var engineSteps: HeldOut?
        /// Engine work per sampled sequence beyond a forward pass (sampling, detokenising,
        /// streaming, bookkeeping): the median over a calibration run's steps of
        /// (measured − predicted) / sampled sequences, ≥ 0. Added to ε in every regime.
        var engineSecondsPerSampledSequence: Double?
        var engineCalibrationSteps: HeldOut?
        /// Steps of at least `minTokens` tokens, fitted on their own (other matmul kernels).
        var largeSteps: LargeSteps?

        /// A one-worker fleet priced like this fit (what the simulator charges per step).
        func fleet() -> FleetSpec {
            FleetSpec(count: 1, computeMode: .exact, costModel: costModel, sampledSequenceSeconds: epsilon, stepRegimes: regimes)
        }

        /// ε the simulator charges per sampled sequence: the forward fit's plus the engine's overhead.
        var epsilon: Double { sampledSequenceSeconds + (engineSecondsPerSampledSequence ?? 0) }

        var regimes: [StepCostRegime]? {
            largeSteps.map {
                [StepCostRegime(minTokens: $0.minTokens, costModel: $0.costModel,
                                sampledSequenceSeconds: $0.sampledSequenceSeconds + (engineSecondsPerSampledSequence ?? 0))]
            }
        }
    }

    /// v2: the large-step regime of one thread count (α, β, γ per mode; δ = ε = 0).
    struct LargeSteps: Codable {
        var minTokens: Int
        var costModel: CostModel
        var sampledSequenceSeconds: Double
        var fit: [String: FitQuality]
    }

    var format = "loraserve-calibration/2"
    var created: String
    var machine: Machine
    var model: Model
    var costModel: CostModel
    var sampledSequenceSeconds: Double?
    var fit: [String: FitQuality]
    var samples: [ProfileSample]
    var heldOut: HeldOut?
    var perThreads: [PerThreads]?

    /// What a simulated worker needs from a calibration for `threads` compute threads.
    struct Selection {
        var costModel: CostModel
        var sampledSequenceSeconds: Double?
        var regimes: [StepCostRegime]? = nil
        /// The thread count the selected fit was measured with (nil: bare CostModel file).
        var threads: Int?
    }

    /// Reads a calibration file, or a bare `CostModel` JSON.
    static func loadCostModel(path: String) throws -> CostModel { try load(path: path, threads: nil).costModel }

    /// Reads a calibration (v1 or v2) or bare `CostModel` JSON; with `threads`, picks that thread
    /// count's fit (else the closest one measured).
    static func load(path: String, threads: Int?) throws -> Selection {
        let data = try JSONFile.data(path, what: "cost model")
        if let c = try? JSONDecoder().decode(CostCalibration.self, from: data) { return c.selection(threads: threads) }
        do { return Selection(costModel: try JSONDecoder().decode(CostModel.self, from: data), sampledSequenceSeconds: nil, threads: nil) } catch {
            throw CLIError("\(path) is neither a calibration file (loraserve profile) nor a CostModel JSON: \(error)")
        }
    }

    func selection(threads: Int?) -> Selection {
        if let threads, let fits = perThreads, !fits.isEmpty,
           let best = fits.min(by: { abs($0.threads - threads) != abs($1.threads - threads) ? abs($0.threads - threads) < abs($1.threads - threads) : $0.threads < $1.threads }) {
            return Selection(costModel: best.costModel, sampledSequenceSeconds: best.epsilon, regimes: best.regimes, threads: best.threads)
        }
        if let own = perThreads?.first(where: { $0.threads == machine.threads }) {
            return Selection(costModel: own.costModel, sampledSequenceSeconds: own.epsilon, regimes: own.regimes, threads: own.threads)
        }
        return Selection(costModel: costModel, sampledSequenceSeconds: sampledSequenceSeconds, threads: machine.threads)
    }

    /// Builds the file from per-thread fits (the first is the default `costModel`).
    static func assemble(_ fits: [PerThreads], model: LoadedLlama) throws -> CostCalibration {
        guard let first = fits.first else { throw CLIError("no thread count was profiled") }
        let machine = Machine(cpu: CalibrationFit.cpuModel(), cores: ProcessInfo.processInfo.activeProcessorCount,
                              threads: first.threads, os: ProcessInfo.processInfo.operatingSystemVersionString)
        let c = model.weights.config
        let name = URL(fileURLWithPath: model.path).lastPathComponent
        return CostCalibration(created: ISO8601DateFormatter().string(from: Date()), machine: machine,
                               model: Model(name: name, path: model.path, sha256: sha256(path: model.path), layers: c.layerCount,
                                            width: c.embeddingWidth),
                               costModel: first.costModel, sampledSequenceSeconds: first.sampledSequenceSeconds, fit: first.fit,
                               samples: first.samples, heldOut: first.heldOut, perThreads: fits)
    }

    /// SHA-256 of the model file, streamed in 4 MiB blocks ("unavailable" if unreadable).
    static func sha256(path: String) -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else { return "unavailable" }
        defer { try? handle.close() }
        var hasher = SHA256()
        while let chunk = try? handle.read(upToCount: 4 << 20), !chunk.isEmpty {
            chunk.withUnsafeBytes { hasher.update($0) }
        }
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }

    func printSummary() {
        print("machine  \(machine.cpu), \(machine.cores) cores")
        print("model    \(model.name) sha256 \(model.sha256.prefix(16))…")
        for t in perThreads ?? [] {
            print("threads  \(t.threads): ε \(String(format: "%.3f", t.sampledSequenceSeconds * 1e3)) ms per sampled sequence")
            for (mode, c) in [("exact", t.costModel.exact), ("padded", t.costModel.padded), ("batch-max", t.costModel.batchMax)] {
                let q = t.fit[mode]
                print(String(format: "  %-9@ α %.3f ms  β %.1f µs/token  γ %.4f µs/(token·rank)  δ %.3f ms/adapter  (R² %.3f, median error %.1f%%, max %.1f%%, %d samples, %d rejected)",
                             mode, c.alphaSeconds * 1e3, c.betaSecondsPerToken * 1e6, c.gammaSecondsPerTokenRank * 1e6,
                             c.deltaSecondsPerAdapter * 1e3, q?.rSquared ?? 0, (q?.medianRelativeError ?? 0) * 100,
                             (q?.maxRelativeError ?? 0) * 100, q?.samples ?? 0, q?.rejected ?? 0))
            }
            if let l = t.largeSteps {
                for (mode, c) in [("exact", l.costModel.exact), ("padded", l.costModel.padded), ("batch-max", l.costModel.batchMax)] {
                    let q = l.fit[mode]
                    print(String(format: "  ≥%d tok %-9@ α %.3f ms  β %.1f µs/token  γ %.4f µs/(token·rank)  (R² %.3f, median error %.1f%%, max %.1f%%, %d samples)",
                                 l.minTokens, mode, c.alphaSeconds * 1e3, c.betaSecondsPerToken * 1e6, c.gammaSecondsPerTokenRank * 1e6,
                                 q?.rSquared ?? 0, (q?.medianRelativeError ?? 0) * 100, (q?.maxRelativeError ?? 0) * 100, q?.samples ?? 0))
                }
            }
            if let k = t.engineSecondsPerSampledSequence, let c = t.engineCalibrationSteps {
                print(String(format: "  engine overhead %.2f ms per sampled sequence (median over %d BatchEngine steps of a calibration run)", k * 1e3,
                             c.samples.count))
            }
            if let e = t.engineSteps {
                print(String(format: "  BatchEngine %d steps (held out): median error %.1f%%, max %.1f%%, total busy time %+.1f%%; whole run: TTFT p50 %+.1f%%, makespan %+.1f%%",
                             e.samples.count, e.medianRelativeError * 100, e.maxRelativeError * 100, (e.totalRelativeError ?? 0) * 100,
                             (e.ttftP50RelativeError ?? 0) * 100, (e.makespanRelativeError ?? 0) * 100))
            }
            if let h = t.heldOut {
                print(String(format: "  held-out %d forward shapes: median error %.1f%%, max %.1f%%", h.samples.count,
                             h.medianRelativeError * 100, h.maxRelativeError * 100))
                for s in h.samples {
                    print(String(format: "    %@ %2d seq × %3d tok ranks %@: measured %.2f ms, predicted %.2f ms (%+.1f%%)", s.mode, s.sequences,
                                 s.tokensPerSequence, s.ranks.map(String.init).joined(separator: ","), s.seconds * 1e3,
                                 (s.predictedSeconds ?? 0) * 1e3, (s.relativeError ?? 0) * 100))
                }
            }
        }
        print(String(format: "loads    disk %.2f GB/s, host→active %.2f GB/s, setup %.2f ms", costModel.diskBytesPerSecond / 1e9,
                     costModel.hostBytesPerSecond / 1e9, costModel.loadSetupSeconds * 1e3))
    }
}

extension CostModel {
    /// Every step coefficient × `k` (load costs unchanged).
    func scaled(by k: Double) -> CostModel {
        var m = self
        for mode in [\CostModel.exact, \.padded, \.batchMax] {
            m[keyPath: mode].alphaSeconds *= k
            m[keyPath: mode].betaSecondsPerToken *= k
            m[keyPath: mode].gammaSecondsPerTokenRank *= k
            m[keyPath: mode].deltaSecondsPerAdapter *= k
        }
        return m
    }
}
