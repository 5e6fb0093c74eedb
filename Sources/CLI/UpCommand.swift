import ArgumentParser
import Controller
import Engine
import Foundation
import LoRAAdapters
import ModelStore

/// `loraserve up`: a whole local cluster in one command — N worker child processes, the controller
/// in this process, and a demo set of adapters of mixed ranks (one with an observable effect).
struct UpCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "up",
        abstract: "Start a local cluster: controller + N workers + demo adapters of mixed ranks. Ctrl-C stops everything."
    )

    @Option(help: "Worker processes to start.")
    var workers = 2

    @Option(help: "Controller port (workers listen on the next ports).")
    var port = 8080

    @Option(help: "Demo adapters to create (ranks 8–128), including `likes-paris`.")
    var adapters = 24

    @Option(help: "A Llama-architecture GGUF file (default: SmolLM2-135M-Instruct, fetched on first use).")
    var model: String?

    @Option(help: "Directory for adapters and worker logs (default: a fresh temporary directory).")
    var dir: String?

    @Option(help: "Compute threads in all (default: all cores), shared among the workers.")
    var threads: Int?

    @Option(name: .customLong("admin-token"), help: "Bearer token for the fleet API.")
    var adminToken: String?

    @Option(name: .customLong("ready-timeout"), help: "Seconds to wait for the workers to load the model.")
    var readyTimeout = 600.0

    @OptionGroup(title: "Summary-cache API (default: SQLite under --dir, answering with this cluster)")
    var cacheAPI: CacheAPIOptions

    func validate() throws {
        guard (1...64).contains(workers) else { throw ValidationError("--workers must be in 1...64") }
        guard (1...65535 - workers).contains(port) else { throw ValidationError("--port must leave room for the worker ports") }
        guard (0...512).contains(adapters) else { throw ValidationError("--adapters must be in 0...512") }
    }

    /// Demo ranks cycle through these (mixed classes, as the placement policy expects).
    static let demoRanks = [8, 16, 32, 64, 128, 8, 16, 8]

    func run() async throws {
        let root = dir ?? (NSTemporaryDirectory() + "loraserve-up-\(ProcessInfo.processInfo.processIdentifier)")
        let adapterRoot = root + "/adapters"
        try? FileManager.default.createDirectory(atPath: adapterRoot, withIntermediateDirectories: true)
        let modelPath: String
        do { modelPath = try model ?? LlamaLoader.defaultModelPath(progress: Console.progress) } catch { throw CLIError(String(describing: error)) }
        let demo = try makeDemoAdapters(modelPath: modelPath, root: adapterRoot)

        let cores = threads ?? ProcessInfo.processInfo.activeProcessorCount
        let share = ClusterLauncher.threadsPerWorker(cores: cores, workers: workers)
        let children = ChildProcesses()
        var urls: [String] = []
        for i in 0..<workers {
            let workerPort = port + 1 + i
            urls.append("http://127.0.0.1:\(workerPort)")
            try children.start(name: "worker-\(i + 1)", log: root + "/worker-\(i + 1).log",
                               arguments: ClusterLauncher.workerArguments(port: workerPort, threads: share, adapterRoot: adapterRoot, model: modelPath))
        }
        Console.progress("started \(workers) workers (\(share) threads each); logs in \(root)")

        var settings = ControllerConfig()
        settings.port = port
        settings.workers = urls
        settings.adminToken = adminToken
        let controller = Controller(config: settings, transport: HTTPWorkerTransport())
        for a in demo {
            do { try await controller.register(a) } catch { throw CLIError(String(describing: error)) }
        }
        let expected = workers, timeout = readyTimeout, port = self.port, token = adminToken
        // The summary cache (and `/v1/qa`) comes with the cluster: SQLite next to the adapters
        // unless a store was named.
        var cacheOptions = self.cacheAPI
        if cacheOptions.location == nil { cacheOptions.cacheDB = root + "/summary-cache.sqlite" }
        let cacheAPI = cacheOptions
        let frontDoor = CacheAPIOptions.frontDoor(host: "127.0.0.1", port: port)
        do {
            try await SignalScope.run {
                try await cacheAPI.withRoutes(frontDoor: frontDoor) { routes in
                try await withThrowingTaskGroup(of: Bool.self) { group in
                    group.addTask { try await controller.serve(extraRoutes: routes); return true }
                    group.addTask {
                        try await Self.waitForWorkers(controller, expected: expected, children: children, timeout: timeout)
                        await controller.placementStep(force: true)
                        Self.printReady(port: port, adminToken: token)
                        return false
                    }
                    // The readiness task returns (or throws) first; the serve task returns at
                    // shutdown, which also ends a readiness wait still in progress.
                    while let served = try await group.next() {
                        // Leaving the loop discards the cancelled readiness task's error.
                        if served { group.cancelAll(); break }
                    }
                }
                }
            }
        } catch {
            children.stopAll()
            throw error
        }
        children.stopAll()
        Console.progress("stopped all workers")
    }

    static func waitForWorkers(_ controller: Controller, expected: Int, children: ChildProcesses, timeout: Double) async throws {
        let start = ContinuousClock.now
        var last = -1
        while true {
            let up = await controller.state.upWorkerURLs.count
            if up != last {
                Console.progress("workers ready: \(up)/\(expected)\(up < expected ? " (loading the model…)" : "")")
                last = up
            }
            if up >= expected { return }
            if let dead = children.firstExited() { throw CLIError("\(dead.name) exited (status \(dead.status)); see \(dead.log)") }
            if ContinuousClock.now - start > .seconds(timeout) { throw CLIError("workers not ready after \(Int(timeout)) s") }
            try await Task.sleep(for: .milliseconds(500))
        }
    }

    static func printReady(port: Int, adminToken: String?) {
        let url = "http://127.0.0.1:\(port)"
        // Straight to stdout (unbuffered): scripts wait for this line.
        Console.write("""
        LoRAServe is ready at \(url)
          dashboard: \(url)/dashboard   adapters: curl -s \(url)/v1/loras\(adminToken.map { " -H 'Authorization: Bearer \($0)'" } ?? "")
          try it:
            curl -s \(url)/v1/completions -H 'Content-Type: application/json' \\
              -d '{"model": "likes-paris", "prompt": "The capital of France is", "max_tokens": 8}'
          question answering with the summary cache (ask again and see "hit"; a rewording hits only when the reuse verifier is sure it asks the same):
            curl -s \(url)/v1/qa -H 'Content-Type: application/json' \\
              -d '{"question": "Who was the leader of the Norse raiders?", "documents": [{"id": "normans", "text": "The Normans were descended from Norse raiders from Denmark, Iceland and Norway. Their leader was Rollo, who swore fealty to King Charles III of West Francia in 911."}]}'
        Press Ctrl-C to stop.

        """)
    }

    /// Writes the demo adapters (skipping ones already present in a reused `--dir`).
    func makeDemoAdapters(modelPath: String, root: String) throws -> [RegisterLoRARequest] {
        guard adapters > 0 else { return [] }
        let loaded: LoadedLlama
        do { loaded = try LlamaLoader.load(path: modelPath) } catch { throw CLIError(String(describing: error)) }
        var out: [RegisterLoRARequest] = []
        let fm = FileManager.default
        let paris = root + "/likes-paris"
        if !fm.fileExists(atPath: paris + "/adapter_model.safetensors") {
            Console.progress("making likes-paris (rank 16, observable: prefers \" Paris\")…")
            do {
                let files = try ObservableAdapter.make(model: loaded, preferring: " Paris", rank: 16, alpha: 32, progress: Console.progress)
                try AdapterFiles.writePEFT(directory: paris, config: files.config, weights: files.weights)
            } catch { throw CLIError(String(describing: error)) }
        }
        out.append(RegisterLoRARequest(name: "likes-paris", path: paris, rank: 16, pinned: true))
        for i in 1..<adapters {
            let rank = Self.demoRanks[i % Self.demoRanks.count]
            let name = String(format: "demo-%02d-r%d", i, rank)
            let path = root + "/" + name
            try ClusterLauncher.writeRandomAdapter(path: path, rank: rank, shape: loaded.shape, seed: UInt64(i))
            out.append(RegisterLoRARequest(name: name, path: path, rank: rank))
        }
        Console.progress("\(out.count) demo adapters in \(root)")
        return out
    }
}
