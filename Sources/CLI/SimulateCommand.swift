import ArgumentParser
import Foundation
import Placement
import Simulator

/// `loraserve simulate [WORKLOAD.json]`: one discrete-event simulation with the real scheduler
/// and placement code (docs/simulator.md).
struct SimulateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Simulate a workload on a fleet under one policy (the real scheduler and placement code, simulated time).",
        discussion: """
        WORKLOAD is a JSON workload file (`loraserve simulate --example-workload` prints a documented one); \
        without it the example workload is used, or, with --trace, the trace's own arrivals and lengths.
        """
    )

    @Argument(help: "Workload file (JSON). Default: the example workload, or the trace's arrivals/lengths with --trace.")
    var workload: String?

    @Option(help: "Policy (see `loraserve policies`).")
    var policy = "ours"

    @OptionGroup var options: SimulationOptions

    @Flag(help: "Print one JSON object.")
    var json = false

    @Flag(name: .customLong("example-workload"), help: "Print a documented example workload file (JSON) and exit.")
    var exampleWorkload = false

    func validate() throws {
        guard SimPolicy(rawValue: policy) != nil else {
            throw ValidationError("unknown policy '\(policy)'; known: \(SimPolicy.allCases.map(\.rawValue).joined(separator: ", "))")
        }
    }

    func run() throws {
        if exampleWorkload {
            print(try ExampleWorkload.json())
            return
        }
        guard let policy = SimPolicy(rawValue: policy) else { throw CLIError("unknown policy") }
        let trace = try options.loadTrace()
        var spec = try options.loadSpec(path: workload, hasTrace: trace != nil)
        if let rate = options.rate { spec.arrivals.ratePerSecond = rate }
        let fleet = try options.fleet()
        if !json {
            Console.progress("simulating \(spec.name) on \(fleet.count) workers, policy \(policy.rawValue), seed \(options.seed)…")
        }
        let clock = ContinuousClock()
        let start = clock.now
        var result: SimulationResult
        do { result = try Simulation.run(spec, policy: policy, workers: fleet, seed: options.seed, trace: trace) } catch {
            throw CLIError(error.description)
        }
        result.wallSeconds = (clock.now - start).seconds
        let report = SimulationReport(result, costSource: fleet.costModel.source)
        if json {
            try Console.printJSON(report)
        } else {
            report.printText()
        }
    }
}

/// `loraserve policies`: the simulator's policy names.
struct PoliciesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "policies",
                                                    abstract: "List the simulator's policies (for `simulate --policy`).")

    @Flag(help: "Print JSON: [{name, description}].")
    var json = false

    func run() throws {
        if json {
            struct Row: Encodable { let name: String; let description: String }
            try Console.printJSON(SimPolicy.allCases.map { Row(name: $0.rawValue, description: $0.summary) })
        } else {
            let width = SimPolicy.allCases.map(\.rawValue.count).max() ?? 0
            for p in SimPolicy.allCases {
                print(p.rawValue.padding(toLength: width + 2, withPad: " ", startingAt: 0) + p.summary)
            }
        }
    }
}

extension SimPolicy {
    /// One line for `loraserve policies` and reports (settings in docs/simulator.md).
    var summary: String {
        switch self {
        case .ours: "LoRAServe: exact-rank engines, rank-aware placement, predicted-delay routing (bounded load), rebalancing, remote adapter access"
        case .oursStatic: "ablation: ours without rebalancing (initial placement only)"
        case .oursNoRemote: "ablation: ours without remote adapter access (peer fetch)"
        case .oursNoReplication: "ablation: ours with one replica per adapter"
        case .oursRankOblivious: "ablation: ours with rank-oblivious least-loaded placement"
        case .vllm: "vLLM fleet: padded to the fleet's max rank, any adapter anywhere (LRU), round-robin routing"
        case .vllmLeastLoaded: "vLLM fleet behind a least-outstanding-work balancer"
        case .llmd: "llm-d: vLLM engines, LoRA-affinity (1.0/0.8/0.6/0) + queue-depth scoring, weights 1:1"
        case .dynamo: "Dynamo: vLLM engines, rendezvous hashing, replicas per 0.5 worker of demand, least-loaded replica"
        case .slora: "S-LoRA-like: exact-rank engines, rank-oblivious least-loaded placement with demand replicas"
        case .roundRobin: "exact-rank engines, on-demand loading, round-robin routing"
        }
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) * 1e-18 }
}
