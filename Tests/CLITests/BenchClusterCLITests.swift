import Foundation
import Simulator
import Testing
import TestSupport

/// `loraserve bench cluster` on a tiny model: three real clusters (controller + 2 self-registering
/// workers each) in a few seconds; checks the results.json contract that `bench validate` reads
/// and that workload.json is a simulator workload generating exactly the replayed requests.
@Suite(.serialized) struct BenchClusterCLITests {
    @Test func writesResultsForEveryPolicyAndAReplayableWorkload() throws {
        guard CLIRunner.executable != nil else {
            print("SKIPPED BenchClusterCLITests: no built `loraserve` next to the tests")
            return
        }
        let model = try CLIRunner.temporaryFile(try TinyLlamaFile().serialized())
        let out = NSTemporaryDirectory() + "loraserve-bench-cluster-test-\(UUID().uuidString)"
        let run = try CLIRunner.run(["bench", "cluster", "--json", "--out", out, "--model", model, "--workers", "2", "--threads", "2",
                                     "--duration", "4", "--rate", "2", "--adapters", "3", "--prompt-tokens", "8", "--max-tokens", "4",
                                     "--slo-ttft", "5", "--policies", "ours,round-robin,affinity"])
        #expect(run.status == 0, "\(run.stderr.suffix(2000))")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        let saved = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/results.json"))) as? [String: Any])
        #expect(object["workers"] as? Int == 2 && saved["workers"] as? Int == 2)
        #expect(object["threads_per_worker"] as? Int == 1)
        #expect(object["slo_ttft_s"] as? Double == 5)
        #expect((object["host_cores"] as? Int ?? 0) >= 1 && object["probe_prompt_tokens"] as? Int == 8)
        let policies = try #require(object["policies"] as? [[String: Any]])
        #expect(policies.compactMap { $0["policy"] as? String } == ["ours", "round-robin", "affinity"])

        let spec = try JSONDecoder().decode(WorkloadSpec.self, from: Data(contentsOf: URL(fileURLWithPath: out + "/workload.json")))
        let workload = try Workload.generate(spec, seed: 1)
        #expect(spec.drift.atSeconds == [spec.durationSeconds / 2])
        for p in policies {
            for key in ["requests", "throughput_rps", "output_tokens_per_second", "ttft_p50_s", "ttft_p99_s", "slo_attainment",
                        "failed_requests", "placement_actions", "by_rank_class"] {
                #expect(p[key] != nil, "\(p["policy"] ?? "?") lacks \(key)")
            }
            #expect(p["requests"] as? Int == workload.requests.count)
            // The idle probe (front-end latency) and the background load (shared-host model).
            let probe = try #require(p["idle_probe_ttft_s"] as? [Double])
            #expect(probe.count == 8 && probe.allSatisfy { $0 > 0 && $0 < 30 })
            let background = try #require(p["background_cpu_cores"] as? Double)
            #expect(background >= 0 && background < 64)
            let overhead = try #require(p["worker_overhead_cpu_cores"] as? Double, "one compute thread per worker: measured")
            #expect(overhead >= 0 && overhead < 64)
            #expect(p["failed_requests"] as? Int == 0, "\(p["errors"] ?? "")")
            let classes = try #require(p["by_rank_class"] as? [String: [String: Any]])
            #expect(Set(classes.keys) == Set(workload.requests.map { String(workload.adapters[$0.adapter].rank) }))
        }
        // Only the rank-aware policy places adapters; the baselines load them on demand.
        #expect((policies[0]["placement_actions"] as? Int ?? 0) >= 3)
        #expect(policies[1]["placement_actions"] as? Int == 0 && policies[2]["placement_actions"] as? Int == 0)
        #expect(FileManager.default.fileExists(atPath: out + "/report.md"))
        try? FileManager.default.removeItem(atPath: out)
    }
}
