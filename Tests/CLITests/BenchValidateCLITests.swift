import Foundation
import Simulator
import Testing

/// `loraserve bench validate` on a fabricated `bench cluster` output directory (workload.json +
/// results.json) and a v2 calibration with per-thread fits.
@Suite(.serialized) struct BenchValidateCLITests {
    /// A CPU-like cost model (ms-scale steps) whose β differs per thread count.
    static func costModel(beta: Double) -> String {
        let c = #"{"alphaSeconds": 0.002, "betaSecondsPerToken": \#(beta), "gammaSecondsPerTokenRank": 0.000002, "deltaSecondsPerAdapter": 0.0005}"#
        return #"{"exact": \#(c), "padded": \#(c), "batchMax": \#(c), "diskBytesPerSecond": 5e8, "hostBytesPerSecond": 2e9, "peerBytesPerSecond": 2e9, "loadSetupSeconds": 0.002, "source": "test \#(beta)"}"#
    }

    static func calibration(engineOverhead: Double = 0) -> String {
        let one = costModel(beta: 0.004), two = costModel(beta: 0.0025)
        return """
        {"format": "loraserve-calibration/2", "created": "2026-11-29T00:00:00Z",
         "machine": {"cpu": "test", "cores": 2, "threads": 1, "os": "test"},
         "model": {"name": "m", "path": "/m", "sha256": "x", "layers": 30, "width": 576},
         "costModel": \(one), "sampledSequenceSeconds": 0.001, "fit": {}, "samples": [],
         "perThreads": [
           {"threads": 1, "costModel": \(one), "sampledSequenceSeconds": 0.001, "fit": {}, "samples": [], "engineSecondsPerSampledSequence": \(engineOverhead)},
           {"threads": 2, "costModel": \(two), "sampledSequenceSeconds": 0.0006, "fit": {}, "samples": []}]}
        """
    }

    static func results(_ rows: [(String, Double, Double, Double)], threads: Int) -> String {
        let policies = rows.map { p, rps, p50, p99 in
            #"{"policy": "\#(p)", "requests": 40, "throughput_rps": \#(rps), "output_tokens_per_second": \#(rps * 16), "ttft_p50_s": \#(p50), "ttft_p99_s": \#(p99), "slo_attainment": 0.9, "failed_requests": 0, "placement_actions": 0}"#
        }
        return #"{"workers": 2, "threads_per_worker": \#(threads), "slo_ttft_s": 2, "seed": 3, "policies": [\#(policies.joined(separator: ","))]}"#
    }

    static func directory(results: String) throws -> (dir: String, calibration: String) {
        let dir = NSTemporaryDirectory() + "loraserve-validate-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        var spec = WorkloadSpec.example
        spec.name = "validate-small"
        spec.durationSeconds = 20
        spec.arrivals = .init(kind: "poisson", ratePerSecond: 2)
        spec.lengths = .init(kind: "fixed", promptMean: 64, outputMean: 16, maxPrompt: 256, maxOutput: 64)
        spec.adapters.count = 6
        spec.drift = .init(atSeconds: [])
        try JSONEncoder().encode(spec).write(to: URL(fileURLWithPath: dir + "/workload.json"))
        try Data(results.utf8).write(to: URL(fileURLWithPath: dir + "/results.json"))
        try Data(calibration().utf8).write(to: URL(fileURLWithPath: dir + "/calibration.json"))
        return (dir, dir + "/calibration.json")
    }

    static func run(_ dir: String, _ calibration: String) throws -> [String: Any] {
        let out = try CLIRunner.run(["bench", "validate", "--live", dir, "--cost-model", calibration, "--json"])
        #expect(out.status == 0, "\(out.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: Data(out.stdout.utf8)) as? [String: Any])
    }

    @Test func reportsSimVersusLivePerPolicyWithTheThreadCountsFit() throws {
        let live = Self.results([("ours", 1.9, 0.2, 0.5), ("round-robin", 1.8, 0.3, 0.9), ("affinity", 1.85, 0.25, 0.7)], threads: 2)
        let (dir, calibration) = try Self.directory(results: live)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let object = try Self.run(dir, calibration)
        #expect(object["calibration_threads"] as? Int == 2)
        #expect(object["seed"] as? Int == 3)
        let rows = try #require(object["policies"] as? [[String: Any]])
        #expect(rows.compactMap { $0["simulated_policy"] as? String } == ["ours", "round-robin", "llm-d"])
        for row in rows {
            let liveM = try #require(row["live"] as? [String: Any]), sim = try #require(row["sim"] as? [String: Any])
            let errors = try #require(row["relative_error"] as? [String: Double])
            for key in ["throughput_rps", "ttft_p50_s", "ttft_p99_s"] {
                let l = try #require(liveM[key] as? Double), s = try #require(sim[key] as? Double)
                #expect(s > 0, "\(key) simulated")
                #expect(abs((errors[key] ?? .nan) - (s - l) / l) < 1e-9, "\(key) error")
            }
        }
        let markdown = try String(contentsOfFile: dir + "/validation.md", encoding: .utf8)
        #expect(markdown.contains("Simulator vs live"))
        #expect(markdown.contains("round-robin (round-robin)"))
    }

