import Controller
import Foundation
import LoRAAdapters
import Logging
import ModelStore
import Worker

/// What `loraserve up` and `loraserve bench cluster` share to start a local cluster: child
/// processes of this binary, worker arguments with a share of the cores, random-weight adapters
/// written as `adapters make` writes them, and a worker that self-registers with a controller.
enum ClusterLauncher {
    /// Compute threads per worker: an even share of `cores`, at least one.
    static func threadsPerWorker(cores: Int, workers: Int) -> Int { max(1, cores / max(workers, 1)) }

    /// `loraserve worker …` arguments for one local worker.
    static func workerArguments(port: Int, threads: Int, adapterRoot: String, model: String, extra: [String] = []) -> [String] {
        ["worker", "--port", String(port), "--threads", String(threads), "--adapter-root", adapterRoot,
         "--model", model, "--max-lora-rank", "128"] + extra
    }

    /// The modules random adapters target (attention projections, as the demo set).
    static let randomTargets: [LoRAModule] = [.q, .k, .v, .o]

    /// Writes a random-weight PEFT adapter of `rank` at `path` (as `loraserve adapters make`),
    /// unless one is already there (a reused directory). Returns true when it wrote one.
    @discardableResult
    static func writeRandomAdapter(path: String, rank: Int, shape: BaseModelShape, seed: UInt64,
                                   targets: [LoRAModule] = randomTargets) throws -> Bool {
        if FileManager.default.fileExists(atPath: path + "/adapter_model.safetensors") { return false }
        let modules = PEFTAdapterWriter.randomModules(rank: rank, targets: targets, base: shape, seed: seed)
        let config = PEFTConfig(r: rank, lora_alpha: Float(2 * rank), target_modules: .names(targets.map(\.hfName)),
                                base_model_name_or_path: "HuggingFaceTB/SmolLM2-135M-Instruct")
        do {
            let files = try PEFTAdapterWriter.serialize(config: config, modules: modules, base: shape)
            try AdapterFiles.writePEFT(directory: path, config: files.config, weights: files.weights)
        } catch { throw CLIError("cannot write adapter \(path): \(error)") }
        return true
    }

    /// Runs a worker's HTTP server; with `registration`, also registers with the controller and
    /// heartbeats until the server stops (then the heartbeat task is cancelled).
    static func serve(_ server: WorkerServer, registration: RegistrationClient?, logger: Logger) async throws {
        guard let registration else {
            try await server.run()
            return
        }
        let log = logger
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.run() }
            group.addTask {
                // Give the listener a moment to bind so the controller's first health check passes.
                try? await Task.sleep(for: .milliseconds(300))
                await registration.run { log.info("\($0)") }
            }
            try await group.next()
            group.cancelAll()
        }
    }

    /// A free-looking TCP port block start: random in [20000, 50000) (tests and benches avoid
    /// fixed ports so concurrent runs do not collide).
    static func randomBasePort() -> Int { Int.random(in: 20_000..<50_000) }
}

/// Child processes of this `loraserve` binary (workers, a controller), logging to files.
final class ChildProcesses: @unchecked Sendable {
    struct Child {
        let name: String
        let log: String
        let process: Process
    }
    private var children: [Child] = []
    private let lock = NSLock()

    init() {}

    func start(name: String, log: String, arguments: [String]) throws {
        let process = Process()
        let exe = Bundle.main.executablePath ?? CommandLine.arguments[0]
        process.executableURL = URL(fileURLWithPath: exe)
        process.arguments = arguments
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        let handle = FileHandle(forWritingAtPath: log)
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch { throw CLIError("cannot start \(name): \(error.localizedDescription)") }
        lock.withLock { children.append(Child(name: name, log: log, process: process)) }
    }

    /// The process id of the child started as `name` (nil if none).
    func pid(of name: String) -> Int32? {
        lock.withLock { children.first { $0.name == name }?.process.processIdentifier }
    }

    func firstExited() -> (name: String, status: Int32, log: String)? {
        lock.withLock {
            children.first { !$0.process.isRunning }.map { ($0.name, $0.process.terminationStatus, $0.log) }
        }
    }

    /// SIGTERM every child, wait up to 5 s, then SIGKILL the stragglers.
    func stopAll() {
        let all = lock.withLock { children }
        for c in all where c.process.isRunning { c.process.terminate() }
        let deadline = Date().addingTimeInterval(5)
        while all.contains(where: { $0.process.isRunning }), Date() < deadline { usleep(50_000) }
        for c in all where c.process.isRunning { kill(c.process.processIdentifier, SIGKILL) }
        for c in all { c.process.waitUntilExit() }
        lock.withLock { children.removeAll() }
    }
}
