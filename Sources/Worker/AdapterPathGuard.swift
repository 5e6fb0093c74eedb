#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import OpenAIWire

/// Confines `lora_path` to the configured adapter root. Both sides are resolved with `realpath(3)`
/// (symlinks, `.` and `..` removed) before comparing, so neither `../../etc` nor a symlink inside
/// the root that points out of it gets through.
package struct AdapterPathGuard: Sendable {
    /// The configured root as given (resolved on every check, so a root created later works).
    package let root: String?

    package init(root: String?) {
        self.root = root
    }

    /// The resolved absolute path to hand to the engine, or an OpenAI error: 400 for an empty path,
    /// 404 for a path that does not exist (as vLLM's "No adapter found"), 403 outside the root.
    package func resolve(_ path: String) throws(APIError) -> String {
        guard !path.isEmpty else { throw .badRequest("`lora_path` must not be empty.", param: "lora_path") }
        guard !path.utf8.contains(0) else { throw .badRequest("`lora_path` contains a NUL byte.", param: "lora_path") }
        guard let root else {
            guard let resolved = Self.realPath(path) else { throw Self.missing(path) }
            return resolved
        }
        guard let resolvedRoot = Self.realPath(root) else {
            throw APIError(status: 500, message: "The configured adapter root does not exist: \(root)")
        }
        let candidate = path.hasPrefix("/") ? path : resolvedRoot + "/" + path
        guard let resolved = Self.realPath(candidate) else {
            // Do not reveal whether paths outside the root exist: judge the lexical path first.
            guard Self.isInside(Self.lexicallyNormalised(candidate), root: resolvedRoot) else { throw Self.outside(path, root: root) }
            throw Self.missing(path)
        }
        guard Self.isInside(resolved, root: resolvedRoot) else { throw Self.outside(path, root: root) }
        return resolved
    }

    static func isInside(_ path: String, root: String) -> Bool {
        if root == "/" { return path.hasPrefix("/") }
        return path == root || path.hasPrefix(root + "/")
    }

    /// `a/./b/../c` → `a/c` without touching the file system (for paths that do not exist).
    package static func lexicallyNormalised(_ path: String) -> String {
        var parts: [Substring] = []
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            switch part {
            case ".": continue
            case "..": if !parts.isEmpty { parts.removeLast() }
            default: parts.append(part)
            }
        }
        return "/" + parts.joined(separator: "/")
    }

    static func realPath(_ path: String) -> String? {
        guard let pointer = realpath(path, nil) else { return nil }
        defer { free(pointer) }
        return String(cString: pointer)
    }

    private static func missing(_ path: String) -> APIError {
        APIError(status: 404, message: "No adapter found at `\(path)`.", param: "lora_path")
    }

    private static func outside(_ path: String, root: String) -> APIError {
        APIError(status: 403, message: "`lora_path` \(path) resolves outside the adapter root \(root).", param: "lora_path")
    }
}
