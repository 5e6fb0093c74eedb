import Foundation
import Simulator

/// One policy's figures (keys are a contract: `loraserve bench validate` reads them).
struct BenchClusterPolicyResult: Codable, Sendable {
    struct RankClass: Codable, Sendable {
        let requests: Int
        let ttft_p50_s: Double
        let ttft_p99_s: Double
        let slo_attainment: Double
    }

    struct Window: Codable, Sendable {
        let requests: Int
        let ttft_p50_s: Double
        let ttft_p99_s: Double
        let slo_attainment: Double
    }

    let policy: String
    let requests: Int
    let completed: Int
    let failed_requests: Int
    let makespan_s: Double
    let throughput_rps: Double
    let output_tokens_per_second: Double
    let ttft_p50_s: Double
    let ttft_p95_s: Double
    let ttft_p99_s: Double
    let slo_attainment: Double
    /// Placement actions the controller executed (all, including the initial placement).
    let placement_actions: Int
    /// Of which during the replay (rebalancing).
    let placement_actions_during_replay: Int
    /// Requests sent to a worker that had to load the adapter first.
    let on_demand_loads: Int
    /// Keyed by rank ("8", "16", …).
    let by_rank_class: [String: RankClass]
    /// TTFTs of the idle probe: base-model requests of the workload's prompt length sent one at a
    /// time before the replay (what `bench validate` subtracts the engine's time from to get the
    /// front-end latency: HTTP, tokenisation, the controller hop, SSE).
    var idle_probe_ttft_s: [Double] = []
    /// Cores the controller and the load generator kept busy during the replay (CPU seconds /
    /// wall seconds): the workers' compute threads could not use them.
    var background_cpu_cores: Double?
    /// Cores the workers used beyond their step loops (HTTP, tokenisation, SSE) during the replay;
    /// measured with one compute thread per worker only.
    var worker_overhead_cpu_cores: Double?
    /// Before and after the popularity shift (by arrival time).
    let before_shift: Window
    let after_shift: Window
    let errors: [String]

    init(policy: String, outcomes: [BenchRequestOutcome], sloTTFT: Double, shiftAt: Double,
         placementActions: Int, replayActions: Int, onDemandLoads: Int) {
        self.policy = policy
        requests = outcomes.count
        let ok = outcomes.filter(\.ok)
        completed = ok.count
        failed_requests = outcomes.count - ok.count
        makespan_s = ok.map(\.finishedAt).max() ?? 0
        throughput_rps = makespan_s > 0 ? Double(completed) / makespan_s : 0
        output_tokens_per_second = makespan_s > 0 ? Double(ok.reduce(0) { $0 + $1.outputTokens }) / makespan_s : 0
        let all = Percentiles(ok.compactMap(\.ttftSeconds))
        ttft_p50_s = all.p50
        ttft_p95_s = all.p95
        ttft_p99_s = all.p99
        func attainment(_ xs: [BenchRequestOutcome]) -> Double {
            xs.isEmpty ? 0 : Double(xs.filter { $0.ok && ($0.ttftSeconds ?? .infinity) <= sloTTFT }.count) / Double(xs.count)
        }
        slo_attainment = attainment(outcomes)
        placement_actions = placementActions
        placement_actions_during_replay = replayActions
        on_demand_loads = onDemandLoads
        var classes: [String: RankClass] = [:]
        for rank in Set(outcomes.map(\.rank)) {
            let xs = outcomes.filter { $0.rank == rank }
            let p = Percentiles(xs.filter(\.ok).compactMap(\.ttftSeconds))
            classes[String(rank)] = RankClass(requests: xs.count, ttft_p50_s: p.p50, ttft_p99_s: p.p99, slo_attainment: attainment(xs))
        }
        by_rank_class = classes
        func window(_ xs: [BenchRequestOutcome]) -> Window {
            let p = Percentiles(xs.filter(\.ok).compactMap(\.ttftSeconds))
            return Window(requests: xs.count, ttft_p50_s: p.p50, ttft_p99_s: p.p99, slo_attainment: attainment(xs))
        }
        before_shift = window(outcomes.filter { $0.arrivalSeconds < shiftAt })
        after_shift = window(outcomes.filter { $0.arrivalSeconds >= shiftAt })
        var seen: [String: Int] = [:]
        for o in outcomes { if let e = o.error { seen[String(e.prefix(160)), default: 0] += 1 } }
        errors = seen.sorted { $0.value > $1.value }.prefix(5).map { "\($0.value)× \($0.key)" }
    }