    /// Feeding the simulator's own numbers back as "live" gives zero error (deterministic, same workload).
    @Test func simulatedNumbersAsLiveGiveZeroError() throws {
        let first = try Self.directory(results: Self.results([("ours", 1, 1, 1)], threads: 1))
        defer { try? FileManager.default.removeItem(atPath: first.dir) }
        let sim = try #require(((try Self.run(first.dir, first.calibration))["policies"] as? [[String: Any]])?.first?["sim"] as? [String: Any])
        let rps = try #require(sim["throughput_rps"] as? Double), p50 = try #require(sim["ttft_p50_s"] as? Double)
        let p99 = try #require(sim["ttft_p99_s"] as? Double)
        try Data(Self.results([("ours", rps, p50, p99)], threads: 1).utf8).write(to: URL(fileURLWithPath: first.dir + "/results.json"))
        let again = try Self.run(first.dir, first.calibration)
        #expect(again["calibration_threads"] as? Int == 1)
        let errors = try #require((again["policies"] as? [[String: Any]])?.first?["relative_error"] as? [String: Double])
        for key in ["throughput_rps", "ttft_p50_s", "ttft_p99_s"] { #expect(abs(errors[key] ?? 1) < 1e-9, "\(key)") }
    }

    /// results.json from a `bench cluster` with the idle probe and the background measurement:
    /// the shared-host model is on (front end = probe median − the engine's probe time, cores and
    /// background as recorded), TTFTs come out later than with dedicated workers, and the
    /// dedicated comparison is reported alongside; `--no-host-model` turns it off.
    @Test func sharedHostModelComesFromTheRecordedProbeAndLoad() throws {
        var live = Self.results([("ours", 1.9, 0.2, 0.5)], threads: 1)
        live = live.replacingOccurrences(of: #""placement_actions": 0}"#,
                                          with: #""placement_actions": 0, "idle_probe_ttft_s": [0.30, 0.31, 0.29], "background_cpu_cores": 0.5}"#)
        live = live.replacingOccurrences(of: #""seed": 3,"#, with: #""seed": 3, "host_cores": 1, "probe_prompt_tokens": 16,"#)
        let (dir, calibration) = try Self.directory(results: live)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let modelled = try Self.run(dir, calibration)
        let host = try #require(modelled["host"] as? [String: Any])
        let model = try #require(host["model"] as? [String: Any])
        #expect(model["cores"] as? Double == 1 && model["backgroundCores"] as? Double == 0.5)
        let median = try #require(host["probe_median_s"] as? Double), engine = try #require(host["probe_engine_s"] as? Double)
        #expect(median == 0.30 && engine > 0)
        #expect(abs((model["frontEndSeconds"] as? Double ?? -1) - max(0, median - engine)) < 1e-12)
        #expect(modelled["without_host_model"] != nil)
        let off = try CLIRunner.run(["bench", "validate", "--live", dir, "--cost-model", calibration, "--json", "--no-host-model"])
        let plain = try #require(try JSONSerialization.jsonObject(with: Data(off.stdout.utf8)) as? [String: Any])
        #expect(plain["host"] == nil)
        func p50(_ o: [String: Any]) -> Double { ((o["policies"] as? [[String: Any]])?.first?["sim"] as? [String: Any])?["ttft_p50_s"] as? Double ?? 0 }
        #expect(p50(modelled) > p50(plain))
        let markdown = try String(contentsOfFile: dir + "/validation.md", encoding: .utf8)
        #expect(markdown.contains("dedicated workers"))
    }

    /// The engine's per-sampled-sequence overhead is charged on every step: later first tokens.
    @Test func engineOverheadSlowsTheSimulatedWorker() throws {
        let (dir, calibration) = try Self.directory(results: Self.results([("ours", 1, 1, 1)], threads: 1))
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Data(Self.calibration(engineOverhead: 0.2).utf8).write(to: URL(fileURLWithPath: dir + "/scaled.json"))
        func p50(_ path: String) throws -> Double {
            let sim = (try Self.run(dir, path)["policies"] as? [[String: Any]])?.first?["sim"] as? [String: Any]
            return try #require(sim?["ttft_p50_s"] as? Double)
        }
        #expect(try p50(dir + "/scaled.json") > 2 * p50(calibration))
    }

    /// A v1 calibration file (no ε, no per-thread fits) still loads: its single fit is used.
    @Test func versionOneCalibrationStillLoads() throws {
        let (dir, _) = try Self.directory(results: Self.results([("round-robin", 1, 1, 1)], threads: 2))
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let v1 = """
        {"format": "loraserve-calibration/1", "created": "2026-11-29T00:00:00Z",
         "machine": {"cpu": "test", "cores": 2, "threads": 1, "os": "test"},
         "model": {"name": "m", "path": "/m", "sha256": "x", "layers": 30, "width": 576},
         "costModel": \(Self.costModel(beta: 0.004)), "fit": {"exact": {"samples": 3, "rSquared": 0.9, "medianRelativeError": 0.1}},
         "samples": [{"mode": "exact", "sequences": 1, "tokensPerSequence": 1, "ranks": [], "tokens": 1, "rankTokens": 0,
                      "distinctAdapters": 0, "seconds": 0.01}]}
        """
        try Data(v1.utf8).write(to: URL(fileURLWithPath: dir + "/v1.json"))
        let object = try Self.run(dir, dir + "/v1.json")
        #expect(object["calibration_threads"] as? Int == 1)
        #expect((object["policies"] as? [[String: Any]])?.count == 1)
    }

    @Test func missingResultsOrUnknownPolicyFailCleanly() throws {
        let (dir, calibration) = try Self.directory(results: Self.results([("nonsense", 1, 1, 1)], threads: 1))
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let unknown = try CLIRunner.run(["bench", "validate", "--live", dir, "--cost-model", calibration])
        #expect(unknown.status != 0)
        #expect(unknown.stderr.contains("nonsense"))
        try FileManager.default.removeItem(atPath: dir + "/results.json")
        let missing = try CLIRunner.run(["bench", "validate", "--live", dir, "--cost-model", calibration])
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("results.json"))
    }
}
