import ArgumentParser
import Controller
import Foundation
import ModelStore
import Simulator

/// `loraserve bench cluster`: a live local cluster (controller + N workers, child processes of
/// this binary) replays one seeded workload — mixed ranks, a popularity shift at half-time —
/// once per policy on a fresh cluster, and reports throughput, client-side TTFT (overall, per rank
/// class, before/after the shift), SLO attainment and placement actions. The workload is a
/// Simulator `WorkloadSpec` written to DIR/workload.json, so `loraserve simulate DIR/workload.json
/// --workers N --seed S` replays the identical requests in simulated time.
struct BenchClusterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cluster",
        abstract: "Live local cluster benchmark: ours vs round-robin vs affinity on one seeded workload with a popularity shift.",
        discussion: """
        Writes DIR/workload.json (replay it with `loraserve simulate DIR/workload.json --workers N --seed S`), \
        DIR/results.json, DIR/report.md, the controllers' placement actions and every process log.
        """
    )

    @Flag(help: "Print the results as one JSON object (the same as DIR/results.json).")
    var json = false

    @Option(help: "Output directory (default: a fresh temporary directory).")
    var out: String?

    @Option(help: "Worker processes per cluster.")
    var workers = 3

    @Option(help: "Comma-separated policies, each on a fresh cluster: ours, round-robin, affinity.")
    var policies = "ours,round-robin,affinity"

    @Option(help: "Requests to replay (default: rate × duration, as the arrival process gives).")
    var requests: Int?

    @Option(help: "Mean arrival rate, requests/s (Poisson).")
    var rate = 8.0

    @Option(help: "Workload duration in seconds (the popularity shift is at half-time).")
    var duration = 50.0

    @Option(help: "Adapters (ranks 8–128 mixed; Zipf popularity).")
    var adapters = 12

    @Option(name: .customLong("prompt-tokens"), help: "Prompt length, tokens.")
    var promptTokens = 16

    @Option(name: .customLong("max-tokens"), help: "Generated tokens per request (EOS ignored).")
    var maxTokens = 16

    @Option(name: .customLong("slo-ttft"), help: "TTFT SLO, seconds (SLO attainment = share of requests with TTFT at or under it).")
    var sloTTFT = 2.0

    @Option(help: "Workload seed (same seed, same requests).")
    var seed: UInt64 = 1

    @Option(help: "Compute threads in all (default: all cores), shared among the workers.")
    var threads: Int?

    @Option(help: "First port to use (default: random); each policy's cluster uses the next block of ports.")
    var port: Int?

    @Option(help: "A Llama-architecture GGUF file (default: SmolLM2-135M-Instruct).")
    var model: String?

    @Option(name: .customLong("worker-capacity"), help: "Base tokens/s one worker sustains (the controller's routing/placement unit; 100 ≈ one SmolLM2 thread on a shared core).")
    var workerCapacity: Double = 100

    @Option(name: .customLong("ready-timeout"), help: "Seconds to wait for the workers to load the model.")
    var readyTimeout = 300.0

    func validate() throws {
        guard (1...16).contains(workers) else { throw ValidationError("--workers must be in 1...16") }
        guard rate > 0, rate.isFinite else { throw ValidationError("--rate must be > 0") }
        guard duration > 0, duration.isFinite else { throw ValidationError("--duration must be > 0") }
        if let requests, requests < 1 { throw ValidationError("--requests must be >= 1") }
        guard (1...256).contains(adapters) else { throw ValidationError("--adapters must be in 1...256") }
        guard (1...1024).contains(promptTokens), (1...1024).contains(maxTokens) else {
            throw ValidationError("--prompt-tokens and --max-tokens must be in 1...1024")
        }
        guard sloTTFT > 0 else { throw ValidationError("--slo-ttft must be > 0") }
        guard workerCapacity > 0, workerCapacity.isFinite else { throw ValidationError("--worker-capacity must be > 0") }
        if let port, !(1024...65000).contains(port) { throw ValidationError("--port must be in 1024...65000") }
        _ = try parsedPolicies()
    }

    func parsedPolicies() throws -> [PolicyMode] {
        var out: [PolicyMode] = []
        for name in policies.split(separator: ",") {
            do { out.append(try PolicyMode.parse(String(name))) } catch { throw ValidationError(error.description) }
        }
        guard !out.isEmpty else { throw ValidationError("--policies is empty") }
        return out
    }

    func run() async throws {
        let settings = BenchClusterSettings(
            policies: try parsedPolicies(), out: out, workers: workers, requests: requests, rate: rate, duration: duration,
            adapters: adapters, promptTokens: promptTokens, maxTokens: maxTokens, sloTTFT: sloTTFT, seed: seed, threads: threads,
            port: port, model: model, workerCapacity: workerCapacity, readyTimeout: readyTimeout, json: json)
        // Ctrl-C / SIGTERM cancel the run; every cluster's children are stopped on the way out.
        try await SignalScope.run(.cancel) { try await settings.execute() }
    }
}

