import CacheStores
import Foundation
import PostgresNIO
import SummaryCache
import Testing

/// The PostgreSQL store against a real server, when `LORASERVE_TEST_POSTGRES_URL` (or `PGHOST`...)
/// is set; `Scripts/ci-postgres.sh` starts one and prints the export line. Serialised: each test
/// drops and recreates the tables.
@Suite("PostgresSummaryStore", .serialized,
       .enabled(if: PostgresTestServer.configuration != nil,
                "no PostgreSQL: set LORASERVE_TEST_POSTGRES_URL (eval \"$(Scripts/ci-postgres.sh)\")"))
struct PostgresSummaryStoreTests {
    @Test func roundTrip() async throws { try await PostgresTestServer.withStores(1) { try await StoreBehaviour.roundTrip($0[0]) } }
    @Test func touchAndDelete() async throws { try await PostgresTestServer.withStores(1) { try await StoreBehaviour.touchAndDelete($0[0]) } }
    @Test func atomicBatch() async throws { try await PostgresTestServer.withStores(1) { try await StoreBehaviour.atomicBatch($0[0]) } }
    @Test func changesSince() async throws { try await PostgresTestServer.withStores(1) { try await StoreBehaviour.changesSince($0[0]) } }
    @Test func policyRestore() async throws { try await PostgresTestServer.withStores(1) { try await StoreBehaviour.policyRestore($0[0]) } }

