/// Durable storage of cache entries. The policy stays in memory and is rebuilt from `loadAll()` at
/// startup; every policy decision's `[CacheAction]` is applied to the store. Implementations:
/// `InMemorySummaryStore` (tests), SQLite and PostgreSQL (CacheStores target).
public protocol SummaryStore: Sendable {
    func loadAll() async throws -> [CacheEntry]
    func put(_ entry: CacheEntry) async throws
    /// Records a hit (times and counters only). May be a no-op for stores that do not track it.
    func touch(_ id: EntryID, lastUsedAt: Double, hits: Int) async throws
    func delete(_ ids: [EntryID]) async throws
    /// Deletes every version of a tenant's document; returns how many entries were removed.
    @discardableResult
    func delete(tenant: TenantID, documentID: DocumentID) async throws -> Int
    func count() async throws -> Int
}

extension SummaryStore {
    /// Applies policy actions in order (consecutive deletes are batched).
    public func apply(_ actions: [CacheAction]) async throws {
        var pendingDeletes: [EntryID] = []
        for action in actions {
            switch action {
            case let .delete(id, _):
                pendingDeletes.append(id)
            case let .persist(entry):
                if !pendingDeletes.isEmpty { try await delete(pendingDeletes); pendingDeletes = [] }
                try await put(entry)
            case let .touch(id, lastUsedAt, hits):
                if !pendingDeletes.isEmpty { try await delete(pendingDeletes); pendingDeletes = [] }
                try await touch(id, lastUsedAt: lastUsedAt, hits: hits)
            }
        }
        if !pendingDeletes.isEmpty { try await delete(pendingDeletes) }
    }
}

/// A `SummaryStore` in a dictionary, for tests and the simulator.
public actor InMemorySummaryStore: SummaryStore {
    private var entries: [EntryID: CacheEntry] = [:]

    public init(entries: [CacheEntry] = []) {
        for e in entries { self.entries[e.id] = e }
    }

    public func loadAll() -> [CacheEntry] { entries.values.sorted { $0.id < $1.id } }

    public func put(_ entry: CacheEntry) { entries[entry.id] = entry }

    public func touch(_ id: EntryID, lastUsedAt: Double, hits: Int) {
        entries[id]?.lastUsedAt = lastUsedAt
        entries[id]?.hits = hits
    }

    public func delete(_ ids: [EntryID]) {
        for id in ids { entries.removeValue(forKey: id) }
    }

    @discardableResult
    public func delete(tenant: TenantID, documentID: DocumentID) -> Int {
        let ids = entries.values.filter { $0.tenant == tenant && $0.document.documentID == documentID }.map(\.id)
        for id in ids { entries.removeValue(forKey: id) }
        return ids.count
    }

    public func count() -> Int { entries.count }
}
