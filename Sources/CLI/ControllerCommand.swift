import ArgumentParser
import Controller
import Foundation

/// `loraserve controller`: the control plane and OpenAI front door for a fleet of workers.
struct ControllerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "controller",
        abstract: "Route OpenAI requests across workers with rank-aware adapter placement, rebalancing and fault handling."
    )

    @Option(help: "Port to listen on.")
    var port = 8080

    @Option(help: "Address to bind.")
    var host = "127.0.0.1"

    @Option(help: "Comma-separated worker base URLs (http://HOST:PORT); workers may also self-register.")
    var workers = ""

    @Option(name: .customLong("admin-token"), help: "Bearer token for the fleet API (/v1/loras, /v1/workers).")
    var adminToken: String?

    @Option(name: .customLong("worker-admin-token"), help: "Bearer token the workers' adapter admin endpoints expect.")
    var workerAdminToken: String?

    @Option(help: "JSON file with settings and adapters to register (see docs/controller.md).")
    var config: String?

    @Option(name: .customLong("worker-capacity"), help: "Base-model tokens/s one worker sustains (routing and placement unit).")
    var workerCapacity: Double?

    @Option(help: "Placement/routing policy: ours (rank-aware placement, bounded-load routing, rebalancing) | round-robin (vLLM-style, adapters loaded on demand anywhere) | affinity (llm-d-style loaded-adapter affinity scorer). Default: ours, or the config file's.")
    var policy: String?

    @Flag(help: "Log every scrape failure and routing detail.")
    var verbose = false

    @OptionGroup(title: "Summary-cache API (mounted when --cache-db or --cache-postgres is given)")
    var cacheAPI: CacheAPIOptions

    func validate() throws {
        guard (1...65535).contains(port) else { throw ValidationError("--port must be in 1...65535") }
        if let policy {
            do { _ = try PolicyMode.parse(policy) } catch { throw ValidationError(error.description) }
        }
        for url in workerList where !(url.hasPrefix("http://") || url.hasPrefix("https://")) {
            throw ValidationError("worker URL '\(url)' must start with http:// or https://")
        }
    }

    var workerList: [String] {
        workers.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            .map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
    }

    func run() async throws {
        var settings = ControllerConfig()
        var adapters: [RegisterLoRARequest] = []
        if let config {
            do {
                let file = try ControllerFileConfig.load(path: config)
                file.apply(to: &settings)
                adapters = file.adapters ?? []
            } catch { throw CLIError(String(describing: error)) }
        }
        settings.host = host
        settings.port = port
        if !workerList.isEmpty { settings.workers = workerList }
        if let adminToken { settings.adminToken = adminToken }
        if let workerCapacity { settings.workerCapacityTokensPerSecond = workerCapacity }
        if let policy {
            do { settings.policy = try PolicyMode.parse(policy) } catch { throw CLIError(error.description) }
        }
        let controller = Controller(config: settings, transport: HTTPWorkerTransport(adminToken: workerAdminToken))
        for a in adapters {
            do { try await controller.register(a) } catch { throw CLIError(String(describing: error)) }
        }
        let host = self.host, count = settings.workers.count, policyName = settings.policy.rawValue
        let cacheAPI = self.cacheAPI, frontDoor = CacheAPIOptions.frontDoor(host: host, port: port)
        try await SignalScope.run {
            try await cacheAPI.withRoutes(frontDoor: frontDoor) { routes in
                try await controller.serve(extraRoutes: routes) { port in
                    Console.progress("LoRAServe controller listening at http://\(host):\(port) (\(count) workers configured, policy \(policyName))")
                }
            }
        }
    }
}
