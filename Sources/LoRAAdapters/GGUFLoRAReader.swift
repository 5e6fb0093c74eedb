import GGUF

/// Reads llama.cpp's GGUF-LoRA files (`general.type = adapter`, `adapter.type = lora`).
///
/// Tensors `blk.N.<stem>.weight.lora_a` (ne = [n_in, r], i.e. PEFT's A [r × n_in]) and
/// `.lora_b` (ne = [r, n_out], i.e. B [n_out × r]); llama.cpp's converter already permuted
/// attn_q/attn_k's lora_b rows, so none is applied here. scale = alpha / r.
public enum GGUFLoRAReader {
    public static func read(_ file: GGUFFile, base: BaseModelShape, maxRank: Int) throws(AdapterError) -> LoRAAdapter {
        guard file.string("general.type") == "adapter", file.string("adapter.type") == "lora" else {
            throw .invalidConfig("not a GGUF LoRA adapter (general.type = \(file.string("general.type") ?? "nil"), adapter.type = \(file.string("adapter.type") ?? "nil"))")
        }
        if let arch = file.string("general.architecture"), arch != "llama" {
            throw .invalidConfig("adapter is for architecture \(arch), the base model is llama")
        }
        let alpha = Float(file.float("adapter.lora.alpha") ?? 0)
        var modules = [[LoRAModule: LoRAMatrices]](repeating: [:], count: base.layers)
        var found = false
        for info in file.tensors where info.name.hasSuffix(".lora_a") {
            let stem = String(info.name.dropLast(".lora_a".count))
            let parts = stem.split(separator: ".")
            guard parts.count == 4, parts[0] == "blk", let layer = Int(parts[1]), parts[3] == "weight" else {
                throw .unexpectedTensor(info.name)
            }
            guard let module = LoRAModule(ggufName: String(parts[2])) else { throw .unknownTargetModule(String(parts[2])) }
            guard layer >= 0, layer < base.layers else { throw .shapeMismatch(tensor: info.name, expected: [base.layers], actual: [layer + 1]) }
            guard let bInfo = file.tensor(named: stem + ".lora_b") else { throw .missingTensor(stem + ".lora_b") }
            let (input, output) = base.dimensions(of: module)
            guard info.dimensions.count == 2, info.dimensions[0] == input else {
                throw .shapeMismatch(tensor: info.name, expected: [input, info.dimensions.last ?? 0], actual: info.dimensions)
            }
            let rank = info.dimensions[1]
            guard bInfo.dimensions == [rank, output] else { throw .shapeMismatch(tensor: bInfo.name, expected: [rank, output], actual: bInfo.dimensions) }
            guard rank >= 1 else { throw .shapeMismatch(tensor: info.name, expected: [input, 1], actual: info.dimensions) }
            guard rank <= maxRank else { throw .rankTooLarge(module: stem, rank: rank, maximum: maxRank) }
            let a = try floats(file, info)
            let b = try floats(file, bInfo)
            let effectiveAlpha = alpha > 0 ? alpha : Float(rank)
            modules[layer][module] = LoRAMatrices(rank: rank, input: input, output: output, scale: effectiveAlpha / Float(rank), a: a, b: b)
            found = true
        }
        guard found else { throw .empty }
        return LoRAAdapter(format: .ggufLoRA, baseModel: file.string("general.name"), alpha: alpha, modules: modules)
    }

    private static func floats(_ file: GGUFFile, _ info: GGUFTensorInfo) throws(AdapterError) -> [Float] {
        let raw = file.data(of: info)
        let count = info.elementCount
        var out = [Float](repeating: 0, count: count)
        switch info.type {
        case .f32:
            for i in 0..<count { out[i] = Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self))) }
        case .f16:
            for i in 0..<count { out[i] = Float(Float16(bitPattern: UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)))) }
        case .bf16:
            for i in 0..<count { out[i] = Float(bitPattern: UInt32(UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))) << 16) }
        default:
            throw .unsupportedDType(tensor: info.name, dtype: "\(info.type)")
        }
        if let bad = out.firstIndex(where: { !$0.isFinite }) { throw .nonFinite(tensor: info.name, index: bad) }
        return out
    }
}
