import Foundation
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

/// Polls a shared store for entries other controllers stored or touched and merges them into the
/// local cache (`LocalSummaryCache.merge`).
public actor SharedCacheRefresher {
    /// Seconds between polls by default (one indexed query each).
    public static let defaultInterval = 2.0
    /// Each poll re-reads this many seconds before the last change seen: a transaction that
    /// stamped its rows before the watermark but committed after it is still seen (re-seen rows
    /// keep their ids and merge as updates).
    public static let overlapSeconds = 5.0
    public static let wallClock: @Sendable () -> Double = { Date().timeIntervalSince1970 }

    let cache: LocalSummaryCache
    let store: any DurableSummaryStore
    let clock: @Sendable () -> Double
    public private(set) var watermark: Double
    /// Polls done, entries added by them, entries dropped by others' invalidations, and polls that
    /// failed (the next one retries).
    public private(set) var polls = 0, added = 0, forgotten = 0, failures = 0
    /// Invalidations already applied (overlapping polls see them again), by store id → time.
    private var applied: [Int64: Double] = [:]

    public init(cache: LocalSummaryCache, store: any DurableSummaryStore, watermark: Double,
                alreadyApplied: [DocumentInvalidation] = [],
                clock: @escaping @Sendable () -> Double = SharedCacheRefresher.wallClock) {
        self.cache = cache
        self.store = store
        self.watermark = watermark
        self.clock = clock
        for inv in alreadyApplied { applied[inv.id] = inv.at }
    }

    /// One poll: reads the changes since the watermark (minus the overlap) and merges them.
    @discardableResult
    public func refresh() async throws -> SummaryCachePolicy.MergeOutcome {
        let changes = try await store.loadSince(updatedAfter: watermark - Self.overlapSeconds)
        for inv in changes.invalidations where applied[inv.id] == nil {
            forgotten += await cache.forget(tenant: inv.tenant, documentID: inv.documentID, createdBefore: inv.at)
            applied[inv.id] = inv.at
        }
        applied = applied.filter { $0.value >= watermark - 2 * Self.overlapSeconds }
        let outcome = try await cache.merge(changes.entries, now: clock())
        watermark = max(watermark, changes.watermark)
        polls += 1
        added += outcome.added
        return outcome
    }

    /// Runs `body` while polling every `interval` seconds; polling stops when `body` returns.
    public func running<T: Sendable>(every interval: Double, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                while !Task.isCancelled {
                    try? await Task.sleep(nanoseconds: UInt64(interval * 1e9))
                    if Task.isCancelled { break }
                    do { try await self.refresh() } catch { await self.countFailure() }
                }
                return nil
            }
            group.addTask { try await body() }
            while let next = try await group.next() {
                if let result = next {
                    group.cancelAll()
                    return result
                }
            }
            throw CancellationError()
        }
    }

    private func countFailure() { failures += 1 }
}
