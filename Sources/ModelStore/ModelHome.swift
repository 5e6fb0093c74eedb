import Foundation

/// Where models and adapters live: `$LORASERVE_HOME` (default `~/.cache/loraserve`).
public struct ModelHome: Sendable, Equatable {
    public let root: String

    public init(root: String) { self.root = root }

    /// `$LORASERVE_HOME`, else `~/.cache/loraserve`.
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> ModelHome {
        if let home = environment["LORASERVE_HOME"], !home.isEmpty { return ModelHome(root: home) }
        return ModelHome(root: NSHomeDirectory() + "/.cache/loraserve")
    }

    public var modelsDirectory: String { root + "/models" }

    public func path(of file: ModelFileSpec) -> String { modelsDirectory + "/" + file.destination }

    /// The directory that holds a multi-file model (the first file's folder).
    public func directory(of spec: ModelSpec) -> String {
        guard let first = spec.files.first else { return modelsDirectory }
        return (path(of: first) as NSString).deletingLastPathComponent
    }
}
