import Safetensors

/// Reads float tensors by name from a safetensors file, checks shape and finiteness, and folds
/// names, shapes and F32 bit patterns into an FNV-1a 64 digest (in read order). Shared by the
/// encoder weights, LoRA deltas and the pair classifier's head.
struct BertTensorReader {
    let file: SafetensorsFile
    private var hash: UInt64 = 0xCBF2_9CE4_8422_2325

    init(file: SafetensorsFile) { self.file = file }

    var digestHex: String {
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

    /// The tensor `name` (or `bert.name`); with `shape`, it must have exactly that shape.
    mutating func tensor(_ name: String, shape expected: [Int]? = nil) throws(EmbedderLoadError) -> (shape: [Int], values: [Float]) {
        guard let info = file.tensors[name] ?? file.tensors["bert." + name] else { throw .missingTensor(name: name) }
        if let expected, info.shape != expected { throw .wrongShape(tensor: name, expected: expected, actual: info.shape) }
        let values: [Float]
        do { values = try file.floats(info.name) } catch { throw .safetensors(error) }
        for b in name.utf8 { mix(UInt64(b)) }
        for d in info.shape { mix(UInt64(d)) }
        for (i, v) in values.enumerated() {
            guard v.isFinite else { throw .nonFiniteWeight(tensor: name, index: i) }
            mix(UInt64(v.bitPattern))
        }
        return (info.shape, values)
    }

    private mutating func mix(_ word: UInt64) {
        hash = (hash ^ word) &* 0x0000_0100_0000_01B3
    }
}
