import Foundation
import GGUF
import LoRAAdapters
import Safetensors
import ServeCore

/// Reads adapters from disk, confined to a configured root: a PEFT directory
/// (`adapter_config.json` + `adapter_model.safetensors`) or a llama.cpp GGUF-LoRA file.
public enum AdapterFiles {
    /// Resolves `path` (relative paths are relative to `root`), following symlinks and `..`, and
    /// throws unless the result lies inside `root`. `root == nil` allows any path.
    public static func resolve(_ path: String, root: String?) throws(AdapterError) -> String {
        let absolute = path.hasPrefix("/") ? path : (root ?? FileManager.default.currentDirectoryPath) + "/" + path
        let resolved = URL(fileURLWithPath: absolute).standardizedFileURL.resolvingSymlinksInPath().path
        guard let root else { return resolved }
        let resolvedRoot = URL(fileURLWithPath: root).standardizedFileURL.resolvingSymlinksInPath().path
        guard resolved == resolvedRoot || resolved.hasPrefix(resolvedRoot.hasSuffix("/") ? resolvedRoot : resolvedRoot + "/") else {
            throw .pathOutsideRoot(path: path, root: root)
        }
        return resolved
    }

    public static func load(path: String, root: String?, base: BaseModelShape, maxRank: Int) throws(AdapterError) -> LoRAAdapter {
        let resolved = try resolve(path, root: root)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: resolved, isDirectory: &isDirectory) else {
            throw .unreadable("no such file or directory: \(path)")
        }
        if isDirectory.boolValue {
            let configPath = resolved + "/adapter_config.json"
            guard let config = FileManager.default.contents(atPath: configPath) else {
                throw .unreadable("\(path) has no adapter_config.json (expected a PEFT adapter directory)")
            }
            let weightsPath = resolved + "/adapter_model.safetensors"
            let bytes: ReadOnlyBytes
            do { bytes = try MappedFile.map(path: weightsPath) } catch {
                throw .unreadable("\(path)/adapter_model.safetensors: \(error.description)")
            }
            let file: SafetensorsFile
            do { file = try SafetensorsFile(bytes: bytes) } catch {
                throw .unreadable("\(path)/adapter_model.safetensors is corrupt: \(error.description)")
            }
            return try PEFTAdapterReader.read(configJSON: [UInt8](config), weights: file, base: base, maxRank: maxRank)
        }
        let bytes: ReadOnlyBytes
        do { bytes = try MappedFile.map(path: resolved) } catch { throw .unreadable("\(path): \(error.description)") }
        let file: GGUFFile
        do { file = try GGUFFile(bytes: bytes) } catch { throw .unreadable("\(path) is not a PEFT directory nor a readable GGUF-LoRA file: \(error.description)") }
        return try GGUFLoRAReader.read(file, base: base, maxRank: maxRank)
    }

    /// Writes a PEFT adapter directory.
    public static func writePEFT(directory: String, config: [UInt8], weights: [UInt8]) throws(AdapterError) {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try Data(config).write(to: URL(fileURLWithPath: directory + "/adapter_config.json"), options: .atomic)
            try Data(weights).write(to: URL(fileURLWithPath: directory + "/adapter_model.safetensors"), options: .atomic)
        } catch {
            throw .unreadable("cannot write \(directory): \(error)")
        }
    }
}
