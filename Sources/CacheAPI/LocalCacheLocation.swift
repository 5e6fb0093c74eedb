import CacheStores
import QAPipeline
import SummaryCache

/// Where the API's local cache keeps its entries.
public enum LocalCacheLocation: Sendable, Equatable, CustomStringConvertible {
    /// Nothing survives a restart (tests, demos).
    case memory
    /// The embedded default: one SQLite file (WAL, fsync per commit).
    case sqlite(path: String)
    /// A PostgreSQL database several controllers can share (`postgres://user:pw@host/db`).
    case postgres(url: String)

    public var description: String {
        switch self {
        case .memory: "in memory"
        case let .sqlite(path): "SQLite \(path)"
        case let .postgres(url): "PostgreSQL \(PostgresConnectionSettings.redacted(url))"
        }
    }

    /// Opens the store, restores the cache from it, and runs `body` with the cache; a PostgreSQL
    /// connection pool lives exactly as long as `body`.
    ///
    /// PostgreSQL is shared by several controllers: every `refreshInterval` seconds (nil or ≤ 0:
    /// never) the cache takes in what the others stored or touched since the last poll
    /// (`SharedCacheRefresher`), so their summaries are served without a restart.
    public func withLocalCache<T: Sendable>(config: CacheConfig, now: Double, verifier: ReuseVerifier? = nil,
                                            refreshInterval: Double? = SharedCacheRefresher.defaultInterval,
                                            clock: @escaping @Sendable () -> Double = SharedCacheRefresher.wallClock,
                                            _ body: @escaping @Sendable (LocalSummaryCache) async throws -> T) async throws -> T {
        switch self {
        case .memory:
            return try await body(LocalSummaryCache(config: config, verifier: verifier))
        case let .sqlite(path):
            let cache = try LocalSummaryCache(config: config, store: SQLiteSummaryStore(path: path), verifier: verifier)
            try await cache.restore(now: now)
            return try await body(cache)
        case let .postgres(url):
            let configuration = try PostgresConnectionSettings.configuration(url: url)
            return try await PostgresSummaryStore.withClient(configuration) { client in
                let store = try await PostgresSummaryStore(client: client)
                let cache = try LocalSummaryCache(config: config, store: store, verifier: verifier)
                // Read everything with its change time, so polling starts where the restore ended.
                let initial = try await store.loadSince(updatedAfter: 0)
                try await cache.restore(initial.entries, now: now)
                guard let interval = refreshInterval, interval > 0 else { return try await body(cache) }
                // Invalidations seen by the restore committed before its rows were read: already applied.
                let refresher = SharedCacheRefresher(cache: cache, store: store, watermark: initial.watermark,
                                                     alreadyApplied: initial.invalidations, clock: clock)
                return try await refresher.running(every: interval) { try await body(cache) }
            }
        }
    }
}
