/// What the runtime must do to a `SummaryStore` after a policy decision (the policy decides, the
/// runtime executes).
public enum CacheAction: Sendable, Equatable {
    /// Write a new entry.
    case persist(CacheEntry)
    /// Record a hit (eviction bookkeeping only; expiry is unaffected). Stores may batch or skip it.
    case touch(EntryID, lastUsedAt: Double, hits: Int)
    /// Delete an entry.
    case delete(EntryID, reason: RemovalReason)
}

/// Why an entry left the cache.
public enum RemovalReason: String, Sendable, Codable, Equatable, CaseIterable {
    /// Its absolute TTL passed.
    case expired
    /// Evicted to respect the entry or byte limit.
    case evicted
    /// Its document changed (or was explicitly invalidated).
    case invalidated
    /// A new summary for the same question in the same partition replaced it.
    case replaced
}
