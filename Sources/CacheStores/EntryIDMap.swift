import SummaryCache

/// Translates between a policy's `EntryID`s and the ids of a shared database.
///
/// Each controller's `SummaryCachePolicy` numbers entries with its own counter, so two
/// controllers sharing one PostgreSQL database would both write "entry 42". The database is
/// therefore authoritative: every row gets a database-assigned id (an identity column), and the
/// store keeps this map from the policy's ids to row ids. Rows the controller did not write
/// (loaded at startup or through `loadSince`) are reported as `EntryID.storeAssigned(row:)`, a
/// namespace the policy's counter never reaches. (Before, a loaded row took its row number when
/// that id was free here; a row loaded while one of the policy's new entries was still unbound
/// could then arrive under that entry's id, the policy renamed it, and an invalidation naming the
/// row missed it.) A put of a bound id naming a *different* entry is treated as a new row and the
/// old binding is dropped, so another controller's row is never overwritten.
package struct EntryIDMap: Sendable {
    private var rowOf: [EntryID: Int64] = [:]
    private var policyOf: [Int64: EntryID] = [:]
    /// What each bound id names: (partition, question). Detects a reused policy id.
    private var identityOf: [EntryID: Identity] = [:]

    package init() {}

    package struct Identity: Hashable, Sendable {
        var partition: PartitionKey
        var queryText: String
        package init(_ e: CacheEntry) { partition = e.partitionKey; queryText = e.queryText }
    }

    package var count: Int { rowOf.count }

    /// The row of a bound policy id.
    package func row(of id: EntryID) -> Int64? { rowOf[id] }

    /// The policy id a row is bound to, if any.
    package func policyID(ofRow row: Int64) -> EntryID? { policyOf[row] }

    /// The row a `.persist(entry)` must overwrite, or nil when it is a new row. Drops the
    /// binding when the policy reused the id for another entry.
    package mutating func rowForPut(_ entry: CacheEntry) -> Int64? {
        guard let row = rowOf[entry.id] else { return nil }
        if identityOf[entry.id] == Identity(entry) { return row }
        unbind(policy: entry.id)
        return nil
    }

    package mutating func bind(_ entry: CacheEntry, row: Int64) {
        if let old = policyOf[row], old != entry.id { unbind(policy: old) }
        if rowOf[entry.id] != nil { unbind(policy: entry.id) }
        rowOf[entry.id] = row
        policyOf[row] = entry.id
        identityOf[entry.id] = Identity(entry)
    }

    /// The policy id under which a loaded row is reported (stable for the row's lifetime): the id
    /// this controller bound it to, else its store-assigned id.
    package mutating func policyID(forRow row: Int64, entry: CacheEntry) throws(CacheStoreError) -> EntryID {
        if let id = policyOf[row], identityOf[id] == Identity(entry) { return id }
        guard let id = EntryID.storeAssigned(row: row) else {
            throw .corruptRow(entryID: row, reason: "row id outside 1..<2^52, the store-assigned entry id range")
        }
        var bound = entry
        bound.id = id
        bind(bound, row: row)
        return id
    }

    package mutating func unbind(policy id: EntryID) {
        if let row = rowOf.removeValue(forKey: id) { policyOf.removeValue(forKey: row) }
        identityOf.removeValue(forKey: id)
    }

    package mutating func unbind(row: Int64) {
        if let id = policyOf[row] { unbind(policy: id) }
    }
}
