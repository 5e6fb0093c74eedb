import BatchScheduler
import Engine
import Foundation
import GGUF
import LoRAAdapters
import ModelStore
import ServeCore
import TestSupport

/// A tiny model on disk, adapters in a temporary root, and helpers to run requests to the end.
struct EngineFixture {
    let directory: String
    let modelPath: String
    let model: LoadedLlama

    init(tiny: TinyLlamaFile = TinyLlamaFile()) throws {
        directory = NSTemporaryDirectory() + "loraserve-engine-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory + "/adapters", withIntermediateDirectories: true)
        modelPath = directory + "/tiny.gguf"
        try Data(try tiny.serialized()).write(to: URL(fileURLWithPath: modelPath))
        model = try LlamaLoader.load(path: modelPath)
    }

    var adapterRoot: String { directory + "/adapters" }

    static func config(mode: LoRAComputeMode = .exact, maxWaiting: Int = 64, maxActive: Int = 8) -> EngineConfig {
        EngineConfig(threads: 2,
                     scheduler: SchedulerConfig(maxBatchTokens: 64, maxRunningSequences: 8, kvBlockTokens: 8, kvBlockCount: 64,
                                                maxModelLength: 64, maxAdaptersPerStep: 4, maxPrefillChunkTokens: 32, maxWaiting: maxWaiting),
                     maxActiveAdapters: maxActive, maxHostAdapters: 16, maxLoRARank: 16, loraCompute: mode, baseModelName: "tiny")
    }

    func engine(mode: LoRAComputeMode = .exact, maxWaiting: Int = 64, maxActive: Int = 8) throws -> BatchEngine {
        try BatchEngine(model: model, config: Self.config(mode: mode, maxWaiting: maxWaiting, maxActive: maxActive), adapterRoot: adapterRoot)
    }

    /// Writes a random PEFT adapter under the root and returns its directory name.
    @discardableResult
    func writeAdapter(_ name: String, rank: Int, targets: [LoRAModule] = LoRAModule.allCases, seed: UInt64, bScale: Float = 0.3) throws -> String {
        let modules = PEFTAdapterWriter.randomModules(rank: rank, targets: targets, base: model.shape, seed: seed, bScale: bScale)
        let config = PEFTConfig(r: rank, lora_alpha: Float(rank), target_modules: .names(targets.map(\.hfName)))
        let files = try PEFTAdapterWriter.serialize(config: config, modules: modules, base: model.shape)
        try AdapterFiles.writePEFT(directory: adapterRoot + "/" + name, config: files.config, weights: files.weights)
        return name
    }
}

/// What one request produced.
struct Completion: Equatable {
    var tokens: [TokenID] = []
    var logprobs: [[TokenLogprob]] = []
    var text = ""
    var finish: Engine.FinishReason?
}

extension InferenceService {
    func complete(_ prompt: [TokenID], adapter: String? = nil, maxTokens: Int = 6, logprobs: Int = 3,
                  id: UInt64, sampling: SamplingParameters? = nil) async throws -> Completion {
        var params = sampling ?? SamplingParameters(maxTokens: maxTokens, ignoreEOS: true)
        params.maxTokens = maxTokens
        let stream = try await submit(GenerationRequest(id: RequestID(id), adapter: adapter.map(AdapterID.init),
                                                        promptTokens: prompt, sampling: params, logprobs: logprobs))
        var out = Completion()
        for try await event in stream {
            switch event {
            case let .token(token, text, _, top):
                out.tokens.append(token)
                out.logprobs.append(top)
                out.text += text
            case let .finished(reason, _, _):
                out.finish = reason
            }
        }
        return out
    }
}

func maxLogprobDifference(_ a: Completion, _ b: Completion) -> Float {
    var worst: Float = 0
    for (x, y) in zip(a.logprobs, b.logprobs) {
        for (p, q) in zip(x, y) {
            if p.id != q.id { return .infinity }
            worst = max(worst, abs(p.logprob - q.logprob))
        }
    }
    return worst
}
