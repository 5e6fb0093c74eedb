import Foundation
import Safetensors

/// Reads a PEFT LoRA adapter (`adapter_config.json` + `adapter_model.safetensors`) for a Llama base.
public enum PEFTAdapterReader {
    /// - Parameters:
    ///   - configJSON: the bytes of adapter_config.json.
    ///   - weights: the parsed adapter_model.safetensors.
    ///   - maxRank: reject any module whose rank is above this (`--max-lora-rank`).
    public static func read(configJSON: [UInt8], weights: SafetensorsFile, base: BaseModelShape,
                            maxRank: Int) throws(AdapterError) -> LoRAAdapter {
        let config = try PEFTConfig.decode(configJSON)
        if case let .names(names) = config.target_modules {
            for name in names where LoRAModule(hfName: name) == nil && LoRAModule(hfName: String(name.split(separator: ".").last ?? "")) == nil {
                throw .unknownTargetModule(name)
            }
        }
        var pairs: [Int: [LoRAModule: (a: String?, b: String?)]] = [:]
        for name in weights.tensors.keys.sorted() {
            let parsed = try parse(tensorName: name)
            guard parsed.layer < base.layers else {
                throw .shapeMismatch(tensor: name, expected: [base.layers], actual: [parsed.layer + 1])
            }
            var entry = pairs[parsed.layer, default: [:]][parsed.module] ?? (nil, nil)
            if parsed.isA { entry.a = name } else { entry.b = name }
            pairs[parsed.layer, default: [:]][parsed.module] = entry
        }
        guard !pairs.isEmpty else { throw .empty }

        var modules = [[LoRAModule: LoRAMatrices]](repeating: [:], count: base.layers)
        // Sorted, so the first error reported is deterministic (layer 0 q_proj before layer 1 …).
        for (layer, byModule) in pairs.sorted(by: { $0.key < $1.key }) {
            for (module, names) in byModule.sorted(by: { $0.key < $1.key }) {
                let path = "model.layers.\(layer).\(module.hfParent).\(module.hfName)"
                guard let aName = names.a else { throw .missingTensor(path + ".lora_A.weight") }
                guard let bName = names.b else { throw .missingTensor(path + ".lora_B.weight") }
                guard config.targets(modulePath: path) else {
                    throw .invalidConfig("tensors for \(path) are present but target_modules does not include it")
                }
                modules[layer][module] = try matrices(module: module, path: path, aName: aName, bName: bName,
                                                      weights: weights, config: config, base: base, maxRank: maxRank)
            }
        }
        return LoRAAdapter(format: .peft, baseModel: config.base_model_name_or_path, alpha: config.lora_alpha, modules: modules)
    }

    private static func matrices(module: LoRAModule, path: String, aName: String, bName: String, weights: SafetensorsFile,
                                 config: PEFTConfig, base: BaseModelShape, maxRank: Int) throws(AdapterError) -> LoRAMatrices {
        let (input, output) = base.dimensions(of: module)
        let aInfo: SafetensorsTensorInfo
        let bInfo: SafetensorsTensorInfo
        do {
            aInfo = try weights.info(aName)
            bInfo = try weights.info(bName)
        } catch { throw .unreadable(error.description) }
        guard aInfo.shape.count == 2 else { throw .shapeMismatch(tensor: aName, expected: [config.r, input], actual: aInfo.shape) }
        guard bInfo.shape.count == 2 else { throw .shapeMismatch(tensor: bName, expected: [output, config.r], actual: bInfo.shape) }
        let rank = aInfo.shape[0]
        guard rank == bInfo.shape[1] else { throw .rankMismatch(module: path, a: rank, b: bInfo.shape[1]) }
        guard rank >= 1 else { throw .shapeMismatch(tensor: aName, expected: [config.r, input], actual: aInfo.shape) }
        guard aInfo.shape[1] == input else { throw .shapeMismatch(tensor: aName, expected: [rank, input], actual: aInfo.shape) }
        guard bInfo.shape[0] == output else { throw .shapeMismatch(tensor: bName, expected: [output, rank], actual: bInfo.shape) }
        let declaredRank = PEFTConfig.patternValue(config.rank_pattern, modulePath: path) ?? config.r
        guard declaredRank == rank else {
            throw .shapeMismatch(tensor: aName, expected: [declaredRank, input], actual: aInfo.shape)
        }
        guard rank <= maxRank else { throw .rankTooLarge(module: path, rank: rank, maximum: maxRank) }
        let alpha = PEFTConfig.patternValue(config.alpha_pattern, modulePath: path) ?? config.lora_alpha
        let scale = config.use_rslora == true ? alpha / Float(rank).squareRoot() : alpha / Float(rank)
        let a = try floats(aName, weights)
        var b = try floats(bName, weights)
        switch module {
        case .q: b = QKPermutation.hfToGGUF(b, rows: output, columns: rank, heads: base.heads)
        case .k: b = QKPermutation.hfToGGUF(b, rows: output, columns: rank, heads: base.kvHeads)
        default: break
        }
        return LoRAMatrices(rank: rank, input: input, output: output, scale: scale, a: a, b: b)
    }

    static func floats(_ name: String, _ weights: SafetensorsFile) throws(AdapterError) -> [Float] {
        let values: [Float]
        do {
            let info = try weights.info(name)
            guard [.f32, .f16, .bf16].contains(info.dtype) else { throw AdapterError.unsupportedDType(tensor: name, dtype: info.dtype.rawValue) }
            values = try weights.floats(name)
        } catch let error as AdapterError {
            throw error
        } catch {
            throw .unreadable("\(error)")
        }
        if let bad = values.firstIndex(where: { !$0.isFinite }) { throw .nonFinite(tensor: name, index: bad) }
        return values
    }

    /// `base_model.model.model.layers.3.self_attn.q_proj.lora_A.weight` (optionally `.lora_A.default.weight`).
    static func parse(tensorName name: String) throws(AdapterError) -> (layer: Int, module: LoRAModule, isA: Bool) {
        var parts = name.split(separator: ".").map(String.init)
        if parts.last == "weight" { parts.removeLast() } else { throw .unexpectedTensor(name) }
        if parts.last == "default" { parts.removeLast() }
        guard let kind = parts.popLast(), kind == "lora_A" || kind == "lora_B" else { throw .unexpectedTensor(name) }
        guard let moduleName = parts.popLast() else { throw .unexpectedTensor(name) }
        guard let module = LoRAModule(hfName: moduleName) else { throw .unknownTargetModule(moduleName) }
        guard let layersIndex = parts.lastIndex(of: "layers"), layersIndex + 1 < parts.count,
              let layer = Int(parts[layersIndex + 1]), layer >= 0 else { throw .unexpectedTensor(name) }
        return (layer, module, kind == "lora_A")
    }
}
