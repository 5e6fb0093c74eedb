import ArgumentParser
import BatchScheduler
import Foundation
import Placement
import Simulator

/// `loraserve bench validate --live DIR --cost-model CALIBRATION`: simulates the workload a live
/// local cluster ran (`loraserve bench cluster --out DIR`) with this machine's calibration and
/// reports the simulator's error per policy (throughput, TTFT p50 / p99), as text or JSON, and
/// in DIR/validation.md.
struct BenchValidateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Compare the simulator (with a calibration) against a live local cluster run of the same workload.",
        discussion: """
        DIR holds workload.json (a simulator WorkloadSpec) and results.json (written by `loraserve bench cluster`). \
        Each live policy is simulated on the same requests with the matching simulator policy (ours → ours, \
        round-robin → round-robin, affinity → llm-d) on workers modelled as the live CPU workers: exact-rank \
        compute, the calibration's fit for threads_per_worker, the worker's adapter and scheduler limits, and \
        adapter loads priced by the calibration's disk and host bandwidths.
        """
    )

    @Option(help: "Output directory of `loraserve bench cluster` (workload.json, results.json).")
    var live: String

    @Option(name: .customLong("cost-model"), help: "Calibration file from `loraserve profile` (or a CostModel JSON).")
    var costModel: String

    @Option(help: "Workload seed (default: results.json's `seed`, else 1).")
    var seed: UInt64?

    @Option(name: .customLong("max-resident"), help: "Adapters ready for steps per worker (default: results.json's max_active_adapters, else 8 = worker --max-active-adapters).")
    var maxResident: Int?

    @Option(name: .customLong("lora-targets"),
            help: "Projections the live adapters adapt (bench cluster writes q,k,v,o); the calibration measured all seven, so γ is scaled by their share of LoRA work.")
    var loraTargets = "q,k,v,o"

    @Option(name: .customLong("step-scale"),
            help: "Multiply every simulated step cost by this (sensitivity to machine load: the live run shares the CPU with everything else).")
    var stepScale = 1.0

    @Option(name: .customLong("host-cores"),
            help: "Cores the live workers shared (default: results.json's host_cores); steps slow down while busy workers' threads exceed them.")
    var hostCores: Double?

    @Flag(name: .customLong("no-host-model"), help: "Simulate dedicated workers and no front-end latency (the model before the shared-host one).")
    var noHostModel = false

    @Flag(help: "Print one JSON object.")
    var json = false

    func validate() throws {
        guard stepScale > 0, stepScale.isFinite else { throw ValidationError("--step-scale must be > 0") }
        if let hostCores { guard hostCores > 0, hostCores.isFinite else { throw ValidationError("--host-cores must be > 0") } }
        guard ValidationRun.targetShare(loraTargets) != nil else {
            throw ValidationError("--lora-targets: comma-separated names from q,k,v,o,gate,up,down")
        }
    }

    func run() async throws {
        let dir = URL(fileURLWithPath: live)
        let liveRun = try LiveClusterResults.read(dir.appendingPathComponent("results.json").path)
        let spec = try JSONFile.decode(WorkloadSpec.self, from: dir.appendingPathComponent("workload.json").path, what: "workload")
        var selection = try CostCalibration.load(path: costModel, threads: liveRun.threadsPerWorker)
        selection.scaleLoRA(by: ValidationRun.targetShare(loraTargets) ?? 1)
        selection.scaleSteps(by: stepScale)
        var fleet = ValidationRun.fleet(for: liveRun, selection: selection, maxResident: maxResident)
        let runSeed = seed ?? liveRun.seed ?? 1
        let host = noHostModel ? nil : ValidationRun.SharedHostReport.measure(liveRun, fleet: fleet, cores: hostCores)
        let dedicated = try ValidationRun.compare(liveRun, spec: spec, fleet: fleet, seed: runSeed, calibrationThreads: selection.threads)
        var report = dedicated
        if let host {
            fleet.host = host.model
            report = try ValidationRun.compare(liveRun, spec: spec, fleet: fleet, seed: runSeed, calibrationThreads: selection.threads)
            report.host = host
            report.without_host_model = dedicated.summary
        }
        report.step_scale = stepScale
        let markdown = report.markdown(workload: spec.name, costSource: fleet.costModel.source)
        do { try Data(markdown.utf8).write(to: dir.appendingPathComponent("validation.md")) } catch {
            throw CLIError("cannot write \(dir.appendingPathComponent("validation.md").path): \(error.localizedDescription)")
        }
        if json { try Console.printJSON(report) } else { print(markdown) }
    }
}

/// The comparison itself (also what `--json` prints).
struct ValidationRun: Encodable {
    struct Metrics: Encodable {
        let throughput_rps: Double
        let output_tokens_per_second: Double?
        let ttft_p50_s: Double
        let ttft_p99_s: Double
        let slo_attainment: Double?
        let failed_requests: Int?
    }

