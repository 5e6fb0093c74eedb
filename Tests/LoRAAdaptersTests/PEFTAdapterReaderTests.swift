import Foundation
import GGUF
import Safetensors
import ServeCore
import Testing
import LoRAAdapters

let tinyBase = BaseModelShape(layers: 2, width: 16, feedForwardWidth: 24, heads: 4, kvHeads: 2)

func makePEFT(rank: Int = 4, targets: [LoRAModule] = LoRAModule.allCases, config: PEFTConfig? = nil,
              dtype: SafetensorsDType = .f32, mutate: (inout [PEFTAdapterWriter.ModuleWeights]) -> Void = { _ in }) throws -> (config: [UInt8], weights: SafetensorsFile) {
    var modules = PEFTAdapterWriter.randomModules(rank: rank, targets: targets, base: tinyBase, seed: 7, bScale: 0.1)
    mutate(&modules)
    let cfg = config ?? PEFTConfig(r: rank, lora_alpha: Float(2 * rank), target_modules: .names(targets.map(\.hfName)))
    let (json, bytes) = try PEFTAdapterWriter.serialize(config: cfg, modules: modules, base: tinyBase, dtype: dtype)
    return (json, try SafetensorsFile(bytes: ReadOnlyBytes(copying: bytes)))
}

@Suite struct PEFTAdapterReaderTests {
    @Test(arguments: [SafetensorsDType.f32, .f16, .bf16])
    func roundTripAppliesScaleAndQKPermutation(dtype: SafetensorsDType) throws {
        let modules = PEFTAdapterWriter.randomModules(rank: 4, targets: LoRAModule.allCases, base: tinyBase, seed: 7, bScale: 0.1)
        let (json, weights) = try makePEFT(dtype: dtype)
        let adapter = try PEFTAdapterReader.read(configJSON: json, weights: weights, base: tinyBase, maxRank: 64)
        #expect(adapter.rank == 4)
        #expect(adapter.targets == Set(LoRAModule.allCases))
        let tolerance: Float = dtype == .f32 ? 0 : (dtype == .f16 ? 1e-3 : 1e-2)
        for m in modules {
            let got = try #require(adapter.matrices(layer: m.layer, module: m.module))
            #expect(got.scale == 2)
            let (_, output) = tinyBase.dimensions(of: m.module)
            let heads = m.module == .q ? tinyBase.heads : tinyBase.kvHeads
            let expectedB = (m.module == .q || m.module == .k)
                ? QKPermutation.hfToGGUF(m.b, rows: output, columns: 4, heads: heads) : m.b
            #expect(zip(got.a, m.a).allSatisfy { abs($0 - $1) <= tolerance * max(1, abs($1)) })
            #expect(zip(got.b, expectedB).allSatisfy { abs($0 - $1) <= tolerance * max(1, abs($1)) })
        }
    }

    @Test func permutationIsAnInvolutionPair() {
        var rng = SplitMix64(seed: 1)
        let m = (0..<(16 * 3)).map { _ in rng.nextUnitFloat() }
        let p = QKPermutation.hfToGGUF(m, rows: 16, columns: 3, heads: 2)
        #expect(p != m)
        #expect(QKPermutation.ggufToHF(p, rows: 16, columns: 3, heads: 2) == m)
        // Head 0, dim 8: HF row 1 (first half, j=1) goes to GGUF row 2 (pair 1, element 0).
        #expect(Array(p[6..<9]) == Array(m[3..<6]))
    }

    @Test func rsloraAndPatternsSetPerModuleScale() throws {
        var config = PEFTConfig(r: 4, lora_alpha: 8, target_modules: .names(["q_proj", "v_proj"]), use_rslora: true)
        config.alpha_pattern = ["v_proj": 16]
        let (json, weights) = try makePEFT(targets: [.q, .v], config: config)
        let adapter = try PEFTAdapterReader.read(configJSON: json, weights: weights, base: tinyBase, maxRank: 64)
        #expect(adapter.matrices(layer: 0, module: .q)?.scale == 4)     // 8 / sqrt(4)
        #expect(adapter.matrices(layer: 1, module: .v)?.scale == 8)     // 16 / sqrt(4)
        #expect(adapter.matrices(layer: 0, module: .k) == nil)
    }

    @Test func rankPatternAllowsMixedRanks() throws {
        var config = PEFTConfig(r: 4, lora_alpha: 8, target_modules: .regex(#"model\.layers\.\d+\.self_attn\.(q|k)_proj"#))
        config.rank_pattern = ["k_proj": 2]
        let (json, weights) = try makePEFT(targets: [.q, .k], config: config) { modules in
            for i in modules.indices where modules[i].module == .k {
                modules[i].rank = 2
                modules[i].a = Array(modules[i].a.prefix(2 * 16))
                modules[i].b = (0..<(8 * 2)).map { Float($0) * 0.01 }
            }
        }
        let adapter = try PEFTAdapterReader.read(configJSON: json, weights: weights, base: tinyBase, maxRank: 64)
        #expect(adapter.matrices(layer: 0, module: .k)?.rank == 2)
        #expect(adapter.matrices(layer: 0, module: .k)?.scale == 4)
        #expect(adapter.rank == 4)
    }

    @Test func rejectsRankAboveMaximum() throws {
        let (json, weights) = try makePEFT(rank: 8)
        #expect(throws: AdapterError.rankTooLarge(module: "model.layers.0.self_attn.q_proj", rank: 8, maximum: 4)) {
            try PEFTAdapterReader.read(configJSON: json, weights: weights, base: tinyBase, maxRank: 4)
        }
    }

    @Test func rejectsNaN() throws {
        let (json, weights) = try makePEFT(targets: [.v]) { $0[0].b[3] = .nan }
        #expect(throws: AdapterError.nonFinite(tensor: PEFTAdapterWriter.tensorName(layer: 0, module: .v, isA: false), index: 3)) {
            try PEFTAdapterReader.read(configJSON: json, weights: weights, base: tinyBase, maxRank: 64)
        }
    }

