import Foundation
import Kernels
import LlamaModel
import LoRAAdapters
import ModelStore
import ServeCore

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

    /// The default sweep: base-only shapes (α, β), then per mode single- and multi-adapter steps of
    /// decode-like (many sequences × 1 token) and prefill-like (few sequences × many tokens) shape.
    static func sweep(quick: Bool) -> [ProfileShape] {
        let baseShapes = quick ? [(1, 1), (4, 1), (1, 16), (1, 48)]
                               : [(1, 1), (4, 1), (16, 1), (1, 16), (1, 64), (1, 128), (4, 32)]
        let loraShapes = quick ? [(4, 1), (1, 24)] : [(8, 1), (1, 64), (4, 16)]
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

    /// Fastest of `repeats` timed forwards (after one warm-up) of `shape`: on a shared machine the
    /// noise is one-sided (descheduled threads), so the minimum estimates the step's own cost.
    func measure(_ shape: ProfileShape, repeats: Int) throws -> ProfileSample {
        let capacity = shape.mode == .exact ? nil : Self.slotRank
        let adapters = shape.ranks.enumerated().map { adapter(rank: $0.element, capacity: capacity ?? $0.element, index: $0.offset) }
        // Sequences in contiguous blocks per adapter (the engine orders a step by adapter, as SGMV).
        var segments: [LoRASegment] = []
        let d = adapters.count
        for (k, a) in adapters.enumerated() {
            let first = k * shape.sequences / d, last = (k + 1) * shape.sequences / d
            segments.append(LoRASegment(tokenStart: first * shape.tokensPerSequence,
                                        tokenCount: (last - first) * shape.tokensPerSequence, adapter: a))
        }
        let batch = LoRABatch(mode: shape.mode, maxTokens: Self.maxTokens, maxRank: Self.slotRank)
        batch.setSegments(segments)
        context.lora = adapters.isEmpty ? nil : batch
        while caches.count < shape.sequences {
            do { caches.append(try context.makeCache(capacity: Self.maxTokens)) } catch { throw CLIError("KV cache: \(error)") }
        }
        let vocab = Int32(context.config.vocabularySize)
        var times: [Double] = []
        for run in 0...repeats {
            let chunks = (0..<shape.sequences).map { s in
                caches[s].truncate(to: 0)
                let tokens = (0..<shape.tokensPerSequence).map { TokenID((Int32(s * 131 + $0 * 17 + 1) % vocab)) }
                return SequenceChunk(cache: caches[s], tokens: tokens, logits: .last)
            }
            let start = clock.now
            do { try context.forward(chunks) } catch { throw CLIError("forward: \(error)") }
            if run > 0 { times.append((clock.now - start).seconds) }
        }
        context.lora = nil
        let tokens = shape.sequences * shape.tokensPerSequence
        let stepMax = shape.ranks.max() ?? 0
        var rankTokens = 0
        for (k, r) in shape.ranks.enumerated() {
            let n = segments[k].tokenCount
            rankTokens += n * (shape.mode == .exact ? r : shape.mode == .padded ? Self.slotRank : stepMax)
        }
        return ProfileSample(mode: shape.mode.rawValue, sequences: shape.sequences, tokensPerSequence: shape.tokensPerSequence,
                             ranks: shape.ranks, tokens: tokens, rankTokens: rankTokens, distinctAdapters: shape.ranks.count,
                             seconds: times.min() ?? 0)
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
