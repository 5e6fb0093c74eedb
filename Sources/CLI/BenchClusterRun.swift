import AsyncHTTPClient
import Controller
import Foundation
import NIOCore
import Simulator

/// One policy's run of `bench cluster`: a fresh controller (`--policy`) and N self-registering
/// workers as child processes, the adapters registered through the fleet API, the workload
/// replayed open-loop by streaming clients that time the first token, then the controller's
/// placement counters read back and everything stopped.
struct BenchClusterRun: Sendable {
    let policy: PolicyMode
    let dir: String
    let modelPath: String
    let workers: Int
    let threadsPerWorker: Int
    let controllerPort: Int
    let workerCapacity: Double
    let readyTimeout: Double

    var controllerURL: String { "http://127.0.0.1:\(controllerPort)" }

    /// Worker engine limits, passed explicitly and recorded in results.json (`bench validate`
    /// configures the simulated workers with them).
    static let maxActiveAdapters = 8, maxBatchTokens = 512, maxRunning = 32, kvCacheTokens = 32_768

    func run(adapters: [BenchClusterWorkload.AdapterFile], requests: [BenchClusterWorkload.Request], probe: [BenchClusterWorkload.Request],
             spec: WorkloadSpec) async throws -> BenchClusterPolicyResult {
        let children = ChildProcesses()
        var config = HTTPClient.Configuration()
        config.timeout = .init(connect: .seconds(2), read: .seconds(120))
        config.connectionPool = .init(idleTimeout: .seconds(30), concurrentHTTP1ConnectionsPerHostSoftLimit: 1024)
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: config)
        do {
            let result = try await runCluster(children: children, client: client, adapters: adapters, requests: requests, probe: probe,
                                              spec: spec)
            children.stopAll()
            try? await client.shutdown()
            return result
        } catch {
            children.stopAll()
            try? await client.shutdown()
            throw error
        }
    }

    private func runCluster(children: ChildProcesses, client: HTTPClient, adapters: [BenchClusterWorkload.AdapterFile],
                            requests: [BenchClusterWorkload.Request], probe: [BenchClusterWorkload.Request],
                            spec: WorkloadSpec) async throws -> BenchClusterPolicyResult {
        let name = policy.rawValue
        // Controller settings for a short run: plan and scrape often, allow a move every 8 s.
        var file: [String: Any] = [
            "policy": name, "placement_interval_seconds": 2, "scrape_interval_seconds": 1, "health_interval_seconds": 1,
            "rebalance_cooldown_seconds": 8,
        ]
        file["worker_capacity_tokens_per_second"] = workerCapacity
        let configPath = dir + "/logs/controller-\(name).json"
        do { try JSONSerialization.data(withJSONObject: file, options: [.sortedKeys]).write(to: URL(fileURLWithPath: configPath)) } catch {
            throw CLIError("cannot write \(configPath): \(error.localizedDescription)")
        }
        try children.start(name: "controller", log: dir + "/logs/\(name)-controller.log",
                           arguments: ["controller", "--port", String(controllerPort), "--config", configPath])
        for i in 0..<workers {
            let port = controllerPort + 1 + i
            try children.start(name: "worker-\(i + 1)", log: dir + "/logs/\(name)-worker-\(i + 1).log",
                               arguments: ClusterLauncher.workerArguments(
                                   port: port, threads: threadsPerWorker, adapterRoot: dir + "/adapters", model: modelPath,
                                   extra: ["--controller", controllerURL, "--heartbeat-interval", "2",
                                           "--max-active-adapters", String(Self.maxActiveAdapters), "--max-batch-tokens", String(Self.maxBatchTokens),
                                           "--max-running", String(Self.maxRunning), "--kv-cache-tokens", String(Self.kvCacheTokens)]))
        }
        try await waitForWorkers(children: children, client: client)
        for a in adapters {
            let body: [String: Any] = ["name": a.name, "path": a.path, "rank": a.rank]
            let (status, text) = try await BenchHTTP.send(client, "POST", controllerURL + "/v1/loras", json: body, timeout: 180)
            guard status == 201 || status == 200 else { throw CLIError("registering \(a.name) failed (\(status)): \(text.prefix(300))") }
        }
        let initialActions = try await placementActions(client: client)
        Console.progress("  \(name): \(workers) workers up, \(adapters.count) adapters registered (\(initialActions.total) placement actions); replaying…")
        let replay = BenchClusterReplay(client: client, url: controllerURL + "/v1/completions", label: name)
        let probed = await replay.run(probe)
        // CPU the controller and this load generator use meanwhile, and what the workers use beyond
        // their step loops (HTTP, tokenisation, SSE): cores the compute threads lose.
        let controllerPID = children.pid(of: "controller")
        func backgroundSeconds() -> Double { ProcessCPU.ownSeconds() + (controllerPID.flatMap(ProcessCPU.seconds(pid:)) ?? 0) }
        let cpuBefore = backgroundSeconds()
        let overheadBefore = await workerOverheadSeconds(children: children, client: client)
        let wallStart = ContinuousClock.now
        let outcomes = await replay.run(requests)
        let cpuAfter = backgroundSeconds()
        let overheadAfter = await workerOverheadSeconds(children: children, client: client)
        let wall = (ContinuousClock.now - wallStart).benchSeconds
        let actions = try await placementActions(client: client)
        let remote = try await metric(client: client, "loraserve_controller_remote_access_total")
        if let data = try? JSONSerialization.data(withJSONObject: actions.log, options: [.prettyPrinted]) {
            try? data.write(to: URL(fileURLWithPath: dir + "/actions-\(name).json"))
        }
        var result = BenchClusterPolicyResult(policy: name, outcomes: outcomes, sloTTFT: spec.slo.ttftSeconds, shiftAt: spec.durationSeconds / 2,
                                              placementActions: actions.total, replayActions: actions.total - initialActions.total,
                                              onDemandLoads: Int(remote))
        result.idle_probe_ttft_s = probed.filter(\.ok).compactMap(\.ttftSeconds)
        if wall > 0, controllerPID != nil { result.background_cpu_cores = max(0, cpuAfter - cpuBefore) / wall }
        if wall > 0, let before = overheadBefore, let after = overheadAfter { result.worker_overhead_cpu_cores = max(0, after - before) / wall }
        return result
    }

    /// CPU seconds all workers have used outside their step-loop threads so far: process CPU
    /// (/proc) minus `loraserve:engine_loop_cpu_seconds_total`. Only meaningful with one compute
    /// thread per worker (otherwise the pool's threads would count as overhead): nil then, or when
    /// a reading fails.
    private func workerOverheadSeconds(children: ChildProcesses, client: HTTPClient) async -> Double? {
        guard threadsPerWorker == 1 else { return nil }
        var total = 0.0
        for i in 0..<workers {
            guard let pid = children.pid(of: "worker-\(i + 1)"), let process = ProcessCPU.seconds(pid: pid),
                  let loop = try? await metric(client: client, "loraserve:engine_loop_cpu_seconds_total",
                                               url: "http://127.0.0.1:\(controllerPort + 1 + i)/metrics") else { return nil }
            total += process - loop
        }
        return total
    }

    /// Waits until the controller reports every worker up (they self-register when the model is loaded).
    private func waitForWorkers(children: ChildProcesses, client: HTTPClient) async throws {
        let start = ContinuousClock.now
        var last = -1
        while true {
            var up = 0
            if let (status, text) = try? await BenchHTTP.send(client, "GET", controllerURL + "/v1/workers", timeout: 2), status == 200,
               let list = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [[String: Any]] {
                up = list.filter { ($0["up"] as? Bool) == true }.count
            }
            if up != last {
                Console.progress("  \(policy.rawValue): workers up \(up)/\(workers)\(up < workers ? " (loading the model…)" : "")")
                last = up
            }
            if up >= workers { return }
            if let dead = children.firstExited() { throw CLIError("\(dead.name) exited (status \(dead.status)); see \(dead.log)") }
            if ContinuousClock.now - start > .seconds(readyTimeout) { throw CLIError("workers not up after \(Int(readyTimeout)) s; see \(dir)/logs") }
            try await Task.sleep(for: .milliseconds(300))
        }
    }

    /// Executed placement actions (`ok` outcomes) and the action log, from the controller's API.
    private func placementActions(client: HTTPClient) async throws -> (total: Int, log: [[String: Any]]) {
        let (status, text) = try await BenchHTTP.send(client, "GET", controllerURL + "/v1/placement/actions", timeout: 5)
        guard status == 200, let object = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any],
              let data = object["data"] as? [[String: Any]] else { throw CLIError("GET /v1/placement/actions failed (\(status))") }
        // The log is capped; the counter in /metrics is not.
        let counted = try await metric(client: client, "loraserve_controller_placement_actions_total", excludingSuffix: "_failed\"}")
        return (max(Int(counted), data.filter { ($0["outcome"] as? String) == "ok" }.count), data)
    }

    /// Sum of a Prometheus family's samples from the controller's `/metrics`.
    private func metric(client: HTTPClient, _ family: String, excludingSuffix: String? = nil, url: String? = nil) async throws -> Double {
        let (status, text) = try await BenchHTTP.send(client, "GET", url ?? controllerURL + "/metrics", timeout: 5)
        guard status == 200 else { throw CLIError("GET /metrics failed (\(status))") }
        var sum = 0.0
        for line in text.split(separator: "\n") where line.hasPrefix(family) && !line.hasPrefix("#") {
            let parts = line.split(separator: " ")
            guard parts.count == 2, let v = Double(parts[1]) else { continue }
            let key = parts[0]
            guard key == family || key.hasPrefix(family + "{") else { continue }
            if let s = excludingSuffix, key.hasSuffix(s) { continue }
            sum += v
        }
        return sum
    }
}

/// Small JSON-over-HTTP helper for the bench's control calls.
enum BenchHTTP {
    static func send(_ client: HTTPClient, _ method: String, _ url: String, json: [String: Any]? = nil,
                     timeout: Double) async throws -> (Int, String) {
        var request = HTTPClientRequest(url: url)
        request.method = method == "POST" ? .POST : .GET
        if let json {
            request.headers.add(name: "Content-Type", value: "application/json")
            let data = (try? JSONSerialization.data(withJSONObject: json)) ?? Data()
            request.body = .bytes(ByteBuffer(bytes: Array(data)))
        }
        do {
            let response = try await client.execute(request, timeout: .milliseconds(Int64(timeout * 1000)))
            let body = try await response.body.collect(upTo: 16 << 20)
            return (Int(response.status.code), String(buffer: body))
        } catch {
            throw CLIError("\(method) \(url): \(error)")
        }
    }
}