    @Test func rejectsShapeMismatchWithBase() throws {
        let (json, weights) = try makePEFT(targets: [.up])
        let other = BaseModelShape(layers: 2, width: 16, feedForwardWidth: 32, heads: 4, kvHeads: 2)
        #expect {
            try PEFTAdapterReader.read(configJSON: json, weights: weights, base: other, maxRank: 64)
        } throws: { error in
            guard case let AdapterError.shapeMismatch(tensor, expected, actual) = error else { return false }
            return tensor.contains("up_proj.lora_B") && expected == [32, 4] && actual == [24, 4]
        }
    }

    @Test func rejectsUnknownTargetModule() throws {
        let config = PEFTConfig(r: 4, lora_alpha: 8, target_modules: .names(["q_proj", "lm_head"]))
        let (json, weights) = try makePEFT(targets: [.q], config: config)
        #expect(throws: AdapterError.unknownTargetModule("lm_head")) {
            try PEFTAdapterReader.read(configJSON: json, weights: weights, base: tinyBase, maxRank: 64)
        }
    }

    @Test func rejectsMalformedConfigs() throws {
        let (_, weights) = try makePEFT()
        for bad in [#"{"r": 4"#, #"{"lora_alpha": 8}"#, #"{"r": 0, "lora_alpha": 8}"#, #"{"r": 4, "lora_alpha": 8, "fan_in_fan_out": true}"#,
                    #"{"r": 4, "lora_alpha": 8, "peft_type": "IA3"}"#, #"{"r": "four", "lora_alpha": 8}"#] {
            #expect(throws: AdapterError.self, "\(bad)") {
                try PEFTAdapterReader.read(configJSON: Array(bad.utf8), weights: weights, base: tinyBase, maxRank: 64)
            }
        }
    }

    @Test func rejectsMissingHalfAndEmpty() throws {
        var writer = SafetensorsWriter()
        try writer.add(name: PEFTAdapterWriter.tensorName(layer: 0, module: .q, isA: true), shape: [4, 16], floats: [Float](repeating: 0, count: 64))
        let config = Array(#"{"r": 4, "lora_alpha": 8}"#.utf8)
        #expect(throws: AdapterError.missingTensor("model.layers.0.self_attn.q_proj.lora_B.weight")) {
            try PEFTAdapterReader.read(configJSON: config, weights: try SafetensorsFile(bytes: ReadOnlyBytes(copying: writer.serialized())),
                                       base: tinyBase, maxRank: 64)
        }
        #expect(throws: AdapterError.empty) {
            try PEFTAdapterReader.read(configJSON: config, weights: try SafetensorsFile(bytes: ReadOnlyBytes(copying: SafetensorsWriter().serialized())),
                                       base: tinyBase, maxRank: 64)
        }
    }
}

@Suite struct GGUFLoRAReaderTests {
    @Test func readsLlamaCppLayoutWithoutPermuting() throws {
        var w = GGUFWriter()
        w.set("general.type", .string("adapter"))
        w.set("adapter.type", .string("lora"))
        w.set("general.architecture", .string("llama"))
        w.set("adapter.lora.alpha", .float32(16))
        let a = (0..<(8 * 16)).map { Float($0) * 0.001 }
        let b = (0..<(8 * 8)).map { Float($0) * -0.002 }
        try w.addTensor(name: "blk.1.attn_k.weight.lora_a", dimensions: [16, 8], type: .f32, data: a.withUnsafeBytes { Array($0) })
        try w.addTensor(name: "blk.1.attn_k.weight.lora_b", dimensions: [8, 8], type: .f32, data: b.withUnsafeBytes { Array($0) })
        let file = try GGUFFile(bytes: ReadOnlyBytes(copying: w.serialized()))
        let adapter = try GGUFLoRAReader.read(file, base: tinyBase, maxRank: 64)
        let k = try #require(adapter.matrices(layer: 1, module: .k))
        #expect(k.rank == 8 && k.scale == 2 && k.a == a && k.b == b)
        #expect(throws: AdapterError.rankTooLarge(module: "blk.1.attn_k.weight", rank: 8, maximum: 4)) {
            try GGUFLoRAReader.read(file, base: tinyBase, maxRank: 4)
        }
    }

    @Test func rejectsBaseModelFile() throws {
        var w = GGUFWriter()
        w.set("general.architecture", .string("llama"))
        let file = try GGUFFile(bytes: ReadOnlyBytes(copying: w.serialized()))
        #expect(throws: AdapterError.self) { try GGUFLoRAReader.read(file, base: tinyBase, maxRank: 64) }
    }
}
