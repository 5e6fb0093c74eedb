import BatchScheduler
import Engine
import Foundation
import Kernels
import LlamaModel
import LoRAAdapters
import ModelStore
import Placement
import ServeCore
import Simulator

/// Times batched forward passes of the real model with LoRA segments (`loraserve profile`).
final class EngineProfiler {
    /// Capacity of padded / batch-max adapter slots: the largest rank in the sweep (vLLM's --max-lora-rank).
    static let slotRank = 64
    static let maxTokens = 256

    let model: LoadedLlama
    let context: LlamaContext
    private var prepared: [String: PreparedAdapter] = [:]
    private var caches: [KVCache] = []
    private let clock = ContinuousClock()

    init(model: LoadedLlama, threads: Int) throws {
        self.model = model
        do {
            context = try LlamaContext(weights: model.weights, maxBatchTokens: Self.maxTokens, maxLogitRows: 64,
                                       pool: ThreadPool(threadCount: threads))
        } catch { throw CLIError("cannot create a model context: \(error)") }
    }

    /// The default sweep: base-only shapes (α, β, ε: same tokens with one or many sampled
    /// sequences), then per mode single- and multi-adapter steps of decode-like (many sequences ×
    /// 1 token) and prefill-like (few sequences × many tokens) shape.
    static func sweep(quick: Bool) -> [ProfileShape] {
        // Both sides of the engine's 48-token kernel switch (the large-step regime is fitted apart).
        let baseShapes = quick ? [(1, 1), (4, 1), (8, 1), (1, 8), (1, 16), (1, 40), (2, 16), (1, 48), (1, 64), (2, 32), (4, 24)]
                               : [(1, 1), (4, 1), (16, 1), (1, 16), (1, 40), (2, 20), (8, 4), (32, 1), (1, 64), (1, 128), (4, 32), (8, 8),
                                  (2, 48)]
        let loraShapes = quick ? [(4, 1), (1, 24), (2, 12), (1, 48), (4, 12)] : [(8, 1), (1, 32), (4, 8), (1, 64), (4, 16), (2, 64)]
        let rankSets = quick ? [[8], [64], [8, 8, 64]] : [[8], [64], [8, 8, 8, 8], [8, 8, 8, 64], [32, 16]]
        var out = baseShapes.map { ProfileShape(mode: .exact, sequences: $0.0, tokensPerSequence: $0.1, ranks: []) }
        for mode in LoRAComputeMode.allCases {
            for (s, l) in loraShapes {
                for ranks in rankSets where ranks.count <= s {
                    out.append(ProfileShape(mode: mode, sequences: s, tokensPerSequence: l, ranks: ranks))
                }
            }
        }
        return out
    }

    /// Shapes measured but not fitted: engine-like steps (several decodes plus prefill-sized
    /// chunks, mixed ranks) the fit has not seen, to report its prediction error.
    static func heldOutShapes(quick: Bool) -> [ProfileShape] {
        let shapes: [(LoRAComputeMode, Int, Int, [Int])] = quick
            ? [(.exact, 6, 1, [16, 32]), (.exact, 2, 20, [8, 16]), (.exact, 3, 4, []), (.padded, 3, 8, [16]), (.batchMax, 6, 1, [8, 32]),
               (.exact, 2, 30, [16]), (.exact, 1, 56, [])]
            : [(.exact, 12, 1, [16, 32]), (.exact, 2, 48, [8, 16]), (.exact, 6, 8, []), (.exact, 24, 1, [8, 8, 32]),
               (.padded, 6, 8, [16]), (.padded, 12, 1, [8, 32]), (.batchMax, 12, 1, [8, 32]), (.batchMax, 2, 40, [16, 64])]
        return shapes.map { ProfileShape(mode: $0.0, sequences: $0.1, tokensPerSequence: $0.2, ranks: $0.3) }
    }

