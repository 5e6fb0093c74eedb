import ArgumentParser
import BatchScheduler
import Controller
import Engine
import Foundation
import LoRAAdapters
import Logging
import ModelStore
import Worker

/// `loraserve worker`: one engine behind the vLLM/OpenAI-compatible HTTP API.
struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Serve the base model and any mix of LoRA adapters (OpenAI + vLLM adapter admin API, Prometheus /metrics)."
    )

    @Option(help: "Port to listen on.")
    var port = 8000

    @Option(help: "Address to bind.")
    var host = "127.0.0.1"

    @Option(name: .customLong("adapter-root"), help: "load_lora_adapter paths must resolve inside this directory.")
    var adapterRoot: String?

    @Option(name: .customLong("max-active-adapters"), help: "Adapters a step may use (vLLM --max-loras).")
    var maxActiveAdapters = 8

    @Option(name: .customLong("max-host-adapters"), help: "Adapters kept in host memory (vLLM --max-cpu-loras).")
    var maxHostAdapters = 64

    @Option(name: .customLong("max-lora-rank"), help: "Largest accepted rank; `padded` mode computes every adapter token at it.")
    var maxLoRARank = 128

    @Option(name: .customLong("lora-compute"), help: "exact (each token pays its own rank) | padded (like vLLM) | batch-max (like Punica).")
    var loraCompute = "exact"

    @Option(name: .customLong("admin-token"), help: "Bearer token required by the adapter admin endpoints.")
    var adminToken: String?

    @Option(name: .customLong("api-key"), help: "Accepted API key for inference endpoints (repeatable; none = open).")
    var apiKeys: [String] = []

    @Option(name: .customLong("served-model-name"), help: "Name of the base model in the OpenAI `model` field.")
    var servedModelName = "SmolLM2-135M-Instruct"

    @Option(name: .customLong("max-batch-tokens"), help: "Per-step token budget.")
    var maxBatchTokens = 512

    @Option(name: .customLong("max-running"), help: "Sequences in one batch at most.")
    var maxRunning = 32

    @Option(name: .customLong("kv-cache-tokens"), help: "KV cache capacity in tokens (all sequences).")
    var kvCacheTokens = 32_768

    @Option(name: .customLong("max-model-len"), help: "Longest prompt + completion accepted.")
    var maxModelLength = 4096

    @Option(name: .customLong("max-waiting"), help: "Queued requests before 429.")
    var maxWaiting = 256

    @Option(help: "Controller base URL to self-register with (POST /v1/workers/register, repeated as a heartbeat).")
    var controller: String?

    @Option(help: "URL the controller should use to reach this worker (default: http://HOST:PORT).")
    var advertise: String?

    @Option(name: .customLong("heartbeat-interval"), help: "Seconds between registration heartbeats (with --controller).")
    var heartbeatInterval = 5.0

    @Option(name: .customLong("controller-token"), help: "The controller's admin token, sent with the registration.")
    var controllerToken: String?

    @Option(name: .customLong("peer-rate-limit"), help: "Cap on peer adapter transfers this worker sends, bytes/s (none = unlimited).")
    var peerRateLimit: Int?

    @Option(name: .customLong("peer-max-bytes"), help: "Largest adapter payload accepted from a peer (POST /v1/adapters/fetch).")
    var peerMaxBytes = 512 << 20

    @OptionGroup var modelOptions: ModelOptions

    func validate() throws {
        guard LoRAComputeMode(rawValue: loraCompute) != nil else { throw ValidationError("--lora-compute must be exact, padded or batch-max") }
        guard (1...65535).contains(port) else { throw ValidationError("--port must be in 1...65535") }
        if let controller, !(controller.hasPrefix("http://") || controller.hasPrefix("https://")) {
            throw ValidationError("--controller must be an http:// or https:// URL")
        }
        guard heartbeatInterval > 0 else { throw ValidationError("--heartbeat-interval must be > 0") }
    }

    func run() async throws {
        var logger = Logger(label: "loraserve.worker")
        logger.logLevel = .info
        let model = try modelOptions.load()
        let blockTokens = 16
        let scheduler = SchedulerConfig(maxBatchTokens: maxBatchTokens, maxRunningSequences: maxRunning, kvBlockTokens: blockTokens,
                                        kvBlockCount: max(1, kvCacheTokens / blockTokens),
                                        maxModelLength: min(maxModelLength, model.weights.config.contextLength),
                                        maxAdaptersPerStep: maxActiveAdapters, maxPrefillChunkTokens: min(256, maxBatchTokens), maxWaiting: maxWaiting)
        let config = EngineConfig(threads: modelOptions.threadCount, scheduler: scheduler, maxActiveAdapters: maxActiveAdapters,
                                  maxHostAdapters: max(maxHostAdapters, maxActiveAdapters), maxLoRARank: maxLoRARank,
                                  loraCompute: LoRAComputeMode(rawValue: loraCompute) ?? .exact, baseModelName: servedModelName)
        let engine: BatchEngine
        do { engine = try BatchEngine(model: model, config: config, adapterRoot: adapterRoot) } catch { throw CLIError(error.description) }
        let server = try WorkerServer(config: WorkerConfig(host: host, port: port, adminToken: adminToken, adapterRoot: adapterRoot,
                                                       apiKeys: apiKeys, maxQueuedRequests: maxWaiting,
                                                       peerRateLimitBytesPerSecond: peerRateLimit, peerMaxAdapterBytes: peerMaxBytes),
                                  service: engine, logger: logger)
        logger.info("worker serving \(servedModelName) (\(loraCompute) LoRA, max rank \(maxLoRARank)) at http://\(host):\(port)")
        try await ClusterLauncher.serve(server, registration: controller.map {
            RegistrationClient(controller: $0, advertise: advertise ?? "http://\(host):\(port)", token: controllerToken,
                               intervalSeconds: heartbeatInterval)
        }, logger: logger)
        engine.shutdown()
    }
}
