import BatchScheduler
import LoRAAdapters

/// Everything a worker engine is sized by. Codable so a worker can be configured from a file; the
/// simulator reuses `scheduler` unchanged.
public struct EngineConfig: Sendable, Codable, Equatable {
    public var threads: Int
    public var scheduler: SchedulerConfig
    /// Adapters a step may use (vLLM `--max-loras`, the GPU-slot analogue).
    public var maxActiveAdapters: Int
    /// Byte budget of the active set (prepared, possibly padded, weights).
    public var maxActiveAdapterBytes: Int
    /// Adapters kept loaded in host memory (vLLM `--max-cpu-loras`), LRU beyond that.
    public var maxHostAdapters: Int
    public var maxHostAdapterBytes: Int
    /// vLLM `--max-lora-rank`: adapters above it are rejected; `padded` mode computes at it.
    public var maxLoRARank: Int
    public var loraCompute: LoRAComputeMode
    /// Name the base model answers to in the OpenAI `model` field.
    public var baseModelName: String

    public init(threads: Int = 2, scheduler: SchedulerConfig = SchedulerConfig(), maxActiveAdapters: Int = 8,
                maxActiveAdapterBytes: Int = 1 << 30, maxHostAdapters: Int = 64, maxHostAdapterBytes: Int = 4 << 30,
                maxLoRARank: Int = 128, loraCompute: LoRAComputeMode = .exact, baseModelName: String = "SmolLM2-135M-Instruct") {
        self.threads = threads
        self.scheduler = scheduler
        self.maxActiveAdapters = maxActiveAdapters
        self.maxActiveAdapterBytes = maxActiveAdapterBytes
        self.maxHostAdapters = maxHostAdapters
        self.maxHostAdapterBytes = maxHostAdapterBytes
        self.maxLoRARank = maxLoRARank
        self.loraCompute = loraCompute
        self.baseModelName = baseModelName
    }

    public func validate() throws(ServiceError) {
        guard threads >= 1 else { throw .invalidRequest("threads must be at least 1") }
        guard maxActiveAdapters >= 1, maxHostAdapters >= maxActiveAdapters else {
            throw .invalidRequest("need 1 <= max active adapters (\(maxActiveAdapters)) <= max host adapters (\(maxHostAdapters))")
        }
        guard maxLoRARank >= 1 else { throw .invalidRequest("max LoRA rank must be at least 1") }
        do { try scheduler.validate() } catch { throw .invalidRequest(error.description) }
    }
}
