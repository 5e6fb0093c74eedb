import ArgumentParser
import BatchScheduler
import Foundation
import Placement
import Simulator

/// Options shared by `simulate` and `experiment`: fleet, trace, rate, seed, cost model.
struct SimulationOptions: ParsableArguments {
    @Option(help: "Simulated workers.")
    var workers = 16

    @Option(help: "A request trace: Azure LLM 2023 CSV, BurstGPT CSV or Mooncake JSONL (see --trace-format).")
    var trace: String?

    @Option(name: .customLong("trace-format"), help: "azure | burstgpt | mooncake (default: from the file's extension and header).")
    var traceFormat: String?

    @Option(help: "Mean arrival rate, requests/s (overrides the workload; a trace's timeline is rescaled to it).")
    var rate: Double?

    @Option(help: "Random seed (same seed, same results).")
    var seed: UInt64 = 1

    @Option(name: .customLong("cost-model"), help: "Cost model: a calibration file from `loraserve profile` or a CostModel JSON (default: the A100/7B preset).")
    var costModel: String?

    @Option(name: .customLong("max-resident"), help: "Adapters resident per worker at once (GPU slots + host cache).")
    var maxResident = 64

    @Option(name: .customLong("threads-per-worker"), help: "With a v2 calibration: use the fit for this many compute threads per worker.")
    var threadsPerWorker: Int?

    init() {}

    func validate() throws {
        guard (1...4096).contains(workers) else { throw ValidationError("--workers must be in 1...4096") }
        if let rate, !(rate > 0 && rate.isFinite) { throw ValidationError("--rate must be > 0") }
        if let traceFormat, !["azure", "burstgpt", "mooncake"].contains(traceFormat) {
            throw ValidationError("--trace-format must be azure, burstgpt or mooncake")
        }
        guard maxResident >= 1 else { throw ValidationError("--max-resident must be >= 1") }
    }

    /// The scheduler every simulated worker runs (long contexts: the traces have prompts of ~4k tokens).
    static let scheduler = SchedulerConfig(maxBatchTokens: 2048, maxRunningSequences: 128, kvBlockTokens: 16, kvBlockCount: 8192,
                                           maxModelLength: 8192, maxAdaptersPerStep: 16, maxPrefillChunkTokens: 1024, maxWaiting: 4096)

    func fleet() throws -> FleetSpec {
        let selection = try costSelection()
        return FleetSpec(count: workers, maxResidentAdapters: maxResident, scheduler: Self.scheduler, costModel: selection.costModel,
                         sampledSequenceSeconds: selection.sampledSequenceSeconds, stepRegimes: selection.regimes)
    }

    func loadCostModel() throws -> CostModel { try costSelection().costModel }

    /// The cost model (and a v2 calibration's per-sampled-sequence cost) for --threads-per-worker.
    func costSelection() throws -> CostCalibration.Selection {
        guard let costModel else { return CostCalibration.Selection(costModel: .a100Llama7B, sampledSequenceSeconds: nil, threads: nil) }
        return try CostCalibration.load(path: costModel, threads: threadsPerWorker)
    }

    /// Reads and parses `--trace` (nil without one).
    func loadTrace() throws -> [TraceRecord]? {
        guard let trace else { return nil }
        return try Self.readTrace(path: trace, format: traceFormat)
    }

    static func readTrace(path: String, format: String?) throws -> [TraceRecord] {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw CLIError("cannot read trace \(path): \(error.localizedDescription)")
        }
        let kind = format ?? {
            if path.hasSuffix(".jsonl") { return "mooncake" }
            return text.prefix(200).contains("Request tokens") ? "burstgpt" : "azure"
        }()
        do {
            let records: [TraceRecord] = switch kind {
            case "burstgpt": try TraceReader.burstGPT(csv: text)
            case "mooncake": try TraceReader.mooncake(jsonl: text)
            default: try TraceReader.azure(csv: text)
            }
            guard !records.isEmpty else { throw CLIError("trace \(path) has no records") }
            return records
        } catch let e as TraceError {
            throw CLIError("trace \(path): \(e.description)")
        }
    }

    /// The workload file at `path`, else the trace's own arrivals and lengths, else the example.
    func loadSpec(path: String?, hasTrace: Bool) throws -> WorkloadSpec {
        if let path { return try JSONFile.decode(WorkloadSpec.self, from: path, what: "workload") }
        return hasTrace ? Self.traceSpec(name: "trace") : .example
    }

    /// Arrivals and token lengths from the trace; 500 adapters, production rank mix, Zipf 1.0.
    static func traceSpec(name: String, rate: Double? = nil, adapters: Int = 500) -> WorkloadSpec {
        WorkloadSpec(name: name, durationSeconds: 1e9, arrivals: .init(kind: "trace", ratePerSecond: rate),
                     lengths: .init(kind: "trace", maxPrompt: 4000, maxOutput: 2000),
                     adapters: .init(count: adapters, zipfExponent: 1.0), slo: .init(ttftSeconds: 2, tpotSeconds: 0.1))
    }
}

/// `loraserve simulate --example-workload`: the example spec with `_about` notes (ignored when read back).
enum ExampleWorkload {
    static let notes: [String: String] = [
        "_about": "LoRAServe simulator workload (docs/simulator.md). Keys starting with _ are comments and are ignored.",
        "name": "label in reports",
        "durationSeconds": "arrivals after this time are dropped (cuts a trace short)",
    ]
    static let nested: [String: [String: String]] = [
        "arrivals": ["_about": "kind: poisson | gamma (cv > 1 = bursty) | trace (needs --trace; ratePerSecond rescales its timeline)"],
        "lengths": ["_about": "kind: fixed | lognormal (means and sigma of the underlying normal) | trace; clamped to maxPrompt/maxOutput tokens"],
        "adapters": ["_about": "count adapters with Zipf popularity; rankMix = share of adapters per rank (independent of popularity); bytesPerRank sizes the weights (2 MiB/rank = Llama-7B q,k,v,o fp16)"],
        "drift": ["_about": "popularity is reshuffled at each of atSeconds and every everySeconds (null = never)"],
        "slo": ["_about": "a request meets the SLO when TTFT <= ttftSeconds and mean TPOT <= tpotSeconds"],
    ]

