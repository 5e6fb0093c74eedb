import Engine
import Foundation
import Kernels
import LlamaModel
import LoRAAdapters
import ModelStore
import ServeCore
import Testing
import TestSupport

/// Adapters written by the `peft` library, applied by our engine to the real model, against the
/// logits Hugging Face + peft computed (`Scripts/golden_peft.py`). Covers names, shapes, scale
/// (alpha/r, rsLoRA, rank/alpha patterns, regex targets) and the q/k lora_B row permutation.
///
/// Our matmuls run on the scalar reference kernels here (F32 activations, as HF's dequantised
/// weights), so the only difference left is summation order: tolerance 0.02 on logits, while the
/// bugs this guards against move them by 1.3–19 (recorded in the golden's `mutations`).
@Suite(.serialized) struct PEFTRealModelTests {
    struct Golden: Decodable {
        struct Prompt: Decodable { let name: String; let ids: [Int32] }
        struct Run: Decodable { let argmax: [Int32]; let maxLogit: [Float]; let top2Margin: [Float]; let lastTop10: [[Double]] }
        struct Case: Decodable { let name: String; let base: Run; let adapter: Run }
        struct Adapter: Decodable { let name: String; let directory: String; let cases: [Case] }
        let prompts: [Prompt]
        let adapters: [Adapter]
    }

    static func golden() throws -> Golden {
        guard let url = Bundle.module.url(forResource: "Golden/peft-logits", withExtension: "json") else { throw CocoaError(.fileNoSuchFile) }
        return try JSONDecoder().decode(Golden.self, from: Data(contentsOf: url))
    }

    /// Every position's logits for `ids`, with or without the adapter.
    static func logits(_ context: LlamaContext, _ ids: [Int32], adapter: PreparedAdapter?) throws -> [[Float]] {
        let batch = LoRABatch(mode: .exact, maxTokens: 64, maxRank: 16)
        if let adapter { batch.setSegments([LoRASegment(tokenStart: 0, tokenCount: ids.count, adapter: adapter)]) }
        context.lora = adapter == nil ? nil : batch
        defer { context.lora = nil }
        let cache = try context.makeCache(capacity: ids.count)
        let rows = try context.forward([SequenceChunk(cache: cache, tokens: ids, logits: .all)])
        return rows[0].map { Array(context.logits(row: $0)) }
    }

    @Test func peftAdaptersMatchHuggingFace() throws {
        let golden = try Self.golden()
        let model = try LlamaLoader.load(path: try RealModels.smolLM2Path())
        let context = try LlamaContext(weights: model.weights, maxBatchTokens: 64, maxLogitRows: 64, pool: ThreadPool(threadCount: 2))
        context.useReferenceKernels = true
        for entry in golden.adapters {
            guard let url = Bundle.module.url(forResource: "Golden/" + entry.directory, withExtension: nil) else {
                Issue.record("missing \(entry.directory)")
                continue
            }
            let adapter = try AdapterFiles.load(path: url.path, root: nil, base: model.shape, maxRank: 64)
            let prepared = PreparedAdapter(adapter, capacityRank: 0)
            for (prompt, expected) in zip(golden.prompts, entry.cases) {
                let base = try Self.logits(context, prompt.ids, adapter: nil)
                let tuned = try Self.logits(context, prompt.ids, adapter: prepared)
                for (run, ours, label) in [(expected.base, base, "base"), (expected.adapter, tuned, "adapter")] {
                    for (position, row) in ours.enumerated() {
                        let maxLogit = row.max() ?? 0
                        #expect(abs(maxLogit - run.maxLogit[position]) < 0.02,
                                "\(entry.name) \(prompt.name) \(label) pos \(position): max logit \(maxLogit) vs HF \(run.maxLogit[position])")
                        let argmax = Int32(row.firstIndex(of: maxLogit) ?? -1)
                        #expect(argmax == run.argmax[position] || run.top2Margin[position] < 0.02,
                                "\(entry.name) \(prompt.name) \(label) pos \(position): argmax \(argmax) vs HF \(run.argmax[position])")
                    }
                    if let last = ours.last {
                        for pair in run.lastTop10 {
                            let id = Int(pair[0])
                            #expect(abs(Double(last[id]) - pair[1]) < 0.02, "\(entry.name) \(prompt.name) \(label) token \(id)")
                        }
                    }
                }
            }
        }
    }
}
