import CacheStores
import Foundation
import QAPipeline
import SummaryCache

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
            if let entries = inv.deletedEntries {
                forgotten += await cache.forget(tenant: inv.tenant, documentID: inv.documentID, entries: entries)
            } else {
                forgotten += await cache.forget(tenant: inv.tenant, documentID: inv.documentID, createdBefore: inv.at)
            }
            applied[inv.id] = inv.at
        }
        applied = applied.filter { $0.value >= watermark - 2 * Self.overlapSeconds }
        let outcome = try await cache.merge(changes.entries, now: clock())
        watermark = max(watermark, changes.watermark)
        polls += 1
        added += outcome.added
        return outcome
    }

    /// The longest pause between polls (a day); `--cache-refresh-interval` accepts up to this.
    public static let maximumInterval = 86_400.0

    /// The pause between polls: at least 10 ms (no busy loop), at most `maximumInterval` (no
    /// overflow of the nanosecond count, whatever the caller passed: NaN and negatives count as
    /// the minimum).
    static func sleepNanoseconds(_ interval: Double) -> UInt64 {
        let seconds = interval.isNaN ? 0.01 : min(max(interval, 0.01), maximumInterval)
        return UInt64((seconds * 1e9).rounded())
    }

    /// Runs `body` while polling every `interval` seconds; polling stops when `body` returns.
    public func running<T: Sendable>(every interval: Double, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                while !Task.isCancelled {
                    try? await Task.sleep(nanoseconds: Self.sleepNanoseconds(interval))
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