    /// Times every shape once per round, in a seeded shuffled order per round, after one
    /// untimed warm-up round; each sample keeps its fastest time. Interleaving spreads a burst of
    /// machine load over many shapes' single runs instead of all of one shape's runs.
    func measureInterleaved(_ shapes: [ProfileShape], rounds: Int, seed: UInt64, progress: () -> Void) throws -> [ProfileSample] {
        var best = [Double](repeating: .infinity, count: shapes.count)
        var rng = SplitMix64(seed: seed)
        for round in 0...rounds {
            var order = Array(shapes.indices)
            order.shuffle(using: &rng)
            for i in order {
                let t = try time(shapes[i])
                if round > 0 { best[i] = min(best[i], t) }
            }
            progress()
        }
        return shapes.indices.map { sample(shapes[$0], seconds: best[$0]) }
    }

    /// Sequences in contiguous blocks per adapter (the engine orders a step by adapter, as SGMV).
    func segments(_ shape: ProfileShape) -> [LoRASegment] {
        let capacity = shape.mode == .exact ? nil : Self.slotRank
        let adapters = shape.ranks.enumerated().map { adapter(rank: $0.element, capacity: capacity ?? $0.element, index: $0.offset) }
        let d = adapters.count
        return adapters.enumerated().map { k, a in
            let first = k * shape.sequences / d, last = (k + 1) * shape.sequences / d
            return LoRASegment(tokenStart: first * shape.tokensPerSequence, tokenCount: (last - first) * shape.tokensPerSequence, adapter: a)
        }
    }

    /// One timed forward of `shape` (every sequence from position 0, its last token sampled).
    func time(_ shape: ProfileShape) throws -> Double {
        let segments = segments(shape)
        let batch = LoRABatch(mode: shape.mode, maxTokens: Self.maxTokens, maxRank: Self.slotRank)
        batch.setSegments(segments)
        context.lora = segments.isEmpty ? nil : batch
        defer { context.lora = nil }
        while caches.count < shape.sequences {
            do { caches.append(try context.makeCache(capacity: Self.maxTokens)) } catch { throw CLIError("KV cache: \(error)") }
        }
        let vocab = Int32(context.config.vocabularySize)
        let chunks = (0..<shape.sequences).map { s in
            caches[s].truncate(to: 0)
            let tokens = (0..<shape.tokensPerSequence).map { TokenID((Int32(s * 131 + $0 * 17 + 1) % vocab)) }
            return SequenceChunk(cache: caches[s], tokens: tokens, logits: .last)
        }
        let start = clock.now
        do { try context.forward(chunks) } catch { throw CLIError("forward: \(error)") }
        return (clock.now - start).seconds
    }

    func sample(_ shape: ProfileShape, seconds: Double) -> ProfileSample {
        let tokens = shape.sequences * shape.tokensPerSequence
        let stepMax = shape.ranks.max() ?? 0
        let d = shape.ranks.count
        var rankTokens = 0
        for (k, r) in shape.ranks.enumerated() {
            let n = ((k + 1) * shape.sequences / d - k * shape.sequences / d) * shape.tokensPerSequence
            rankTokens += n * (shape.mode == .exact ? r : shape.mode == .padded ? Self.slotRank : stepMax)
        }
        return ProfileSample(mode: shape.mode.rawValue, sequences: shape.sequences, tokensPerSequence: shape.tokensPerSequence,
                             ranks: shape.ranks, tokens: tokens, rankTokens: rankTokens, distinctAdapters: d,
                             seconds: seconds, sampledSequences: shape.sequences)
    }

