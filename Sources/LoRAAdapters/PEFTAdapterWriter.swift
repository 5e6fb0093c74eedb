import Foundation
import Safetensors
import ServeCore

/// Writes PEFT-format adapters (what `peft.save_pretrained` produces), for tools, tests and demos.
public enum PEFTAdapterWriter {
    /// One module's weights in Hugging Face layout (q/k lora_B rows NOT permuted).
    public struct ModuleWeights: Sendable {
        public var layer: Int
        public var module: LoRAModule
        public var rank: Int
        public var a: [Float]   // [rank × input]
        public var b: [Float]   // [output × rank]
        public init(layer: Int, module: LoRAModule, rank: Int, a: [Float], b: [Float]) {
            self.layer = layer
            self.module = module
            self.rank = rank
            self.a = a
            self.b = b
        }
    }

    public static func tensorName(layer: Int, module: LoRAModule, isA: Bool) -> String {
        "base_model.model.model.layers.\(layer).\(module.hfParent).\(module.hfName).lora_\(isA ? "A" : "B").weight"
    }

    /// Returns (adapter_config.json bytes, adapter_model.safetensors bytes).
    public static func serialize(config: PEFTConfig, modules: [ModuleWeights], base: BaseModelShape,
                                 dtype: SafetensorsDType = .f32) throws(AdapterError) -> (config: [UInt8], weights: [UInt8]) {
        var writer = SafetensorsWriter(metadata: ["format": "pt"])
        for m in modules {
            let (input, output) = base.dimensions(of: m.module)
            do {
                try writer.add(name: tensorName(layer: m.layer, module: m.module, isA: true), shape: [m.rank, input], floats: m.a, as: dtype)
                try writer.add(name: tensorName(layer: m.layer, module: m.module, isA: false), shape: [output, m.rank], floats: m.b, as: dtype)
            } catch { throw .unreadable(error.description) }
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let json: Data
        do { json = try encoder.encode(config) } catch { throw .invalidConfig("\(error)") }
        return (Array(json), writer.serialized())
    }

    /// A random adapter for performance work: A ~ U(-1/√in, 1/√in) (Kaiming-like, as PEFT), and a
    /// small non-zero B (PEFT starts B at zero, which would make the adapter a no-op).
    public static func randomModules(rank: Int, targets: [LoRAModule], base: BaseModelShape,
                                     seed: UInt64, bScale: Float = 0.01) -> [ModuleWeights] {
        var rng = SplitMix64(seed: seed)
        var result: [ModuleWeights] = []
        for layer in 0..<base.layers {
            for module in targets {
                let (input, output) = base.dimensions(of: module)
                let bound = 1 / Float(input).squareRoot()
                let a = (0..<(rank * input)).map { _ in (rng.nextUnitFloat() * 2 - 1) * bound }
                let b = (0..<(output * rank)).map { _ in (rng.nextUnitFloat() * 2 - 1) * bScale }
                result.append(ModuleWeights(layer: layer, module: module, rank: rank, a: a, b: b))
            }
        }
        return result
    }
}
