extension SummaryCachePolicy {
    /// What `merge` did with the entries it was given.
    public struct MergeOutcome: Sendable, Equatable {
        /// Entries new to this policy, now served.
        public var added = 0
        /// Entries it already had (same id, partition and question): hit counters and last use
        /// moved forward.
        public var updated = 0
        /// Entries not taken: expired, malformed, or an older summary for a question this policy
        /// already has a newer one for.
        public var skipped = 0
        /// Store actions: evictions when the merged entries pushed the cache over its limits.
        public var actions: [CacheAction] = []
    }

    /// Takes in entries another writer (another controller sharing the database) stored or
    /// touched since the last call, as a shared store reports them (`loadSince`): they become
    /// servable at once, without a restart.
    ///
    /// - Same id, same partition and question: the entry is already here; `hits` and
    ///   `lastUsedAt` take the larger value (eviction only; the TTL stays absolute).
    /// - Same partition and question under another id (two writers cached the same question):
    ///   the newer summary (by `createdAt`) is kept; the replaced one is dropped here without a
    ///   store action (the database holds both rows until their TTL).
    /// - An id this policy uses for a *different* entry: cannot come from the stores of this
    ///   package (they name loaded rows in `EntryID`'s store-assigned namespace, which the policy's
    ///   counter never reaches). Should another store send one, the incoming entry gets a fresh id;
    ///   that store does not know it, so hits on it are not written back and an invalidation naming
    ///   its row misses it until its TTL.
    /// - Expired or malformed entries are skipped.
    /// Local ids continue above every merged id of the policy's own namespace. Limits are enforced
    /// afterwards.
    public mutating func merge(_ incoming: [CacheEntry], now: Double) -> MergeOutcome {
        var outcome = MergeOutcome()
        for var e in incoming {
            guard e.queryVector.count == e.fingerprint.dimensions, now < expiresAt(e),
                  let unit = try? VectorMath.normalized(e.queryVector) else {
                outcome.skipped += 1
                continue
            }
            e.queryVector = unit
            if let mine = entries[e.id] {
                if mine.partitionKey == e.partitionKey, mine.queryText == e.queryText {
                    var updated = mine
                    updated.hits = max(mine.hits, e.hits)
                    updated.lastUsedAt = max(mine.lastUsedAt, e.lastUsedAt)
                    entries[mine.id] = updated
                    eviction.update(updated)
                    outcome.updated += 1
                    continue
                }
                e.id = EntryID(nextID)
            }
            if let sameQuestion = partitions[e.partitionKey]?.byQuery[e.queryText], let mine = entries[sameQuestion] {
                guard e.createdAt > mine.createdAt else {
                    outcome.skipped += 1
                    continue
                }
                _ = removeEntry(sameQuestion, reason: .replaced)
            }
            if !e.id.isStoreAssigned { nextID = max(nextID, e.id.rawValue &+ 1) }
            do {
                try insert(e)
                outcome.added += 1
            } catch {
                outcome.skipped += 1
            }
        }
        outcome.actions = enforceLimits()
        return outcome
    }
}
