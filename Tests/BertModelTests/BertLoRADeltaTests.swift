import BertModel
import Kernels
import Safetensors
import ServeCore
import Testing

/// LoRA deltas merged at load, and sentence-pair token types, against the scalar reference.
@Suite struct BertLoRADeltaTests {
    static let config = tinyConfigs[0]
    static let adapted = ["attention.self.query", "attention.self.value", "attention.output.dense", "intermediate.dense", "output.dense"]

    /// A rank-2 delta for some modules of every layer: (tensors for the file, the model with W + s·B·A).
    static func delta(on model: TinyBert, scale: Float = 0.75, seed: UInt64 = 21) -> ([String: (shape: [Int], values: [Float])], TinyBert) {
        var rng = SplitMix64(seed: seed)
        var file: [String: (shape: [Int], values: [Float])] = ["lora_scale": ([1], [scale])]
        var merged = model
        let rank = 2
        for l in 0..<config.layerCount {
            for m in adapted {
                let name = "encoder.layer.\(l).\(m)"
                guard let w = model.tensors[name + ".weight"] else { continue }
                let (outputs, inputs) = (w.shape[0], w.shape[1])
                let a = (0..<rank * inputs).map { _ in 0.3 * (2 * rng.nextUnitFloat() - 1) }
                let b = (0..<outputs * rank).map { _ in 0.3 * (2 * rng.nextUnitFloat() - 1) }
                file[name + ".lora_A"] = ([rank, inputs], a)
                file[name + ".lora_B"] = ([outputs, rank], b)
                var values = w.values
                for o in 0..<outputs {
                    for i in 0..<inputs {
                        var sum: Double = 0
                        for k in 0..<rank { sum += Double(b[o * rank + k]) * Double(a[k * inputs + i]) }
                        values[o * inputs + i] += Float(Double(scale) * sum)
                    }
                }
                merged.tensors[name + ".weight"] = (w.shape, values)
            }
        }
        return (file, merged)
    }

    static func safetensors(_ tensors: [String: (shape: [Int], values: [Float])]) throws -> SafetensorsFile {
        var writer = SafetensorsWriter(metadata: [:])
        for name in tensors.keys.sorted() {
            if let t = tensors[name] { try writer.add(name: name, shape: t.shape, floats: t.values, as: .f32) }
        }
        return try SafetensorsFile(bytes: ReadOnlyBytes(copying: writer.serialized()))
    }

    @Test func mergedDeltaEqualsTheModifiedModel() throws {
        let model = TinyBert(config: Self.config, seed: 11)
        let (tensors, merged) = Self.delta(on: model)
        let delta = try BertLoRADelta(file: Self.safetensors(tensors))
        #expect(delta.adaptedWeightCount == Self.config.layerCount * Self.adapted.count)
        let encoder = try BertEncoder(file: model.file(), config: Self.config, pool: nil, delta: delta)
        let plain = try BertEncoder(file: model.file(), config: Self.config, pool: nil)
        let batch = randomBatch(count: 5, vocabulary: Self.config.vocabularySize, lengths: 2...20, seed: 7)
        let got = try encoder.embed(tokenIDs: batch)
        let want = merged.referenceEmbeddings(batch)
        let unadapted = model.referenceEmbeddings(batch)
        for (g, (w, u)) in zip(got, zip(want, unadapted)) {
            let diff = zip(g, w).map { abs(Double($0) - $1) }.max() ?? 1
            #expect(diff < 5e-5, "max |diff| \(diff)")
            #expect(cosine(g, u) < 0.999, "the delta must change the embedding")
        }
        #expect(encoder.weightsDigest != plain.weightsDigest && encoder.weightsDigest.hasPrefix(plain.weightsDigest + "+lora"))
    }

    @Test func secondSegmentUsesTokenTypeOne() throws {
        let model = TinyBert(config: Self.config, seed: 13)
        let encoder = try BertEncoder(file: model.file(), config: Self.config, pool: ThreadPool(threadCount: 2), maxTokensPerPass: 30)
        let batch = randomBatch(count: 6, vocabulary: Self.config.vocabularySize, lengths: 3...20, seed: 5)
        let starts = batch.map { max(1, $0.count / 2) }
        let got = try encoder.embed(tokenIDs: batch, secondSegmentStarts: starts)
        for (g, w) in zip(got, model.referenceEmbeddings(batch, segmentStarts: starts)) {
            let diff = zip(g, w).map { abs(Double($0) - $1) }.max() ?? 1
            #expect(diff < 2e-5, "max |diff| \(diff)")
        }
        // A start at the end is a single segment: the plain embedding.
        let whole = try encoder.embed(tokenIDs: batch, secondSegmentStarts: batch.map(\.count))
        #expect(whole == (try encoder.embed(tokenIDs: batch)))
        #expect(throws: EmbedError.self) { try encoder.embed(tokenIDs: batch, secondSegmentStarts: [1]) }
        #expect(throws: EmbedError.self) { try encoder.embed(tokenIDs: [[1, 2]], secondSegmentStarts: [3]) }
        #expect(throws: EmbedError.self) { try encoder.embed(tokenIDs: [[1, 2]], secondSegmentStarts: [0]) }
        let oneType = try BertEncoder(file: TinyBert(config: tinyConfigs[1], seed: 2).file(), config: tinyConfigs[1], pool: nil)
        #expect(throws: EmbedError.self) { try oneType.embed(tokenIDs: [[1, 2]], secondSegmentStarts: [1]) }
    }

    @Test func badDeltasAreTypedErrors() throws {
        let model = TinyBert(config: Self.config, seed: 11)
        let (good, _) = Self.delta(on: model)
        func loads(_ edit: (inout [String: (shape: [Int], values: [Float])]) -> Void) -> Bool {
            var t = good
            edit(&t)
            guard let file = try? Self.safetensors(t), let delta = try? BertLoRADelta(file: file) else { return false }
            return (try? BertEncoder(file: model.file(), config: Self.config, pool: nil, delta: delta)) != nil
        }
        #expect(loads { _ in })
        #expect(!loads { $0["lora_scale"] = nil })
        #expect(!loads { $0["lora_scale"] = ([1], [.nan]) })
        #expect(!loads { $0["encoder.layer.0.attention.self.query.lora_B"] = nil })
        #expect(!loads { $0["encoder.layer.0.attention.self.query.lora_A"] = nil })
        #expect(!loads { $0["encoder.layer.1.output.dense.lora_A"] = ([3, 36], [Float](repeating: 0.1, count: 108)) })  // rank 3 vs B's 2
        #expect(!loads { $0["encoder.layer.0.attention.self.value.lora_A"] = ([2, 19], [Float](repeating: 0.1, count: 38)) })  // wrong width
        #expect(!loads { t in t["encoder.layer.0.attention.self.key.lora_A"] = t["encoder.layer.0.attention.self.query.lora_A"].map { ($0.shape, $0.values.map { _ in Float.infinity }) } ; t["encoder.layer.0.attention.self.key.lora_B"] = t["encoder.layer.0.attention.self.query.lora_B"] })
        #expect(!loads { t in t["encoder.layer.9.attention.self.query.lora_A"] = t["encoder.layer.0.attention.self.query.lora_A"]; t["encoder.layer.9.attention.self.query.lora_B"] = t["encoder.layer.0.attention.self.query.lora_B"] })
    }
}