    @Test func migrationsAreVersionedAndIdempotent() async throws {
        try await PostgresTestServer.withStores(2) { stores in
            #expect(try await stores[0].schemaVersion() == 4)
            try await PostgresSummaryStore.migrate(client: stores[0].client)
            #expect(try await stores[1].schemaVersion() == 4)
            let rows = try await stores[0].client.query("SELECT version, name FROM loraserve_schema_migrations ORDER BY version")
            var applied: [String] = []
            for try await (v, name) in rows.decode((Int, String).self) { applied.append("\(v):\(name)") }
            #expect(applied == ["1:create_summary_entries", "2:document_and_change_indexes", "3:document_invalidations",
                               "4:invalidation_deleted_rows"])
        }
    }

    @Test func refusesNewerSchema() async throws {
        try await PostgresTestServer.withStores(1) { stores in
            try await stores[0].client.query("INSERT INTO loraserve_schema_migrations (version, name) VALUES (5, 'future')")
            await #expect(throws: CacheStoreError.schemaTooNew(found: 5, known: 4)) {
                try await PostgresSummaryStore.migrate(client: stores[0].client)
            }
        }
    }

    /// A document invalidation is recorded for the other controllers, not echoed to its writer.
    @Test func invalidationsReachTheOtherControllers() async throws {
        try await PostgresTestServer.withStores(2) { stores in
            let a = stores[0], b = stores[1]
            try await a.apply([.persist(StoreFixtures.entry(1, query: "A asks?"))])
            let before = try await b.loadSince(updatedAfter: 0)
            #expect(before.entries.count == 1 && before.invalidations.isEmpty)
            let doc = before.entries[0]
            #expect(try await a.delete(tenant: doc.tenant, documentID: doc.document.documentID) == 1)
            let seenByB = try await b.loadSince(updatedAfter: before.watermark)
            #expect(seenByB.entries.isEmpty)
            #expect(seenByB.invalidations.map(\.documentID) == [doc.document.documentID])
            #expect(seenByB.invalidations.map(\.tenant) == [doc.tenant])
            #expect(seenByB.watermark >= (seenByB.invalidations.first?.at ?? .infinity))
            #expect(try await a.loadSince(updatedAfter: 0).invalidations.isEmpty, "its own invalidation is not echoed")
            // The record names the deleted row, which B knows under the id it loaded it with.
            let inv = try #require(seenByB.invalidations.first)
            #expect(inv.deletedRows?.count == 1 && inv.deletedEntries == [doc.id])
            // Seen again (overlapping polls): the row is unbound now, so nothing maps twice.
            #expect(try await b.loadSince(updatedAfter: 0).invalidations.first?.deletedEntries == [])
        }
    }

    /// A row B never loaded is not in its memory: the invalidation maps to no entry of B's. A
    /// record written before schema version 4 (no rows) leaves B to compare clocks.
    @Test func invalidatedRowsMapOnlyToWhatTheReaderKnows() async throws {
        try await PostgresTestServer.withStores(2) { stores in
            let a = stores[0], b = stores[1]
            try await a.apply([.persist(StoreFixtures.entry(1, query: "A asks?"))])
            let e = StoreFixtures.entry(1, query: "A asks?")
            #expect(try await a.delete(tenant: e.tenant, documentID: e.document.documentID) == 1)
            let seen = try await b.loadSince(updatedAfter: 0).invalidations
            #expect(seen.count == 1 && seen.first?.deletedRows?.count == 1 && seen.first?.deletedEntries == [])
            try await a.client.query("""
                INSERT INTO loraserve_document_invalidations (tenant, document_id, writer, invalidated_at)
                VALUES ('old', 'doc', 'an-older-controller', extract(epoch from clock_timestamp())::double precision)
                """)
            let old = try #require(try await b.loadSince(updatedAfter: 0).invalidations.first { $0.tenant == TenantID("old") })
            #expect(old.deletedRows == nil && old.deletedEntries == nil)
        }
    }

    /// Two controllers with identical policy ids: no collision, each sees the other's rows.
    @Test func twoControllersShareWithoutCollisions() async throws {
        try await PostgresTestServer.withStores(2) { stores in
            let a = stores[0], b = stores[1]
            // Both policies number their entries 1...3.
            let fromA = (1...3).map { StoreFixtures.entry($0, query: "A asks \($0)?") }
            let fromB = (1...3).map { StoreFixtures.entry($0, query: "B asks \($0)?") }
            try await a.apply(fromA.map { .persist($0) })
            try await b.apply(fromB.map { .persist($0) })
            #expect(try await a.count() == 6)

            // Each sees all six; ids are unique within each controller's view.
            let seenByA = try await a.loadAll()
            let seenByB = try await b.loadAll()
            #expect(Set(seenByA.map(\.queryText)) == Set((fromA + fromB).map(\.queryText)))
            #expect(Set(seenByB.map(\.queryText)) == Set((fromA + fromB).map(\.queryText)))
            #expect(Set(seenByA.map(\.id)).count == 6 && Set(seenByB.map(\.id)).count == 6)
            // A's own entries keep A's ids in A's view.
            for e in fromA { #expect(seenByA.first { $0.queryText == e.queryText }?.id == e.id) }

            // Policy id 2 means different rows to A and B: touching/deleting via A never hits B's.
            try await a.touch(EntryID(2), lastUsedAt: 12345, hits: 8)
            try await a.delete([EntryID(3)])
            let after = try await b.loadAll()
            #expect(after.first { $0.queryText == "B asks 2?" }?.hits == fromB[1].hits)
            #expect(after.first { $0.queryText == "A asks 2?" }?.hits == 8)
            #expect(after.contains { $0.queryText == "B asks 3?" })
            #expect(!after.contains { $0.queryText == "A asks 3?" })

            // Polling: B sees A's later write, re-seen rows keep their ids.
            let mark = try await b.loadSince(updatedAfter: 0).watermark
            try await a.put(StoreFixtures.entry(4, query: "A asks 4?"))
            let changes = try await b.loadSince(updatedAfter: mark)
            #expect(changes.entries.map(\.queryText) == ["A asks 4?"])
            let again = try await b.loadAll()
            for e in after { #expect(again.first { $0.queryText == e.queryText }?.id == e.id) }

            // Invalidation is global: A deletes the document, B's rows of it go too.
            let removed = try await a.delete(tenant: TenantID("acme"), documentID: DocumentID("doc-1"))
            #expect(removed == 6)
            #expect(try await b.count() == 0)
        }
    }

    /// Concurrent writers racing on one database: every row lands, ids stay unique.
    @Test func concurrentWritersNeverCollide() async throws {
        try await PostgresTestServer.withStores(3) { stores in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (n, store) in stores.enumerated() {
                    group.addTask {
                        for i in 1...20 {
                            try await store.put(StoreFixtures.entry(UInt64(i), query: "controller \(n) question \(i)?"))
                        }
                    }
                }
                try await group.waitForAll()
            }
            let rows = try await stores[0].client.query("SELECT COUNT(DISTINCT id)::BIGINT, COUNT(*)::BIGINT FROM loraserve_summary_entries")
            for try await (distinct, total) in rows.decode((Int, Int).self) {
                #expect(distinct == 60 && total == 60)
            }
        }
    }
}

enum PostgresTestServer {
    static let configuration: PostgresClient.Configuration? = try? PostgresConnectionSettings.fromEnvironment()

    /// Drops the store's tables, then runs `body` with `n` stores (controllers) on one database,
    /// each with its own client.
    static func withStores(_ n: Int, _ body: @escaping @Sendable ([PostgresSummaryStore]) async throws -> Void) async throws {
        let config = try #require(configuration)
        try await PostgresSummaryStore.withClient(config) { admin in
            try await admin.query("DROP TABLE IF EXISTS loraserve_summary_entries")
            try await admin.query("DROP TABLE IF EXISTS loraserve_document_invalidations")
            try await admin.query("DROP TABLE IF EXISTS loraserve_schema_migrations")
            try await nest(config, count: n, stores: [], body)
        }
    }

    private static func nest(_ config: PostgresClient.Configuration, count: Int, stores: [PostgresSummaryStore],
                             _ body: @escaping @Sendable ([PostgresSummaryStore]) async throws -> Void) async throws {
        if stores.count == count { return try await body(stores) }
        try await PostgresSummaryStore.withClient(config) { client in
            let store = try await PostgresSummaryStore(client: client, writerID: "test-\(stores.count)")
            try await nest(config, count: count, stores: stores + [store], body)
        }
    }
}
