import Foundation

/// `loraserve controller --config FILE`: a JSON file overriding defaults and pre-registering
/// adapters. Every field is optional; command-line flags win over the file.
///
/// ```json
/// {"workers": ["http://127.0.0.1:8001"], "admin_token": "t", "worker_capacity_tokens_per_second": 400,
///  "placement_interval_seconds": 3, "health_interval_seconds": 1, "max_retries": 2, "policy": "ours",
///  "adapters": [{"name": "sql", "path": "/adapters/sql", "rank": 16}]}
/// ```
public struct ControllerFileConfig: Decodable, Sendable {
    public var workers: [String]?
    public var admin_token: String?
    public var worker_admin_token: String?
    public var worker_capacity_tokens_per_second: Double?
    public var worker_memory_budget_bytes: Int?
    public var max_active_adapters: Int?
    public var placement_interval_seconds: Double?
    public var health_interval_seconds: Double?
    public var scrape_interval_seconds: Double?
    public var rebalance_cooldown_seconds: Double?
    public var max_retries: Int?
    /// "ours" | "round-robin" | "affinity" (see `PolicyMode`).
    public var policy: String?
    /// `ours`: allow remote access (default true).
    public var remote_access: Bool?
    public var adapters: [RegisterLoRARequest]?

    public enum LoadError: Error, Sendable, CustomStringConvertible {
        case unreadable(path: String, detail: String)
        case invalid(path: String, detail: String)
        public var description: String {
            switch self {
            case let .unreadable(p, d): "cannot read controller config \(p): \(d)"
            case let .invalid(p, d): "controller config \(p) is not valid: \(d)"
            }
        }
    }

    public static func load(path: String) throws(LoadError) -> ControllerFileConfig {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw .unreadable(path: path, detail: error.localizedDescription)
        }
        let file: ControllerFileConfig
        do { file = try JSONDecoder().decode(ControllerFileConfig.self, from: data) } catch {
            throw .invalid(path: path, detail: String(describing: error))
        }
        if let p = file.policy {
            do { _ = try PolicyMode.parse(p) } catch { throw .invalid(path: path, detail: error.description) }
        }
        return file
    }

    public func apply(to c: inout ControllerConfig) {
        if let v = workers { c.workers = v }
        if let v = admin_token { c.adminToken = v }
        if let v = worker_capacity_tokens_per_second { c.workerCapacityTokensPerSecond = v }
        if let v = worker_memory_budget_bytes { c.workerMemoryBudgetBytes = v }
        if let v = max_active_adapters { c.defaultMaxActiveAdapters = v }
        if let v = placement_interval_seconds { c.placementIntervalSeconds = v }
        if let v = health_interval_seconds { c.healthIntervalSeconds = v }
        if let v = scrape_interval_seconds { c.scrapeIntervalSeconds = v }
        if let v = rebalance_cooldown_seconds { c.rebalanceCooldownSeconds = v }
        if let v = max_retries { c.maxRetries = v }
        if let v = policy, let p = try? PolicyMode.parse(v) { c.policy = p }
        if let v = remote_access { c.remoteAccess = v }
    }
}

extension Controller {
    /// Registers an adapter (as `POST /v1/loras` does) without placing it yet.
    public func register(_ r: RegisterLoRARequest) async throws(ControllerState.RegistryError) {
        let rank = r.rank ?? 16
        try await state.register(adapter: AdapterRecord(name: r.name, path: r.path, rank: rank,
                                                        bytes: r.bytes ?? AdapterRecord.estimatedBytes(rank: rank),
                                                        tenant: r.tenant, pinned: r.pinned ?? false, registeredAt: now()))
    }

    /// Runs the HTTP front door and the control loops until the task is cancelled (or the server
    /// stops). `onReady` gets the bound port.
    public func serve(onReady: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        try await serve(extraRoutes: nil, onReady: onReady)
    }
}