    static func json() throws -> String {
        let data = try JSONEncoder().encode(WorkloadSpec.example)
        guard var object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else { throw CLIError("cannot encode example") }
        for (k, v) in notes where k.hasPrefix("_") { object[k] = v }
        object["_fields"] = notes.filter { !$0.key.hasPrefix("_") }
        for (key, extra) in nested {
            guard var inner = object[key] as? [String: Any] else { continue }
            for (k, v) in extra { inner[k] = v }
            object[key] = inner
        }
        let drift = object["drift"] as? [String: Any]
        if drift?["everySeconds"] == nil, var d = drift {
            d["everySeconds"] = NSNull()
            object["drift"] = d
        }
        let out = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
        return String(decoding: out, as: UTF8.self)
    }
}

/// The `simulate --json` contract (external checks rely on the keys: keep them stable).
struct SimulationReport: Encodable {
    struct RankClass: Encodable {
        let rank: Int
        let requests: Int
        let ttft_p50_s: Double
        let ttft_p99_s: Double
        let tpot_p50_s: Double
        let slo_attainment: Double
    }

    let policy: String
    let workload: String
    let workers: Int
    let compute_mode: String
    let seed: UInt64
    let requests: Int
    let completed: Int
    let failed: Int
    let makespan_s: Double
    let throughput_rps: Double
    let output_tokens_per_second: Double
    let ttft_p50_s: Double
    let ttft_p95_s: Double
    let ttft_p99_s: Double
    let tpot_p50_s: Double
    let tpot_p99_s: Double
    let e2e_p50_s: Double
    let slo_attainment: Double
    let slo_ttft_s: Double
    let slo_tpot_s: Double
    let placement_actions: Int
    let replans: Int
    let remote_fetches: Int
    let adapter_loads: [String: Int]
    let preemptions: Int
    let steps: Int
    let events: Int
    let events_per_second: Double
    let wall_seconds: Double
    let scheduler_trace_hash: String
    let cost_model: String
    let per_rank: [RankClass]

    init(_ r: SimulationResult, costSource: String) {
        policy = r.policy
        workload = r.workload
        workers = r.workers
        compute_mode = r.computeMode
        seed = r.seed
        requests = r.requests
        completed = r.completed
        failed = r.failed
        makespan_s = r.makespanSeconds
        throughput_rps = r.throughputRps
        output_tokens_per_second = r.outputTokensPerSecond
        ttft_p50_s = r.ttft.p50
        ttft_p95_s = r.ttft.p95
        ttft_p99_s = r.ttft.p99
        tpot_p50_s = r.tpot.p50
        tpot_p99_s = r.tpot.p99
        e2e_p50_s = r.e2e.p50
        slo_attainment = r.sloAttainment
        slo_ttft_s = r.sloTTFTSeconds
        slo_tpot_s = r.sloTPOTSeconds
        placement_actions = r.placementActions
        replans = r.replans
        remote_fetches = r.remoteFetches
        adapter_loads = r.adapterLoads
        preemptions = r.preemptions
        steps = r.steps
        events = r.events
        wall_seconds = r.wallSeconds ?? 0
        events_per_second = (r.wallSeconds ?? 0) > 0 ? Double(r.events) / (r.wallSeconds ?? 1) : 0
        scheduler_trace_hash = String(r.schedulerTraceHash, radix: 16)
        cost_model = costSource
        per_rank = r.perRank.map {
            RankClass(rank: $0.rank, requests: $0.requests, ttft_p50_s: $0.ttft.p50, ttft_p99_s: $0.ttft.p99,
                      tpot_p50_s: $0.tpot.p50, slo_attainment: $0.sloAttainment)
        }
    }

    func printText() {
        print("""
        \(policy) on \(workers) workers (\(compute_mode)), workload \(workload), seed \(seed)
          requests      \(requests) (\(completed) completed, \(failed) failed), makespan \(String(format: "%.1f", makespan_s)) s
          throughput    \(String(format: "%.2f", throughput_rps)) req/s, \(String(format: "%.0f", output_tokens_per_second)) output tokens/s
          TTFT          p50 \(String(format: "%.3f", ttft_p50_s)) s, p95 \(String(format: "%.3f", ttft_p95_s)) s, p99 \(String(format: "%.3f", ttft_p99_s)) s
          TPOT          p50 \(String(format: "%.4f", tpot_p50_s)) s, p99 \(String(format: "%.4f", tpot_p99_s)) s
          SLO           \(String(format: "%.3f", slo_attainment)) of requests meet TTFT <= \(slo_ttft_s) s and TPOT <= \(slo_tpot_s) s
          placement     \(placement_actions) actions, \(replans) re-plans, \(remote_fetches) remote fetches, loads \(adapter_loads.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
          simulator     \(events) events, \(steps) steps in \(String(format: "%.2f", wall_seconds)) s (\(String(format: "%.0f", events_per_second)) events/s)
        """)
        for c in per_rank {
            print(String(format: "  rank %4d     %6d requests, TTFT p50 %.3f s p99 %.3f s, SLO %.3f", c.rank, c.requests, c.ttft_p50_s,
                         c.ttft_p99_s, c.slo_attainment))
        }
    }
}
