import CacheStores
import SummaryCache
import Testing

@Suite("EntryIDMap")
struct EntryIDMapTests {
    @Test func loadedRowsAreNamedInTheStoreNamespace() throws {
        var map = EntryIDMap()
        let id = try map.policyID(forRow: 17, entry: StoreFixtures.entry(1))
        #expect(id == EntryID.storeAssigned(row: 17))
        #expect(id.isStoreAssigned)
        #expect(id.rawValue < 1 << 53)  // exact as a JSON number
        #expect(map.row(of: id) == 17)
        // Stable on a second load.
        #expect(try map.policyID(forRow: 17, entry: StoreFixtures.entry(1)) == id)
    }

    @Test func aRowThisControllerWroteKeepsItsPolicyId() throws {
        var map = EntryIDMap()
        map.bind(StoreFixtures.entry(5), row: 100)      // the policy's entry 5 is row 100
        #expect(try map.policyID(forRow: 100, entry: StoreFixtures.entry(5)) == EntryID(5))
        // Row 5 (another controller's) is not confused with the policy's entry 5.
        let other = try map.policyID(forRow: 5, entry: StoreFixtures.entry(9, query: "another controller's"))
        #expect(other != EntryID(5))
        #expect(map.row(of: EntryID(5)) == 100)
        #expect(map.row(of: other) == 5)
    }

    @Test func rowIdsOutsideTheNamespaceAreAnError() {
        var map = EntryIDMap()
        #expect(throws: CacheStoreError.self) { try map.policyID(forRow: 0, entry: StoreFixtures.entry(1)) }
        #expect(throws: CacheStoreError.self) { try map.policyID(forRow: 1 << 52, entry: StoreFixtures.entry(1)) }
        #expect(map.count == 0)
    }

    /// The race that used to lose invalidations: the policy numbers a new entry, and before the
    /// store binds it a load reports another controller's row with the same number. The loaded
    /// entry used to arrive under the new entry's id, `merge` renamed it, and an invalidation that
    /// deleted the row then named the wrong entry (and missed the right one until its TTL).
    @Test func aRowLoadedBeforeANewEntryIsBoundNeverTakesItsId() throws {
        var policy = try SummaryCachePolicy()
        var map = EntryIDMap()
        let template = StoreFixtures.entry(1)
        let own = try #require(try policy.store(tenant: template.tenant, document: template.document, fingerprint: template.fingerprint,
                                                query: "this controller's question", vector: template.queryVector,
                                                summary: "s", summaryTokenCost: 10, now: 1000).stored)
        #expect(own.id == EntryID(1))
        var foreign = StoreFixtures.entry(1, query: "another controller's question")
        foreign.id = try map.policyID(forRow: 1, entry: foreign)
        #expect(foreign.id != own.id)
        let merged = policy.merge([foreign], now: 1000)
        #expect(merged.added == 1)
        #expect(policy.entry(foreign.id)?.queryText == "another controller's question")  // not renamed
        #expect(policy.entry(own.id)?.queryText == "this controller's question")
        map.bind(own, row: 2)                           // the put of the new entry lands
        // An invalidation that deleted row 1 names exactly the loaded entry.
        #expect(map.policyID(ofRow: 1) == foreign.id)
        #expect(map.policyID(ofRow: 2) == own.id)
        // New local entries stay below the store namespace after the merge.
        let next = try #require(try policy.store(tenant: template.tenant, document: template.document, fingerprint: template.fingerprint,
                                                 query: "a third question", vector: template.queryVector,
                                                 summary: "s", summaryTokenCost: 10, now: 1000).stored)
        #expect(next.id == EntryID(2))
    }

    @Test func reusedPolicyIdForAnotherEntryIsANewRow() {
        var map = EntryIDMap()
        map.bind(StoreFixtures.entry(3, query: "first question"), row: 7)
        // Should a policy ever reuse id 3 for a different entry, it must INSERT, not overwrite row 7.
        let reused = StoreFixtures.entry(3, query: "a different question")
        #expect(map.rowForPut(reused) == nil)
        #expect(map.row(of: EntryID(3)) == nil)
        #expect(map.policyID(ofRow: 7) == nil)
    }

    @Test func samePutOverwritesItsRow() {
        var map = EntryIDMap()
        let e = StoreFixtures.entry(2)
        map.bind(e, row: 8)
        var touched = e
        touched.hits = 10
        #expect(map.rowForPut(touched) == 8)
        map.unbind(row: 8)
        #expect(map.row(of: EntryID(2)) == nil)
        #expect(map.count == 0)
    }
}
