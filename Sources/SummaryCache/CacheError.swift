/// Errors of the SummaryCache module, each with the context needed to act on it.
public enum CacheError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A vector's length differs from what the index or fingerprint expects.
    case dimensionMismatch(expected: Int, actual: Int)
    /// A vector contains NaN/infinity or is all zeros (cannot be normalised).
    case invalidVector(reason: String)
    /// A configuration value is out of range.
    case invalidConfig(parameter: String, value: String, allowed: String)
    /// An id was added twice to an index.
    case duplicateID(EntryID)
    /// A restored entry is inconsistent (e.g. its vector does not match its fingerprint).
    case invalidEntry(id: EntryID, reason: String)
    /// Calibration needs at least one labelled pair.
    case noCalibrationData

    public var description: String {
        switch self {
        case let .dimensionMismatch(e, a): "vector has \(a) dimensions, expected \(e)"
        case let .invalidVector(r): "invalid vector: \(r)"
        case let .invalidConfig(p, v, a): "\(p) = \(v) is out of range (allowed: \(a))"
        case let .duplicateID(id): "\(id) is already in the index"
        case let .invalidEntry(id, r): "invalid cache entry \(id): \(r)"
        case .noCalibrationData: "calibration needs at least one labelled pair"
        }
    }
}
