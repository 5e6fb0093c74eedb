import Foundation

/// Locates the real models for the real-model test group (fetched by `loraserve models fetch`).
///
/// Layout under `$LORASERVE_HOME/models` (default `~/.cache/loraserve/models`):
/// `SmolLM2-135M-Instruct.Q4_1.gguf` and `all-MiniLM-L6-v2/` (model.safetensors, vocab.txt, ...).
public enum RealModels {
    public struct Missing: Error, CustomStringConvertible {
        public let path: String
        public var description: String { "real model not found at \(path); run `swift run loraserve models fetch`" }
    }

    public static var modelsDirectory: String {
        let env = ProcessInfo.processInfo.environment
        let home = env["LORASERVE_HOME"] ?? (NSHomeDirectory() + "/.cache/loraserve")
        return home + "/models"
    }

    public static func smolLM2Path() throws -> String {
        let path = modelsDirectory + "/SmolLM2-135M-Instruct.Q4_1.gguf"
        guard FileManager.default.fileExists(atPath: path) else { throw Missing(path: path) }
        return path
    }

    public static func miniLMDirectory() throws -> String {
        let path = modelsDirectory + "/all-MiniLM-L6-v2"
        guard FileManager.default.fileExists(atPath: path + "/model.safetensors") else { throw Missing(path: path) }
        return path
    }

    /// all-mpnet-base-v2 (`loraserve models fetch`).
    public static func mpnetDirectory() throws -> String {
        let path = modelsDirectory + "/all-mpnet-base-v2"
        guard FileManager.default.fileExists(atPath: path + "/model.safetensors") else { throw Missing(path: path) }
        return path
    }

    /// Reads a whole file (tests only; the engine memory-maps).
    public static func readFile(_ path: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else { throw Missing(path: path) }
        return [UInt8](data)
    }
}
