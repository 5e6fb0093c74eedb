/// Counters of one policy instance since it was created (or restored).
public struct CacheStats: Sendable, Codable, Equatable {
    public var lookups = 0
    public var hits = 0
    public var missesNoCandidates = 0
    public var missesBelowThreshold = 0
    public var missesVetoed = 0
    public var missesExpired = 0
    /// Vetoes per guard kind (a vetoed candidate counts once per guard that fired).
    public var vetoesByGuard: [String: Int] = [:]
    public var stores = 0
    /// Summary tokens not spent thanks to hits.
    public var tokensSaved = 0
    public var removals: [String: Int] = [:]

    public init() {}

    public var misses: Int { missesNoCandidates + missesBelowThreshold + missesVetoed + missesExpired }
    public var hitRate: Double { lookups == 0 ? 0 : Double(hits) / Double(lookups) }

    mutating func countRemoval(_ reason: RemovalReason) {
        removals[reason.rawValue, default: 0] += 1
    }
}