/// The command's options as a Sendable value (the run happens inside `SignalScope`).
struct BenchClusterSettings: Sendable {
    let policies: [PolicyMode]
    let out: String?
    let workers: Int
    let requests: Int?
    let rate: Double
    let duration: Double
    let adapters: Int
    let promptTokens: Int
    let maxTokens: Int
    let sloTTFT: Double
    let seed: UInt64
    let threads: Int?
    let port: Int?
    let model: String?
    let workerCapacity: Double
    let readyTimeout: Double
    let json: Bool

    /// Idle-probe requests per policy run, and the name workers serve the base model under.
    static let probeRequests = 8
    static let baseModelName = "SmolLM2-135M-Instruct"

    func execute() async throws {
        let policyList = policies
        let dir = out ?? (NSTemporaryDirectory() + "loraserve-bench-cluster-\(ProcessInfo.processInfo.processIdentifier)")
        let fm = FileManager.default
        for sub in ["", "/adapters", "/logs"] {
            do { try fm.createDirectory(atPath: dir + sub, withIntermediateDirectories: true) } catch {
                throw CLIError("cannot create \(dir + sub): \(error.localizedDescription)")
            }
        }
        let modelPath: String
        do { modelPath = try model ?? LlamaLoader.defaultModelPath(progress: Console.progress) } catch { throw CLIError(String(describing: error)) }
        let loaded: LoadedLlama
        do { loaded = try LlamaLoader.load(path: modelPath) } catch { throw CLIError(String(describing: error)) }

        // The workload: a Simulator spec (the file the simulator replays) and its requests.
        let spec = BenchClusterWorkload.spec(rate: rate, duration: requests.map { Double($0) / rate } ?? duration,
                                             adapters: adapters, promptTokens: promptTokens, maxTokens: maxTokens, sloTTFT: sloTTFT)
        let workload: Workload
        do { workload = try Workload.generate(spec, seed: seed) } catch { throw CLIError(error.description) }
        var replay = BenchClusterWorkload.requests(workload, tokenizer: loaded.tokenizer)
        if let requests { replay = Array(replay.prefix(requests)) }
        let probe = BenchClusterWorkload.probe(count: Self.probeRequests, promptTokens: promptTokens, spacing: 0.5,
                                               baseModel: Self.baseModelName, tokenizer: loaded.tokenizer)
        try BenchClusterWorkload.write(spec, to: dir + "/workload.json")
        let adapterList = try BenchClusterWorkload.makeAdapters(workload, root: dir + "/adapters", shape: loaded.shape)
        Console.progress("bench cluster: \(replay.count) requests over \(String(format: "%.0f", spec.durationSeconds)) s "
                         + "(\(String(format: "%.2f", rate)) req/s, shift at \(String(format: "%.0f", spec.durationSeconds / 2)) s), "
                         + "\(adapterList.count) adapters (ranks \(Set(adapterList.map(\.rank)).sorted().map(String.init).joined(separator: ","))), "
                         + "\(workers) workers, policies \(policyList.map(\.rawValue).joined(separator: ", ")); output in \(dir)")

        let cores = threads ?? ProcessInfo.processInfo.activeProcessorCount
        let share = ClusterLauncher.threadsPerWorker(cores: cores, workers: workers)
        let basePort = port ?? ClusterLauncher.randomBasePort()
        var results: [BenchClusterPolicyResult] = []
        for (k, policy) in policyList.enumerated() {
            try Task.checkCancellation()
            let cluster = BenchClusterRun(policy: policy, dir: dir, modelPath: modelPath, workers: workers, threadsPerWorker: share,
                                          controllerPort: basePort + k * (workers + 2), workerCapacity: workerCapacity,
                                          readyTimeout: readyTimeout)
            Console.progress("[\(k + 1)/\(policyList.count)] \(policy.rawValue): starting controller + \(workers) workers (\(share) thread(s) each)…")
            let result = try await cluster.run(adapters: adapterList, requests: replay, probe: probe, spec: spec)
            results.append(result)
            Console.progress("[\(k + 1)/\(policyList.count)] \(policy.rawValue): " + result.summaryLine)
        }
        var report = BenchClusterReport(workers: workers, threads_per_worker: share, slo_ttft_s: sloTTFT, seed: seed,
                                        workload: "workload.json", rate_rps: rate, duration_s: spec.durationSeconds,
                                        shift_at_s: spec.durationSeconds / 2, model: modelPath, policies: results)
        report.probe_prompt_tokens = promptTokens
        try report.write(dir: dir)
        if json {
            try Console.printJSON(report)
        } else {
            print(report.markdownTable())
            print("\nwrote \(dir)/results.json, \(dir)/report.md; replay in the simulator: "
                  + "loraserve simulate \(dir)/workload.json --workers \(workers) --seed \(seed) --policy ours")
        }
    }
}
