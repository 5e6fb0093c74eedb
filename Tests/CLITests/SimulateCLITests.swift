import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Simulator
import Testing

/// `loraserve simulate`, `policies` and `experiment paper --quick` through the built executable.
@Suite(.serialized) struct SimulateCLITests {
    static let keys = ["requests", "throughput_rps", "output_tokens_per_second", "ttft_p50_s", "ttft_p99_s", "tpot_p50_s",
                       "slo_attainment", "placement_actions", "wall_seconds", "events", "events_per_second", "per_rank"]

    /// A small workload file (a few hundred requests) written to a temporary directory.
    static func smallWorkload() throws -> String {
        var spec = WorkloadSpec.example
        spec.durationSeconds = 20
        spec.arrivals.ratePerSecond = 10
        spec.adapters.count = 30
        spec.drift = .init(atSeconds: [10])
        let data = try JSONEncoder().encode(spec)
        return try CLIRunner.temporaryFile(Array(data), name: "workload.json")
    }

    @Test func simulateJSONHasTheContractKeys() throws {
        let path = try Self.smallWorkload()
        let out = try CLIRunner.run(["simulate", path, "--policy", "ours", "--workers", "4", "--json"])
        #expect(out.status == 0, "\(out.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(out.stdout.utf8)) as? [String: Any])
        for key in Self.keys { #expect(object[key] != nil, "missing \(key)") }
        let requests = try #require(object["requests"] as? Int)
        #expect(requests > 100)
        let slo = try #require(object["slo_attainment"] as? Double)
        #expect((0...1).contains(slo))
        #expect(object["policy"] as? String == "ours")
        #expect(object["workers"] as? Int == 4)
    }

    @Test func simulateIsDeterministicForASeed() throws {
        let path = try Self.smallWorkload()
        let args = ["simulate", path, "--policy", "s-lora", "--workers", "3", "--seed", "7", "--json"]
        let a = try CLIRunner.run(args), b = try CLIRunner.run(args)
        #expect(a.status == 0 && b.status == 0)
        func hash(_ s: String) throws -> String? {
            (try JSONSerialization.jsonObject(with: Data(s.utf8)) as? [String: Any])?["scheduler_trace_hash"] as? String
        }
        #expect(try hash(a.stdout) != nil)
        #expect(try hash(a.stdout) == hash(b.stdout))
    }

    @Test func exampleWorkloadParsesBackToTheExample() throws {
        let out = try CLIRunner.run(["simulate", "--example-workload"])
        #expect(out.status == 0)
        let spec = try JSONDecoder().decode(WorkloadSpec.self, from: Data(out.stdout.utf8))
        #expect(spec == WorkloadSpec.example)
        #expect(out.stdout.contains("_about"))
    }

    @Test func policiesListsEveryPolicy() throws {
        let out = try CLIRunner.run(["policies"])
        #expect(out.status == 0)
        for p in SimPolicy.allCases { #expect(out.stdout.contains(p.rawValue)) }
        let json = try CLIRunner.run(["policies", "--json"])
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: String]])
        #expect(rows.map { $0["name"] } == SimPolicy.allCases.map(\.rawValue))
    }

    @Test func badInputsFailCleanly() throws {
        let unknown = try CLIRunner.run(["simulate", "--policy", "nope"])
        #expect(unknown.status != 0)
        #expect(unknown.stderr.contains("unknown policy"))
        let missing = try CLIRunner.run(["simulate", "/nonexistent/workload.json"])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("cannot read workload"))
        let garbage = try CLIRunner.temporaryFile(Array("{\"name\": 3}".utf8), name: "bad.json")
        let bad = try CLIRunner.run(["simulate", garbage])
        #expect(bad.status == 1)
        #expect(!bad.stderr.contains("Fatal error"))
    }

    @Test func quickPaperExperimentWritesAReport() throws {
        let dir = NSTemporaryDirectory() + "loraserve-paper-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let out = try CLIRunner.run(["experiment", "paper", "--quick", "--out", dir])
        #expect(out.status == 0, "\(out.stderr)")
        let report = try String(contentsOfFile: dir + "/report.md", encoding: .utf8)
        #expect(report.contains("## Headline"))
        #expect(report.contains("ours"))
        for svg in ["throughput-vs-load.svg", "ttft-cdf.svg", "drift-timeline.svg", "workers-vs-slo.svg"] {
            let text = try String(contentsOfFile: dir + "/" + svg, encoding: .utf8)
            #expect(XMLParser(data: Data(text.utf8)).parse(), "\(svg) is not well-formed")
            #expect(report.contains(svg))
        }
        let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/summary.json"))) as? [String: Any]
        #expect(summary?["headline"] != nil)
        #expect(out.stderr.contains("experiment paper"))
    }
}
