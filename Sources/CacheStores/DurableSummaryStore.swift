import SummaryCache

/// What the durable stores add to `SummaryStore`: transactional batches, incremental reads of
/// what other writers (other controllers) changed, and the schema version.
public protocol DurableSummaryStore: SummaryStore {
    /// Applies the policy's actions in one transaction: all of them become durable, or none.
    /// (Shadows the protocol extension's non-atomic `apply`; call it on the concrete store or
    /// through this protocol.)
    func apply(_ actions: [CacheAction]) async throws
    /// Entries inserted or changed (stored or touched) after `updatedAfter` by any writer,
    /// oldest change first, and the newest change time seen (pass it, minus a small overlap, to
    /// the next call). Times are the store's clock (`StoreChanges`), not the policy's.
    func loadSince(updatedAfter: Double) async throws -> StoreChanges
    /// The number of the newest schema migration applied to the database.
    func schemaVersion() async throws -> Int
}

/// The result of `DurableSummaryStore.loadSince(updatedAfter:)`.
public struct StoreChanges: Sendable, Equatable {
    /// Changed or new entries, oldest change first.
    public var entries: [CacheEntry]
    /// Documents other writers invalidated (`delete(tenant:documentID:)`), oldest first.
    public var invalidations: [DocumentInvalidation]
    /// The largest change time among `entries` and `invalidations` (store clock, seconds since
    /// 1970), or the `updatedAfter` passed in when nothing changed.
    public var watermark: Double

    public init(entries: [CacheEntry], invalidations: [DocumentInvalidation] = [], watermark: Double) {
        self.entries = entries
        self.invalidations = invalidations
        self.watermark = watermark
    }
}

/// One `delete(tenant:documentID:)` by another writer of a shared store.
public struct DocumentInvalidation: Sendable, Equatable, Hashable {
    /// The store's id of the record (to apply each once across overlapping polls).
    public var id: Int64
    public var tenant: TenantID
    public var documentID: DocumentID
    /// Store clock, seconds since 1970.
    public var at: Double
    /// The store rows it deleted (nil when the writer did not record them: a store written before
    /// schema version 4).
    public var deletedRows: [Int64]?
    /// Those rows under the reading controller's entry ids, for the ones it had loaded or written
    /// (nil with `deletedRows`): exactly the in-memory entries to drop, whatever the clocks say.
    public var deletedEntries: [EntryID]?

    public init(id: Int64, tenant: TenantID, documentID: DocumentID, at: Double, deletedRows: [Int64]? = nil,
                deletedEntries: [EntryID]? = nil) {
        self.id = id
        self.tenant = tenant
        self.documentID = documentID
        self.at = at
        self.deletedRows = deletedRows
        self.deletedEntries = deletedEntries
    }
}
