import Engine
import Foundation
import LoRAAdapters
import ModelStore
import ServeCore
import Testing
import TestSupport

@Suite(.serialized) struct BatchEngineTests {
    let prompts: [[TokenID]] = [[1, 107, 104, 111], [1, 100, 101], [104, 105, 106, 107, 108, 109], [1, 120, 121, 122, 50]]

    /// A mixed batch (three ranks + base) gives every request what it gets alone, in every compute mode.
    @Test(arguments: LoRAComputeMode.allCases)
    func mixedBatchEqualsEachRequestAlone(mode: LoRAComputeMode) async throws {
        let fx = try EngineFixture()
        let names = [try fx.writeAdapter("r2", rank: 2, seed: 1), try fx.writeAdapter("r4", rank: 4, targets: [.q, .k, .v], seed: 2),
                     try fx.writeAdapter("r16", rank: 16, seed: 3)]
        let plan: [(prompt: [TokenID], adapter: String?)] = [
            (prompts[0], nil), (prompts[0], names[0]), (prompts[1], names[1]), (prompts[0], names[2]), (prompts[2], nil), (prompts[3], names[2]),
        ]
        let batched = try fx.engine(mode: mode)
        for name in names { _ = try await batched.loadAdapter(name: name, path: name) }
        let together = try await withThrowingTaskGroup(of: (Int, Completion).self) { group in
            for (i, p) in plan.enumerated() {
                group.addTask { (i, try await batched.complete(p.prompt, adapter: p.adapter, id: UInt64(i + 1))) }
            }
            var out = [Completion](repeating: Completion(), count: plan.count)
            for try await (i, c) in group { out[i] = c }
            return out
        }
        let alone = try fx.engine(mode: .exact)
        for name in names { _ = try await alone.loadAdapter(name: name, path: name) }
        for (i, p) in plan.enumerated() {
            let single = try await alone.complete(p.prompt, adapter: p.adapter, id: UInt64(100 + i))
            #expect(single.tokens == together[i].tokens, "request \(i) (\(p.adapter ?? "base"), \(mode))")
            #expect(maxLogprobDifference(single, together[i]) < 2e-3, "request \(i) logprobs")
            #expect(together[i].finish == .length)
        }
        // The adapters matter: same prompt, base vs adapter, differ.
        #expect(maxLogprobDifference(together[0], together[1]) > 1e-3 || together[0].tokens != together[1].tokens)
        batched.shutdown()
        alone.shutdown()
    }

    /// Adapter through the LoRA path == base engine on weights with W + scale·B·A merged in.
    @Test func adapterEqualsMergedWeights() async throws {
        let fx = try EngineFixture()
        let name = try fx.writeAdapter("r8", rank: 8, seed: 5)
        let adapter = try AdapterFiles.load(path: name, root: fx.adapterRoot, base: fx.model.shape, maxRank: 16)
        let mergedPath = fx.directory + "/merged.gguf"
        try MergedModel.write(base: fx.modelPath, adapter: adapter, to: mergedPath)
        let engine = try fx.engine()
        _ = try await engine.loadAdapter(name: name, path: name)
        let merged = try BatchEngine(model: try LlamaLoader.load(path: mergedPath), config: EngineFixture.config(), adapterRoot: nil)
        for (i, prompt) in prompts.enumerated() {
            let viaLoRA = try await engine.complete(prompt, adapter: name, id: UInt64(i + 1))
            let viaMerge = try await merged.complete(prompt, id: UInt64(i + 1))
            #expect(viaLoRA.tokens == viaMerge.tokens)
            #expect(maxLogprobDifference(viaLoRA, viaMerge) < 2e-3)
        }
        engine.shutdown()
        merged.shutdown()
    }

    @Test func observableAdapterChangesOnlyItsRequests() async throws {
        let fx = try EngineFixture()
        let target = TokenID(3 + Int(UInt8(ascii: "Z")))
        let files = try ObservableAdapter.make(model: fx.model, preferring: "Z", rank: 8, alpha: 16, progress: { _ in })
        try AdapterFiles.writePEFT(directory: fx.adapterRoot + "/likes-z", config: files.config, weights: files.weights)
        let engine = try fx.engine()
        _ = try await engine.loadAdapter(name: "likes-z", path: "likes-z")
        async let withAdapter = engine.complete(prompts[1], adapter: "likes-z", maxTokens: 8, id: 1)
        async let without = engine.complete(prompts[1], maxTokens: 8, id: 2)
        let (a, b) = try await (withAdapter, without)
        #expect(a.tokens.filter { $0 == target }.count >= 6, "adapter output \(a.tokens)")
        #expect(b.tokens.filter { $0 == target }.count <= 2, "base output \(b.tokens)")
        engine.shutdown()
    }