    /// Adapter load bandwidths: disk (a PEFT file read back, page cache warm) and host → active
    /// (preparing the kernel layout). There is no peer tier on one machine: peer = host.
    func measureLoads() throws -> (disk: Double, host: Double, setup: Double) {
        let shape = model.shape
        let directory = NSTemporaryDirectory() + "loraserve-profile-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        func timedLoad(rank: Int) throws -> (disk: Double, host: Double, bytes: Int) {
            let modules = PEFTAdapterWriter.randomModules(rank: rank, targets: LoRAModule.allCases, base: shape, seed: UInt64(rank))
            let config = PEFTConfig(r: rank, lora_alpha: Float(2 * rank), target_modules: .names(LoRAModule.allCases.map(\.hfName)))
            let path = directory + "/r\(rank)"
            do {
                let files = try PEFTAdapterWriter.serialize(config: config, modules: modules, base: shape)
                try AdapterFiles.writePEFT(directory: path, config: files.config, weights: files.weights)
                let t0 = clock.now
                let loaded = try AdapterFiles.load(path: path, root: nil, base: shape, maxRank: 4096)
                let t1 = clock.now
                let ready = PreparedAdapter(loaded, capacityRank: rank)
                let t2 = clock.now
                return ((t1 - t0).seconds, (t2 - t1).seconds, ready.byteCount)
            } catch { throw CLIError("adapter load timing: \(error.description)") }
        }
        let small = try timedLoad(rank: 1)
        let big = try timedLoad(rank: 32)
        let bytes = Double(max(big.bytes - small.bytes, 1))
        let disk = bytes / max(big.disk - small.disk, 1e-6)
        let host = bytes / max(big.host - small.host, 1e-6)
        return (disk, host, max(0, min(small.disk, small.host)))
    }

    /// A random rank-`rank` adapter on all seven projections, prepared at `capacity` (cached).
    private func adapter(rank: Int, capacity: Int, index: Int) -> PreparedAdapter {
        let key = "\(rank)/\(capacity)/\(index)"
        if let p = prepared[key] { return p }
        let shape = model.shape
        let modules = PEFTAdapterWriter.randomModules(rank: rank, targets: LoRAModule.allCases, base: shape,
                                                      seed: UInt64(rank * 1000 + index))
        var layers = [[LoRAModule: LoRAMatrices]](repeating: [:], count: shape.layers)
        for m in modules {
            let (input, output) = shape.dimensions(of: m.module)
            layers[m.layer][m.module] = LoRAMatrices(rank: rank, input: input, output: output, scale: 2, a: m.a, b: m.b)
        }
        let p = PreparedAdapter(LoRAAdapter(format: .generated, baseModel: nil, alpha: Float(2 * rank), modules: layers),
                                capacityRank: capacity)
        prepared[key] = p
        return p
    }
}

/// The calibration's held-out check against the engine itself: a short mixed workload through
/// the real `BatchEngine` (every request queued before the first step, via `SchedulerTap`), each
/// executed step's wall time (forward, sampling, streaming, scheduler update) against the fitted
/// model's prediction for that step's shape: what the simulator charges for it.
enum EngineStepCheck {
    static let ranks = [0, 8, 16, 32]

