import SummaryCache

/// Translates between a policy's `EntryID`s and the ids of a shared database.
///
/// Each controller's `SummaryCachePolicy` numbers entries with its own counter, so two
/// controllers sharing one PostgreSQL database would both write "entry 42". The database is
/// therefore authoritative: every row gets a database-assigned id (an identity column), and the
/// store keeps this map from the policy's ids to row ids. Rows the controller did not write
/// (loaded at startup or through `loadSince`) are reported under their row id when that id is
/// still free in the policy's namespace, else under a fresh id above every id seen, so ids stay
/// unique on the policy side too. If the policy later reuses an id for a *different* entry
/// (its counter reached an id the store had given to a row the policy never restored), the put
/// is treated as a new row and the old binding is dropped, so another controller's row is never
/// overwritten.
package struct EntryIDMap: Sendable {
    private var rowOf: [EntryID: Int64] = [:]
    private var policyOf: [Int64: EntryID] = [:]
    /// What each bound id names: (partition, question). Detects a reused policy id.
    private var identityOf: [EntryID: Identity] = [:]
    private var largestPolicyID: UInt64 = 0

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
        largestPolicyID = max(largestPolicyID, entry.id.rawValue)
    }

    /// The policy id under which a loaded row is reported (stable for the row's lifetime).
    package mutating func policyID(forRow row: Int64, entry: CacheEntry) -> EntryID {
        if let id = policyOf[row], identityOf[id] == Identity(entry) { return id }
        var candidate = EntryID(UInt64(bitPattern: row))
        if row <= 0 || rowOf[candidate] != nil {
            candidate = EntryID(largestPolicyID &+ 1)
        }
        var bound = entry
        bound.id = candidate
        bind(bound, row: row)
        return candidate
    }

    package mutating func unbind(policy id: EntryID) {
        if let row = rowOf.removeValue(forKey: id) { policyOf.removeValue(forKey: row) }
        identityOf.removeValue(forKey: id)
    }

    package mutating func unbind(row: Int64) {
        if let id = policyOf[row] { unbind(policy: id) }
    }
}