    var summaryLine: String {
        String(format: "%d requests, %d failed, %.2f req/s, %.0f tok/s, TTFT p50 %.3f s p99 %.3f s, SLO %.3f, %d placement actions",
               requests, failed_requests, throughput_rps, output_tokens_per_second, ttft_p50_s, ttft_p99_s, slo_attainment, placement_actions)
    }
}

/// DIR/results.json (and `--json`): the run's settings and one entry per policy.
struct BenchClusterReport: Codable, Sendable {
    let workers: Int
    let threads_per_worker: Int
    let slo_ttft_s: Double
    let seed: UInt64
    /// Relative to DIR: the Simulator workload spec replayed.
    let workload: String
    let rate_rps: Double
    let duration_s: Double
    let shift_at_s: Double
    let model: String
    /// The workers' engine limits (as passed to `loraserve worker`).
    var max_active_adapters = BenchClusterRun.maxActiveAdapters
    var max_batch_tokens = BenchClusterRun.maxBatchTokens
    var max_running = BenchClusterRun.maxRunning
    var kv_cache_tokens = BenchClusterRun.kvCacheTokens
    /// Cores of the machine the cluster ran on, and the idle probe's prompt length.
    var host_cores = ProcessInfo.processInfo.activeProcessorCount
    var probe_prompt_tokens = 0
    let policies: [BenchClusterPolicyResult]

    func write(dir: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        do {
            try encoder.encode(self).write(to: URL(fileURLWithPath: dir + "/results.json"))
            try Data(markdown().utf8).write(to: URL(fileURLWithPath: dir + "/report.md"))
        } catch { throw CLIError("cannot write results to \(dir): \(error.localizedDescription)") }
    }

    func markdownTable() -> String {
        var s = "| policy | requests | failed | throughput (req/s) | output tok/s | TTFT p50 (s) | TTFT p99 (s) | SLO ≤ \(fmt(slo_ttft_s, 1)) s | p99 before / after shift (s) | placement actions | on-demand loads |\n"
        s += "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n"
        for p in policies {
            s += "| \(p.policy) | \(p.requests) | \(p.failed_requests) | \(fmt(p.throughput_rps, 2)) | \(fmt(p.output_tokens_per_second, 0)) | "
                + "\(fmt(p.ttft_p50_s, 3)) | \(fmt(p.ttft_p99_s, 3)) | \(fmt(p.slo_attainment, 3)) | "
                + "\(fmt(p.before_shift.ttft_p99_s, 3)) / \(fmt(p.after_shift.ttft_p99_s, 3)) | \(p.placement_actions) | \(p.on_demand_loads) |\n"
        }
        return s
    }

    func rankTable() -> String {
        let ranks = Set(policies.flatMap(\.by_rank_class.keys)).compactMap(Int.init).sorted()
        var s = "| policy | " + ranks.map { "r\($0) p50 / p99 (s)" }.joined(separator: " | ") + " |\n"
        s += "|---|" + ranks.map { _ in "---:|" }.joined() + "\n"
        for p in policies {
            s += "| \(p.policy) | " + ranks.map { r in
                p.by_rank_class[String(r)].map { "\(fmt($0.ttft_p50_s, 3)) / \(fmt($0.ttft_p99_s, 3)) (n=\($0.requests))" } ?? "-"
            }.joined(separator: " | ") + " |\n"
        }
        return s
    }

    func markdown() -> String {
        var s = """
        # `loraserve bench cluster`

        Live local cluster: a controller and \(workers) workers (\(threads_per_worker) compute thread(s) each) as child processes,
        one fresh cluster per policy, the same seeded workload (`\(workload)`, seed \(seed)): Poisson arrivals at
        \(fmt(rate_rps, 2)) req/s for \(fmt(duration_s, 0)) s, Zipf(1) popularity reshuffled at \(fmt(shift_at_s, 0)) s, mixed ranks 8–128.
        TTFT is measured by streaming clients (send → first token chunk). SLO: TTFT ≤ \(fmt(slo_ttft_s, 2)) s (failed requests miss it).
        Model: `\(model)`.

        \(markdownTable())
        TTFT per rank class:

        \(rankTable())
        Replay the same requests in the simulator: `loraserve simulate \(workload) --workers \(workers) --seed \(seed) --policy ours`
        (policy names there: `ours`, `round-robin`, `llm-d`). Placement actions with reasons: `actions-<policy>.json`; process logs: `logs/`.

        """
        let errs = policies.filter { !$0.errors.isEmpty }
        if !errs.isEmpty {
            s += "\nErrors (most frequent):\n\n"
            for p in errs { for e in p.errors { s += "- \(p.policy): \(e)\n" } }
        }
        return s
    }

    private func fmt(_ v: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", v) }
}