    struct Row: Encodable {
        let policy: String
        let simulated_policy: String
        let live: Metrics
        let sim: Metrics
        /// (sim − live) / live per metric (absent where live is 0).
        let relative_error: [String: Double]
    }

    let workers: Int
    let threads_per_worker: Int
    let calibration_threads: Int?
    var step_scale = 1.0
    let seed: UInt64
    /// The shared-host model used (nil: dedicated workers, no front end).
    var host: SharedHostReport?
    /// The same comparison without it, for reference.
    var without_host_model: Summary?
    let policies: [Row]
    /// Mean |relative error| over policies for throughput and TTFT p50 (the ±15% target).
    let mean_abs_error_throughput: Double
    let mean_abs_error_ttft_p50: Double

    /// SmolLM2-135M's LoRA work per unit of rank per projection (in + out features); the profile
    /// adapts all seven.
    static let projectionWork: [String: Double] = ["q": 1152, "k": 768, "v": 768, "o": 1152, "gate": 2112, "up": 2112, "down": 2112]

    /// Share of the all-projection LoRA work that `targets` (comma-separated) do; nil if unknown.
    static func targetShare(_ targets: String) -> Double? {
        let names = targets.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        guard !names.isEmpty, names.allSatisfy({ projectionWork[$0] != nil }) else { return nil }
        let all = projectionWork.values.reduce(0, +)
        return Set(names).reduce(0.0) { $0 + (projectionWork[$1] ?? 0) } / all
    }

    /// Live policy name → simulator policy.
    static func simPolicy(_ live: String) -> SimPolicy? {
        switch live {
        case "ours": .ours
        case "round-robin": .roundRobin
        case "affinity": .llmd
        default: SimPolicy(rawValue: live)
        }
    }

    /// Workers modelled as the live `loraserve worker`s: exact compute, its scheduler defaults
    /// (or the overrides results.json records), its active-adapter limit, the calibration's fit
    /// for its thread count.
    static func fleet(for live: LiveClusterResults, selection: CostCalibration.Selection, maxResident: Int?) -> FleetSpec {
        let active = maxResident ?? live.maxActiveAdapters ?? 8
        let batch = live.maxBatchTokens ?? 512
        let scheduler = SchedulerConfig(maxBatchTokens: batch, maxRunningSequences: live.maxRunning ?? 32, kvBlockTokens: 16,
                                        kvBlockCount: max(1, (live.kvCacheTokens ?? 32_768) / 16), maxModelLength: 4096,
                                        maxAdaptersPerStep: active, maxPrefillChunkTokens: min(256, batch), maxWaiting: 1024)
        return FleetSpec(count: live.workers, computeMode: .exact, adapterMemoryBytes: 1 << 30, maxResidentAdapters: active,
                         scheduler: scheduler, costModel: selection.costModel, drainLimitSeconds: 3600,
                         sampledSequenceSeconds: selection.sampledSequenceSeconds, stepRegimes: selection.regimes)
    }

    static func compare(_ live: LiveClusterResults, spec: WorkloadSpec, fleet: FleetSpec, seed: UInt64,
                        calibrationThreads: Int?) throws -> ValidationRun {
        let workload: Workload
        do { workload = try Workload.generate(spec, seed: seed) } catch { throw CLIError("workload: \(error)") }
        var rows: [Row] = []
        for p in live.policies {
            guard let policy = simPolicy(p.policy) else { throw CLIError("no simulator policy for live policy '\(p.policy)'") }
            let r: SimulationResult
            do { r = try Simulation.run(workload, name: spec.name, policy: policy, workers: fleet, seed: seed) } catch {
                throw CLIError(error.description)
            }
            let liveM = Metrics(throughput_rps: p.throughputRps, output_tokens_per_second: p.outputTokensPerSecond, ttft_p50_s: p.ttftP50S,
                                ttft_p99_s: p.ttftP99S, slo_attainment: p.sloAttainment, failed_requests: p.failedRequests)
            let simM = Metrics(throughput_rps: r.throughputRps, output_tokens_per_second: r.outputTokensPerSecond, ttft_p50_s: r.ttft.p50,
                               ttft_p99_s: r.ttft.p99, slo_attainment: r.sloAttainment, failed_requests: r.failed)
            var err: [String: Double] = [:]
            err["throughput_rps"] = rel(r.throughputRps, p.throughputRps)
            err["ttft_p50_s"] = rel(r.ttft.p50, p.ttftP50S)
            err["ttft_p99_s"] = rel(r.ttft.p99, p.ttftP99S)
            if let t = p.outputTokensPerSecond { err["output_tokens_per_second"] = rel(r.outputTokensPerSecond, t) }
            rows.append(Row(policy: p.policy, simulated_policy: policy.rawValue, live: liveM, sim: simM, relative_error: err))
        }
        func meanAbs(_ key: String) -> Double {
            rows.isEmpty ? 0 : rows.reduce(0) { $0 + abs($1.relative_error[key] ?? 0) } / Double(rows.count)
        }
        return ValidationRun(workers: live.workers, threads_per_worker: live.threadsPerWorker, calibration_threads: calibrationThreads,
                             seed: seed, policies: rows, mean_abs_error_throughput: meanAbs("throughput_rps"),
                             mean_abs_error_ttft_p50: meanAbs("ttft_p50_s"))
    }

