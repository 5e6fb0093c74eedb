import CacheStores
import Foundation
import GRDB
import SummaryCache
import Testing

@Suite("SQLiteSummaryStore")
struct SQLiteSummaryStoreTests {
    /// Runs `body` with a store on a fresh file, then deletes the directory.
    func withStore(_ body: (SQLiteSummaryStore, String) async throws -> Void) async throws {
        let dir = try StoreFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("cache.sqlite").path
        try await body(try SQLiteSummaryStore(path: path), path)
    }

    @Test func roundTrip() async throws { try await withStore { s, _ in try await StoreBehaviour.roundTrip(s) } }
    @Test func touchAndDelete() async throws { try await withStore { s, _ in try await StoreBehaviour.touchAndDelete(s) } }
    @Test func atomicBatch() async throws { try await withStore { s, _ in try await StoreBehaviour.atomicBatch(s) } }
    @Test func changesSince() async throws { try await withStore { s, _ in try await StoreBehaviour.changesSince(s) } }
    @Test func policyRestore() async throws { try await withStore { s, _ in try await StoreBehaviour.policyRestore(s) } }

    @Test func walAndSynchronousFull() async throws {
        try await withStore { store, _ in
            let p = try await store.pragmas()
            #expect(p.journalMode.lowercased() == "wal")
            #expect(p.synchronous == 2)  // FULL
        }
    }

    @Test func migrationsAreVersionedAndIdempotent() async throws {
        try await withStore { store, path in
            #expect(try await store.schemaVersion() == 2)
            try store.migrate()
            try store.migrate()
            #expect(try await store.schemaVersion() == 2)
            let reopened = try SQLiteSummaryStore(path: path)
            #expect(try await reopened.schemaVersion() == 2)
            let queue = try DatabaseQueue(path: path)
            let (userVersion, applied) = try await queue.read { db in
                (try Int.fetchOne(db, sql: "PRAGMA user_version"),
                 try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations ORDER BY identifier"))
            }
            #expect(userVersion == 2)
            #expect(applied == ["v1_create_summary_entries", "v2_document_and_change_indexes"])
        }
    }

    @Test func refusesNewerSchema() async throws {
        try await withStore { store, path in
            try await store.put(StoreFixtures.entry(1))
            let queue = try DatabaseQueue(path: path)
            try await queue.write { db in
                try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v3_from_the_future')")
                try db.execute(sql: "PRAGMA user_version = 3")
            }
            #expect(throws: CacheStoreError.schemaTooNew(found: 3, known: 2)) {
                _ = try SQLiteSummaryStore(path: path)
            }
        }
    }

    @Test func reopenKeepsEntries() async throws {
        try await withStore { store, path in
            let entries = (1...20).map { StoreFixtures.entry($0, document: "doc-\($0 % 3)") }
            try await store.apply(entries.map { .persist($0) })
            try await store.touch(EntryID(7), lastUsedAt: 5555, hits: 3)
            let reopened = try SQLiteSummaryStore(path: path)
            let loaded = try await reopened.loadAll()
            #expect(loaded.map(\.id) == (1...20).map { EntryID($0) })
            for (a, b) in zip(entries, loaded) where a.id != EntryID(7) { #expect(StoreFixtures.sameContent(a, b)) }
            #expect(loaded[6].hits == 3 && loaded[6].lastUsedAt == 5555)
            #expect(try await reopened.integrityCheck() == "ok")
        }
    }

    @Test func corruptVectorBlobIsAnError() async throws {
        try await withStore { store, path in
            try await store.put(StoreFixtures.entry(1))
            let queue = try DatabaseQueue(path: path)
            try await queue.write { db in
                try db.execute(sql: "UPDATE summary_entries SET query_vector = x'0000803F'")
            }
            await #expect(throws: CacheStoreError.corruptVector(entryID: 1, bytes: 4, expectedDimensions: 8)) {
                _ = try await store.loadAll()
            }
        }
    }

    @Test func largeEntryIDsKeepTheirBits() async throws {
        try await withStore { store, _ in
            let big = StoreFixtures.entry(UInt64.max - 1)
            try await store.put(big)
            #expect(try await store.loadAll().map(\.id) == [EntryID(UInt64.max - 1)])
        }
    }
}
