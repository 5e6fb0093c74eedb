extension SummaryCachePolicy {
    /// Caches `summary` (written for `query` about `document`) and enforces the limits.
    ///
    /// With `dropOtherVersionsOnStore`, entries of the same tenant's document with another version
    /// are invalidated first. An entry for the identical question text in the same partition is
    /// replaced. Returns the new entry (nil if it was evicted at once: larger than `maxBytes`).
    public mutating func store(tenant: TenantID, document: DocumentKey, fingerprint: EmbedderFingerprint,
                               query: String, vector: [Float], summary: String, summaryTokenCost: Int,
                               now: Double) throws(CacheError) -> StoreOutcome {
        guard vector.count == fingerprint.dimensions else {
            throw .dimensionMismatch(expected: fingerprint.dimensions, actual: vector.count)
        }
        let normalized = try VectorMath.normalized(vector)
        var actions = purgeExpired(now: now)
        if config.dropOtherVersionsOnStore {
            actions += invalidate(tenant: tenant, documentID: document.documentID, keepingVersion: document.version)
        }
        let key = PartitionKey(tenant: tenant, document: document, fingerprint: fingerprint)
        if let old = partitions[key]?.byQuery[query], let a = removeEntry(old, reason: .replaced) {
            actions.append(a)
        }
        let entry = CacheEntry(id: EntryID(nextID), tenant: tenant, document: document, fingerprint: fingerprint,
                               queryText: query, queryVector: normalized, summaryText: summary,
                               summaryTokenCost: max(0, summaryTokenCost), createdAt: now)
        nextID += 1
        try insert(entry)
        stats.stores += 1
        actions.append(.persist(entry))
        let evicted = enforceLimits()
        actions += evicted
        let survived = entries[entry.id] != nil
        if !survived {
            // Persisting and deleting the same entry in one batch is pointless: drop both.
            actions.removeAll { a in
                switch a {
                case let .persist(e): e.id == entry.id
                case let .delete(id, _): id == entry.id
                case .touch: false
                }
            }
        }
        return StoreOutcome(stored: survived ? entry : nil, actions: actions)
    }

    /// Removes the entries of a tenant's document: all versions (`keepingVersion == nil`), or all
    /// whose version differs from `keepingVersion` (the content changed).
    public mutating func invalidate(tenant: TenantID, documentID: DocumentID, keepingVersion: String? = nil) -> [CacheAction] {
        let ref = DocumentRef(tenant: tenant, documentID: documentID)
        var actions: [CacheAction] = []
        for key in (partitionsByDocument[ref] ?? []).sorted(by: { $0.description < $1.description })
        where key.document.version != keepingVersion {
            for id in (partitions[key]?.ids ?? []).sorted() {
                if let a = removeEntry(id, reason: .invalidated) { actions.append(a) }
            }
        }
        return actions
    }

    /// Removes every entry matching `predicate` (e.g. one tenant, or an embedder being retired).
    public mutating func invalidate(where predicate: (CacheEntry) -> Bool) -> [CacheAction] {
        let ids = entries.values.filter(predicate).map(\.id).sorted()
        return ids.compactMap { removeEntry($0, reason: .invalidated) }
    }

    /// Evicts lowest-priority entries (GreedyDual-Size-Frequency) until both limits hold.
    mutating func enforceLimits() -> [CacheAction] {
        var actions: [CacheAction] = []
        while entries.count > config.maxEntries || totalBytes > config.maxBytes {
            guard let victim = eviction.popVictim() else { break }
            if let a = removeEntry(victim, reason: .evicted) { actions.append(a) }
        }
        return actions
    }
}