    /// (sim − live) / live; nil when undefined (live 0 or not finite), so JSON stays valid.
    static func rel(_ sim: Double, _ live: Double) -> Double? {
        guard live.isFinite, sim.isFinite, live != 0 else { return nil }
        return (sim - live) / live
    }

    func markdown(workload: String, costSource: String) -> String {
        func pct(_ v: Double?) -> String { v.map { String(format: "%+.1f%%", $0 * 100) } ?? "n/a" }
        var lines = [
            "# Simulator vs live cluster", "",
            "Workload `\(workload)`, \(workers) workers × \(threads_per_worker) threads, seed \(seed); cost model: \(costSource)"
                + (calibration_threads.map { " (fit for \($0) threads)" } ?? "") + (step_scale != 1 ? ", step costs × \(step_scale)" : "") + ".", "",
            "| policy (sim) | throughput live / sim (req/s) | err | TTFT p50 live / sim (s) | err | TTFT p99 live / sim (s) | err | SLO live / sim |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for r in policies {
            let slo = r.live.slo_attainment.map { String(format: "%.3f", $0) } ?? "—"
            lines.append(String(format: "| %@ (%@) | %.3f / %.3f | %@ | %.3f / %.3f | %@ | %.3f / %.3f | %@ | %@ / %.3f |", r.policy, r.simulated_policy,
                                r.live.throughput_rps, r.sim.throughput_rps, pct(r.relative_error["throughput_rps"]),
                                r.live.ttft_p50_s, r.sim.ttft_p50_s, pct(r.relative_error["ttft_p50_s"]),
                                r.live.ttft_p99_s, r.sim.ttft_p99_s, pct(r.relative_error["ttft_p99_s"]), slo, r.sim.slo_attainment ?? 0))
        }
        lines += ["", String(format: "Mean |error|: throughput %.1f%%, TTFT p50 %.1f%% (target ±15%%).", mean_abs_error_throughput * 100,
                             mean_abs_error_ttft_p50 * 100), "",
                  "Errors are (sim − live) / live."]
        if let host {
            lines += [String(format: "Shared host: %.0f cores for %d workers × %d thread(s) and %.2f cores of background (controller, load "
                             + "generator and the workers' HTTP threads, measured); a step runs max(1, (busy threads + background) / cores) × slower. "
                             + "Front end %.1f ms per request = idle-probe TTFT median %.1f ms (%d probes) − the engine's %.1f ms for the probe.",
                             host.model.cores, workers, host.model.threadsPerWorker, host.model.backgroundCores,
                             host.model.frontEndSeconds * 1000, host.probe_median_s * 1000, host.probes, host.probe_engine_s * 1000)]
            if let d = without_host_model {
                lines += [String(format: "Without it (dedicated workers, no front end): mean |error| throughput %.1f%%, TTFT p50 %.1f%%; per policy TTFT p50 %@.",
                                 d.mean_abs_error_throughput * 100, d.mean_abs_error_ttft_p50 * 100,
                                 d.ttft_p50_errors.map { $0.map { String(format: "%+.1f%%", $0 * 100) } ?? "n/a" }.joined(separator: ", "))]
            }
        } else {
            lines += ["The simulator prices each step with the calibrated cost model on dedicated workers and adds nothing for HTTP, "
                      + "tokenisation or the controller's hop (results.json has no host_cores and no --host-cores was given, or --no-host-model)."]
        }
        lines.append("")
        return lines.joined(separator: "\n")
    }
}

extension CostCalibration.Selection {
    /// Scales every mode's γ (LoRA cost per token·rank) in every regime by `share`.
    mutating func scaleLoRA(by share: Double) {
        func scaled(_ m: CostModel) -> CostModel {
            var m = m
            for k in [\CostModel.exact, \.padded, \.batchMax] { m[keyPath: k].gammaSecondsPerTokenRank *= share }
            return m
        }
        costModel = scaled(costModel)
        regimes = regimes?.map { StepCostRegime(minTokens: $0.minTokens, costModel: scaled($0.costModel), sampledSequenceSeconds: $0.sampledSequenceSeconds) }
    }

    /// Multiplies every step cost (all coefficients, ε, every regime) by `k`.
    mutating func scaleSteps(by k: Double) {
        guard k != 1 else { return }
        costModel = costModel.scaled(by: k)
        sampledSequenceSeconds = sampledSequenceSeconds.map { $0 * k }
        regimes = regimes?.map { StepCostRegime(minTokens: $0.minTokens, costModel: $0.costModel.scaled(by: k),
                                                sampledSequenceSeconds: $0.sampledSequenceSeconds.map { $0 * k }) }
    }
}
