/// Errors of the durable summary stores, each with the context needed to act on it.
public enum CacheStoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A stored vector blob cannot be a Float32 vector of the entry's fingerprint dimensions.
    case corruptVector(entryID: Int64, bytes: Int, expectedDimensions: Int)
    /// A stored row has a value that cannot be a cache entry (negative counter, bad dimensions...).
    case corruptRow(entryID: Int64, reason: String)
    /// The database has a schema newer than this build knows (opened by a newer LoRAServe).
    case schemaTooNew(found: Int, known: Int)
    /// A connection URL or environment setting is malformed.
    case invalidConfiguration(String)
    /// A value does not fit the database column type (e.g. a token cost beyond Int64).
    case valueOutOfRange(field: String, value: String)

    public var description: String {
        switch self {
        case let .corruptVector(id, bytes, dims):
            "entry \(id): vector blob has \(bytes) bytes, expected \(dims) little-endian Float32 (\(dims * 4) bytes)"
        case let .corruptRow(id, reason): "entry \(id): \(reason)"
        case let .schemaTooNew(found, known):
            "database schema version \(found) is newer than this build knows (\(known)); upgrade LoRAServe"
        case let .invalidConfiguration(why): "invalid store configuration: \(why)"
        case let .valueOutOfRange(field, value): "\(field) = \(value) does not fit the database column"
        }
    }
}
