/// Names a tenant (an API key's owner). Every cache entry belongs to exactly one tenant and a
/// lookup never sees another tenant's entries.
public struct TenantID: Hashable, Sendable, Codable, CustomStringConvertible, Comparable {
    public let rawValue: String
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }
    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
}

/// Names a document independently of its content (a URL, a corpus id, a file path).
public struct DocumentID: Hashable, Sendable, Codable, CustomStringConvertible, Comparable {
    public let rawValue: String
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }
    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
}

/// One version of one document: the id plus a hash (or version tag) of the exact content that was
/// summarised. A summary is only valid for the content it was made from.
public struct DocumentKey: Hashable, Sendable, Codable, CustomStringConvertible {
    public var documentID: DocumentID
    /// A content hash (e.g. hex SHA-256 of the text) or any caller-defined version tag.
    public var version: String

    public init(documentID: DocumentID, version: String) {
        self.documentID = documentID
        self.version = version
    }

    public var description: String { "\(documentID)@\(version)" }
}

/// Identifies one cache entry for its whole life (policy, index and store agree on it).
///
/// Two namespaces that never meet: the policy numbers the entries it creates from 1 upwards,
/// below `storeAssignedBase`; a shared store names the rows it loads for the policy (rows other
/// controllers wrote, or any row after a restart) `storeAssignedBase + row`. So a row loaded while
/// one of the policy's own new entries is still unbound can never arrive under that entry's id.
/// Both stay below 2^53, exact as JSON numbers.
public struct EntryID: Hashable, Sendable, Codable, CustomStringConvertible, Comparable {
    public let rawValue: UInt64
    public init(_ rawValue: UInt64) { self.rawValue = rawValue }
    public var description: String { "entry-\(rawValue)" }
    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }

    /// The first store-assigned id (2^52).
    public static let storeAssignedBase: UInt64 = 1 << 52

    /// The id a store gives its row `row` (1 ≤ row < 2^52), or nil when the row id does not fit.
    public static func storeAssigned(row: Int64) -> EntryID? {
        guard row > 0, UInt64(row) < storeAssignedBase else { return nil }
        return EntryID(storeAssignedBase + UInt64(row))
    }

    /// Whether a store named this entry (the policy's counter never issues such ids).
    public var isStoreAssigned: Bool { rawValue >= Self.storeAssignedBase }
}

/// The isolation key of the cache: a lookup only ever searches the one partition whose key equals
/// its own (tenant, document id, document version, embedder fingerprint). Entries of other tenants,
/// other versions or other embedders live in other partitions, so they cannot be returned.
public struct PartitionKey: Hashable, Sendable, Codable, CustomStringConvertible {
    public var tenant: TenantID
    public var document: DocumentKey
    public var fingerprint: EmbedderFingerprint

    public init(tenant: TenantID, document: DocumentKey, fingerprint: EmbedderFingerprint) {
        self.tenant = tenant
        self.document = document
        self.fingerprint = fingerprint
    }

    public var description: String { "\(tenant)/\(document)/\(fingerprint)" }
}
