import Foundation
import Placement

/// How the controller places adapters and routes requests (`loraserve controller --policy`).
/// The baselines are configured as `Simulator.SimPolicy` configures them, so a live run and a
/// simulated run of the same workload compare like with like.
public enum PolicyMode: String, Sendable, Codable, CaseIterable, CustomStringConvertible {
    /// LoRAServe: rank-aware placement (`RankAwarePlacement`), predicted-delay routing with a
    /// bounded-load guard (`Router`), rebalancing under drift, remote access when replicas are busy.
    case ours
    /// vLLM-style fleet: every adapter allowed on every worker, no placement moves, round-robin over
    /// the up workers (`RoundRobinRouter`); a worker loads an adapter on demand (LRU slots).
    case roundRobin = "round-robin"
    /// llm-d-style: no placement moves, the loaded-adapter affinity + queue-depth scorer
    /// (`AffinityRouter`) over every worker, adapters loaded on demand.
    case affinity

    public var description: String { rawValue }

    /// Whether the placement loop plans and moves adapters (only `ours`).
    public var placesAdapters: Bool { self == .ours }

    /// Whether on-demand loads may copy from a peer worker's memory (LoRAServe's remote access).
    /// The baselines load from storage, as vLLM and llm-d do.
    public var usesPeerFetch: Bool { self == .ours }

    /// The router this policy uses, built from the controller's settings.
    public func makeRouter(loadBound: Double, slackSeconds: Double, remoteAccess: Bool = true) -> any RoutingPolicy {
        switch self {
        case .ours: Router(loadBound: loadBound, guardSlackSeconds: slackSeconds, remoteAccess: remoteAccess)
        case .roundRobin: RoundRobinRouter()
        case .affinity: AffinityRouter()
        }
    }

    /// One line for help texts and reports.
    public var summary: String {
        switch self {
        case .ours: "rank-aware placement + predicted-delay routing with bounded load, rebalancing, remote access"
        case .roundRobin: "vLLM-style: any adapter anywhere (loaded on demand), round-robin routing, no placement moves"
        case .affinity: "llm-d-style: loaded-adapter affinity + queue-depth scoring over all workers, loaded on demand"
        }
    }

    public enum ParseError: Error, Sendable, CustomStringConvertible {
        case unknown(String)
        public var description: String {
            switch self {
            case let .unknown(s): "unknown policy '\(s)'; known: \(PolicyMode.allCases.map(\.rawValue).joined(separator: ", "))"
            }
        }
    }

    /// Parses a policy name; accepts the simulator's aliases (`vllm`, `llm-d`, `rr`).
    public static func parse(_ text: String) throws(ParseError) -> PolicyMode {
        let t = text.trimmingCharacters(in: .whitespaces).lowercased()
        if let p = PolicyMode(rawValue: t) { return p }
        switch t {
        case "rr", "roundrobin", "round_robin", "vllm": return .roundRobin
        case "llm-d", "llmd", "llm-d-affinity": return .affinity
        case "rank-aware", "loraserve": return .ours
        default: throw .unknown(text)
        }
    }
}
