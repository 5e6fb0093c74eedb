import Placement

/// The policies the simulator compares, each configured as its own documentation recommends
/// (docs/simulator.md spells out every setting).
public enum SimPolicy: String, Sendable, Codable, CaseIterable {
    /// LoRAServe: rank-aware placement, predicted-delay routing with bounded load, rebalancing
    /// under drift, remote adapter access.
    case ours
    /// Ablations: each switches one mechanism off.
    case oursStatic = "ours-static"
    case oursNoRemote = "ours-no-remote"
    case oursNoReplication = "ours-no-replication"
    case oursRankOblivious = "ours-rank-oblivious"
    /// vLLM fleet: padded to the fleet's max rank, any adapter anywhere (on-demand LRU), round-robin.
    case vllm
    /// vLLM fleet behind a least-loaded balancer.
    case vllmLeastLoaded = "vllm-least-loaded"
    /// llm-d inference scheduler: vLLM engines, lora-affinity + queue-depth scoring.
    case llmd = "llm-d"
    /// NVIDIA Dynamo: rendezvous hashing, demand-proportional replicas, least-loaded among them.
    case dynamo
    /// S-LoRA-like: exact-rank engines, rank-oblivious least-loaded placement.
    case slora = "s-lora"
    /// Round-robin over all workers, all adapters allowed everywhere, exact engines.
    case roundRobin = "round-robin"

    /// The compute mode this policy's engines use when the fleet does not fix one.
    public func computeMode(fleetMaxRank: Int) -> ComputeMode {
        switch self {
        case .vllm, .vllmLeastLoaded, .llmd, .dynamo: .padded(maxRank: fleetMaxRank)
        default: .exact
        }
    }

    public var rebalances: Bool {
        switch self {
        case .ours, .oursNoRemote, .oursNoReplication, .oursRankOblivious, .dynamo, .slora: true
        default: false
        }
    }

    func makePlacement(seed: UInt64) -> any PlacementPolicy {
        switch self {
        case .ours, .oursStatic, .oursNoRemote: return RankAwarePlacement()
        case .oursNoReplication:
            var c = PlacementConfig()
            c.replicateAboveFraction = 1e9
            c.dereplicateBelowFraction = 0
            return RankAwarePlacement(config: c)
        case .oursRankOblivious: return RankObliviousPlacement(choice: .leastLoaded, seed: seed)
        case .vllm, .vllmLeastLoaded: return OnDemandPlacement(name: "vllm")
        case .llmd: return OnDemandPlacement(name: "llm-d")
        case .roundRobin: return OnDemandPlacement(name: "round-robin")
        case .dynamo: return RendezvousPlacement()
        case .slora: return RankObliviousPlacement(choice: .leastLoaded, seed: seed)
        }
    }

    func makeRouter() -> any RoutingPolicy {
        switch self {
        case .ours, .oursStatic, .oursNoReplication, .oursRankOblivious: return Router()
        case .oursNoRemote: return Router(remoteAccess: false)
        case .vllm, .roundRobin: return RoundRobinRouter()
        case .vllmLeastLoaded: return LeastLoadedRouter(scope: .allWorkers)
        case .llmd: return AffinityRouter()
        case .dynamo, .slora: return LeastLoadedRouter(scope: .replicas)
        }
    }
}