    static func run(model: LoadedLlama, threads: Int, fleet: FleetSpec, seed: UInt64, requests count: Int = 12) async throws -> CostCalibration.HeldOut? {
        let root = NSTemporaryDirectory() + "loraserve-profile-engine-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: root) }
        let scheduler = SchedulerConfig(maxBatchTokens: 128, maxRunningSequences: 16, kvBlockTokens: 16, kvBlockCount: 256,
                                        maxModelLength: 256, maxAdaptersPerStep: 4, maxPrefillChunkTokens: 64, maxWaiting: 64)
        let config = EngineConfig(threads: threads, scheduler: scheduler, maxActiveAdapters: 4, maxHostAdapters: 4, maxLoRARank: 64)
        let engine: BatchEngine
        do { engine = try BatchEngine(model: model, config: config, adapterRoot: root) } catch { throw CLIError(error.description) }
        defer { engine.shutdown() }
        for rank in ranks where rank > 0 {
            let modules = PEFTAdapterWriter.randomModules(rank: rank, targets: LoRAModule.allCases, base: model.shape, seed: UInt64(rank))
            let peft = PEFTConfig(r: rank, lora_alpha: Float(rank), target_modules: .names(LoRAModule.allCases.map(\.hfName)))
            do {
                let files = try PEFTAdapterWriter.serialize(config: peft, modules: modules, base: model.shape)
                try AdapterFiles.writePEFT(directory: root + "/r\(rank)", config: files.config, weights: files.weights)
                _ = try await engine.loadAdapter(name: "r\(rank)", path: root + "/r\(rank)")
            } catch { throw CLIError("engine check adapter r\(rank): \(error)") }
        }
        var rng = SplitMix64(seed: seed)
        var rankOf: [UInt64: Int] = [:], promptOf: [UInt64: Int] = [:]
        let tap = SchedulerTap.attach(to: engine, holdUntilRequests: count)
        defer { SchedulerTap.detach(from: engine) }
        var streams: [AsyncThrowingStream<GenerationEvent, any Error>] = []
        for i in 1...UInt64(count) {
            let rank = ranks[Int(rng.next() % UInt64(ranks.count))]
            let prompt = (0..<(8 + Int(rng.next() % 57))).map { _ in TokenID(Int32(100 + rng.next() % 20_000)) }
            rankOf[i] = rank
            promptOf[i] = prompt.count
            let request = GenerationRequest(id: RequestID(i), adapter: rank > 0 ? AdapterID("r\(rank)") : nil, promptTokens: prompt,
                                            sampling: SamplingParameters(maxTokens: 4 + Int(rng.next() % 13), ignoreEOS: true))
            do { streams.append(try await engine.submit(request)) } catch { throw CLIError("engine check submit: \(error)") }
        }
        for stream in streams { for try await _ in stream {} }
        var samples: [ProfileSample] = []
        // Whole-run view (all steps, the cold first one included): each request's time to first
        // token and the makespan, measured (Σ executed step times) vs what the simulator charges
        // for the same steps (the drift test shows the decisions are the same).
        var clock = (measured: 0.0, predicted: 0.0)
        var firstToken: [UInt64: (measured: Double, predicted: Double)] = [:]
        for (k, (digest, seconds)) in zip(tap.digests, tap.stepSeconds).enumerated() {
            var shape = StepShape()
            var seen = Set<Int>(), sampled = 0
            for span in digest.spans {
                let rank = rankOf[span.request] ?? 0
                shape.add(tokens: span.count, rank: rank, newAdapter: rank > 0 && seen.insert(rank).inserted)
                if span.decode || span.start + span.count >= (promptOf[span.request] ?? 0) { sampled += 1 }
            }
            let predicted = fleet.stepSeconds(shape, sampled: sampled, mode: .exact)
            clock = (clock.measured + seconds, clock.predicted + predicted)
            for span in digest.spans where firstToken[span.request] == nil && span.start + span.count >= (promptOf[span.request] ?? 0) {
                firstToken[span.request] = clock
            }
            // The first step pays cold caches and first-touch allocations: not a steady-state step.
            guard k > 0 else { continue }
            samples.append(ProfileSample(mode: "engine-exact", sequences: digest.spans.count,
                                         tokensPerSequence: shape.tokens / max(1, digest.spans.count), ranks: seen.sorted(),
                                         tokens: shape.tokens, rankTokens: shape.ownRankTokens, distinctAdapters: shape.distinctAdapters,
                                         seconds: seconds, sampledSequences: sampled, predictedSeconds: predicted,
                                         relativeError: (predicted - seconds) / max(seconds, 1e-9)))
        }
        var summary = CalibrationFit.summary(samples)
        let measuredTTFT = firstToken.values.map(\.measured).sorted(), predictedTTFT = firstToken.values.map(\.predicted).sorted()
        if !measuredTTFT.isEmpty, clock.measured > 0 {
            let m = measuredTTFT[measuredTTFT.count / 2], p = predictedTTFT[predictedTTFT.count / 2]
            summary?.ttftP50RelativeError = (p - m) / max(m, 1e-9)
            summary?.makespanRelativeError = (clock.predicted - clock.measured) / clock.measured
        }
        return summary
    }
}
