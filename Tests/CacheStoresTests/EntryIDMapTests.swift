import CacheStores
import SummaryCache
import Testing

@Suite("EntryIDMap")
struct EntryIDMapTests {
    @Test func loadedRowsKeepTheirIdWhenFree() {
        var map = EntryIDMap()
        let id = map.policyID(forRow: 17, entry: StoreFixtures.entry(1))
        #expect(id == EntryID(17))
        #expect(map.row(of: EntryID(17)) == 17)
        // Stable on a second load.
        #expect(map.policyID(forRow: 17, entry: StoreFixtures.entry(1)) == EntryID(17))
    }

    @Test func loadedRowGetsFreshIdWhenItsNumberIsTaken() {
        var map = EntryIDMap()
        map.bind(StoreFixtures.entry(5), row: 100)      // the policy's entry 5 is row 100
        let id = map.policyID(forRow: 5, entry: StoreFixtures.entry(9, query: "another controller's"))
        #expect(id != EntryID(5))
        #expect(map.row(of: EntryID(5)) == 100)
        #expect(map.row(of: id) == 5)
    }

    @Test func reusedPolicyIdForAnotherEntryIsANewRow() {
        var map = EntryIDMap()
        let foreign = StoreFixtures.entry(1, query: "foreign question")
        let given = map.policyID(forRow: 3, entry: foreign)  // reported as entry 3
        #expect(given == EntryID(3))
        // The policy never restored it and its counter reaches 3 for its own entry.
        let own = StoreFixtures.entry(3, query: "own question")
        #expect(map.rowForPut(own) == nil)            // must INSERT, not overwrite row 3
        map.bind(own, row: 44)
        #expect(map.row(of: EntryID(3)) == 44)
        // Row 3 is reported under a fresh id next time.
        let again = map.policyID(forRow: 3, entry: foreign)
        #expect(again != EntryID(3))
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
