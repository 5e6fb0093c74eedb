import Foundation
import GGUF
import LoRAAdapters
import ServeCore

/// The "merged" oracle: W' = W + scale · B·A written into a copy of an F32 GGUF, so running the
/// base engine on it must reproduce the adapter's effect without any LoRA code path.
enum MergedModel {
    static func write(base path: String, adapter: LoRAAdapter, to output: String) throws {
        let file = try GGUFFile(bytes: ReadOnlyBytes(copying: [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))))
        var writer = GGUFWriter()
        for key in file.metadataKeys { if let value = file.metadata[key] { writer.set(key, value) } }
        for info in file.tensors {
            var bytes = Array(file.data(of: info))
            if let (layer, module) = parse(info.name), let m = adapter.matrices(layer: layer, module: module) {
                precondition(info.type == .f32, "merged oracle needs F32 weights")
                bytes.withUnsafeMutableBytes { raw in
                    let w = raw.bindMemory(to: Float.self)
                    for o in 0..<m.output {
                        for i in 0..<m.input {
                            var delta: Float = 0
                            for j in 0..<m.rank { delta += m.b[o * m.rank + j] * m.a[j * m.input + i] }
                            w[o * m.input + i] += m.scale * delta
                        }
                    }
                }
            }
            try writer.addTensor(name: info.name, dimensions: info.dimensions, type: info.type, data: bytes)
        }
        try Data(try writer.validatedSerialization()).write(to: URL(fileURLWithPath: output))
    }

    private static func parse(_ name: String) -> (Int, LoRAModule)? {
        let parts = name.split(separator: ".")
        guard parts.count == 4, parts[0] == "blk", let layer = Int(parts[1]), let module = LoRAModule(ggufName: String(parts[2])) else { return nil }
        return (layer, module)
    }
}
