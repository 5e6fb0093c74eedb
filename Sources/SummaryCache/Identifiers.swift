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
public struct EntryID: Hashable, Sendable, Codable, CustomStringConvertible, Comparable {
    public let rawValue: UInt64
    public init(_ rawValue: UInt64) { self.rawValue = rawValue }
    public var description: String { "entry-\(rawValue)" }
    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
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
