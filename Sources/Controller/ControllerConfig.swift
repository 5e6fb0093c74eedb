import Placement

/// Tuning of the controller. Defaults suit a local CPU cluster (`loraserve up`).
public struct ControllerConfig: Sendable {
    public var host = "127.0.0.1"
    public var port = 8080
    /// Static workers (base URLs).
    public var workers: [String] = []
    /// Bearer token for the fleet API (`/v1/loras`, worker registration); nil = open.
    public var adminToken: String?
    /// Name of the base model on the workers (learned from scrapes when nil).
    public var baseModel: String?
    public var healthIntervalSeconds = 1.0
    public var healthTimeoutSeconds = 0.8
    /// Failed health checks in a row before a worker is marked down (a refused connection counts 2).
    public var downAfterFailures = 2
    /// A self-registered worker that is down and silent this long is forgotten.
    public var registrationExpirySeconds = 60.0
    public var scrapeIntervalSeconds = 2.0
    public var placementIntervalSeconds = 3.0
    /// Per-worker figures the workers do not report (LoRAServe workers: exact-rank kernels).
    public var workerCapacityTokensPerSecond = 400.0
    public var workerMemoryBudgetBytes = 2 << 30
    public var defaultMaxActiveAdapters = 32
    public var computeMode: ComputeMode = .exact
    public var costModel: CostModel = .a100Llama7B
    public var placement = PlacementConfig()
    public var routerLoadBound = 1.5
    public var routerSlackSeconds = 1.0
    /// `ours` only: send a request to a less-loaded non-replica (loading the adapter there) when
    /// every replica is over the load bound. Off = the `ours-no-remote` ablation.
    public var remoteAccess = true
    /// Extra attempts on other workers when a worker fails before answering.
    public var maxRetries = 2
    public var rateWindowSeconds = 5.0
    public var rateSmoothing = 0.4
    public var rebalanceCooldownSeconds = 15.0
    /// Generated tokens assumed when a request sets no `max_tokens`.
    public var defaultOutputTokens = 64
    /// How long an unload waits for requests routed to the old replica to finish.
    public var drainTimeoutSeconds = 30.0
    public var actionLogLimit = 200
    /// Placement and routing policy: `ours` (default) or a baseline (`round-robin`, `affinity`).
    public var policy: PolicyMode = .ours

    public init() {}
}