    @Test func cancellationFreesKVBlocks() async throws {
        var tiny = TinyLlamaFile()
        tiny.contextLength = 1024
        let fx = try EngineFixture(tiny: tiny)
        var config = EngineFixture.config()
        config.scheduler.maxModelLength = 1024
        config.scheduler.kvBlockCount = 256
        let engine = try BatchEngine(model: fx.model, config: config, adapterRoot: nil)
        let stream = try await engine.submit(GenerationRequest(id: RequestID(1), adapter: nil, promptTokens: prompts[2],
                                                               sampling: SamplingParameters(maxTokens: 1000, ignoreEOS: true)))
        // The client goes away after its first token: the consuming task is cancelled.
        let consumer = Task {
            var seen = 0
            for try await event in stream { if case .token = event { seen += 1 } }
            return seen
        }
        try await Task.sleep(for: .milliseconds(5))
        consumer.cancel()
        _ = try? await consumer.value
        var metrics = await engine.metrics()
        for _ in 0..<300 where metrics.requestsFinished.isEmpty || metrics.kvBlocksUsed > 0 {
            try await Task.sleep(for: .milliseconds(10))
            metrics = await engine.metrics()
        }
        #expect(metrics.requestsFinished == ["cancelled": 1])
        #expect(metrics.kvBlocksUsed == 0)
        #expect(metrics.running == 0)
        engine.shutdown()
    }

    @Test func errorsAreTypedAndOthersKeepServing() async throws {
        let fx = try EngineFixture()
        let engine = try fx.engine()
        let good = try fx.writeAdapter("good", rank: 4, seed: 9)
        _ = try await engine.loadAdapter(name: good, path: good)
        // Corrupt weights file.
        try FileManager.default.createDirectory(atPath: fx.adapterRoot + "/bad", withIntermediateDirectories: true)
        try Data(#"{"r": 4, "lora_alpha": 8}"#.utf8).write(to: URL(fileURLWithPath: fx.adapterRoot + "/bad/adapter_config.json"))
        try Data([1, 2, 3, 4, 5, 6, 7, 8, 9]).write(to: URL(fileURLWithPath: fx.adapterRoot + "/bad/adapter_model.safetensors"))
        await #expect { try await engine.loadAdapter(name: "bad", path: "bad") } throws: { error in
            guard case let ServiceError.adapterInvalid(message) = error else { return false }
            return message.contains("corrupt")
        }
        await #expect { try await engine.loadAdapter(name: "escape", path: "../tiny.gguf") } throws: { error in
            guard case let ServiceError.adapterInvalid(message) = error else { return false }
            return message.contains("outside the adapter root")
        }
        await #expect(throws: ServiceError.adapterExists("good")) { try await engine.loadAdapter(name: "good", path: good) }
        await #expect(throws: ServiceError.unknownAdapter("nope")) { try await engine.complete(prompts[0], adapter: "nope", id: 1) }
        await #expect(throws: ServiceError.self) { try await engine.complete(prompts[0], maxTokens: 70, id: 2) }
        let ok = try await engine.complete(prompts[0], adapter: good, id: 3)
        #expect(ok.tokens.count == 6)
        try await engine.unloadAdapter(name: good)
        await #expect(throws: ServiceError.unknownAdapter(good)) { try await engine.unloadAdapter(name: good) }
        engine.shutdown()
    }

    @Test func queueFullIsRejectedWithRetryAfter() async throws {
        let fx = try EngineFixture()
        let engine = try fx.engine(maxWaiting: 1)
        // Hold planning so nothing leaves the waiting queue: on a fast machine the tiny model
        // would otherwise admit (and finish) each request before the next one arrives.
        _ = SchedulerTap.attach(to: engine, holdUntilRequests: 1_000)
        defer { SchedulerTap.detach(from: engine) }
        var streams: [AsyncThrowingStream<GenerationEvent, any Error>] = []
        var rejected: ServiceError?
        for i in 0..<20 {
            do {
                streams.append(try await engine.submit(GenerationRequest(id: RequestID(UInt64(i + 1)), adapter: nil, promptTokens: prompts[2],
                                                                         sampling: SamplingParameters(maxTokens: 50, ignoreEOS: true))))
            } catch {
                rejected = error
                break
            }
        }
        guard case let .queueFull(seconds)? = rejected else { Issue.record("expected queueFull, got \(String(describing: rejected))"); return }
        #expect(seconds >= 1)
        #expect(rejected?.httpStatus == 429)
        engine.shutdown()
    }
}
