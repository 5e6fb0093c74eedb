import Foundation
import GRDB
import SummaryCache

/// The embedded default `SummaryStore`: one SQLite file in WAL mode, owned by one controller
/// (other processes may read it concurrently, e.g. a stats command).
///
/// Durability: every write is one transaction; with `.full` (default) SQLite fsyncs the WAL at
/// each commit, so a committed entry survives `kill -9` *and* power loss, and WAL's
/// append-then-checkpoint design means a crash mid-write leaves at most an uncommitted WAL tail
/// that the next open discards. Entry ids are the policy's (`EntryID`) because one policy owns
/// the file; shared caches use `PostgresSummaryStore`.
public final class SQLiteSummaryStore: DurableSummaryStore {
    /// How hard a commit waits for the disk.
    public enum Durability: String, Sendable {
        /// `PRAGMA synchronous = FULL`: fsync the WAL at every commit (survives power loss).
        case full
        /// `PRAGMA synchronous = NORMAL`: fsync only at checkpoints. Survives process crashes
        /// (the WAL is in the OS page cache) but may lose the last commits on power loss.
        case normal
    }

    public let path: String
    public let durability: Durability
    private let pool: DatabasePool
    private let clock: @Sendable () -> Double

    /// Opens (creating if needed) the database at `path` and applies pending migrations.
    /// Throws `CacheStoreError.schemaTooNew` if a newer LoRAServe already migrated it further.
    public init(path: String, durability: Durability = .full,
                clock: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }) throws {
        self.path = path
        self.durability = durability
        self.clock = clock
        var config = Configuration()
        config.busyMode = .timeout(10)
        let synchronous = durability == .full ? "FULL" : "NORMAL"
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = \(synchronous)")
        }
        // DatabasePool switches the file to WAL mode (readers never block the writer) and then
        // sets `synchronous = NORMAL` on its writer connection, after `prepareDatabase`; so the
        // chosen level is set again on the (single, long-lived) writer connection.
        pool = try DatabasePool(path: path, configuration: config)
        try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = \(synchronous)") }
        let migrator = SQLiteSchema.makeMigrator()
        let superseded = try pool.read { db in try migrator.hasBeenSuperseded(db) }
        if superseded {
            let found = try pool.read { db in try Int.fetchOne(db, sql: "PRAGMA user_version") ?? -1 }
            throw CacheStoreError.schemaTooNew(found: found, known: SQLiteSchema.latestVersion)
        }
        try migrator.migrate(pool)
    }

    /// Re-runs the migrator (a no-op when the schema is current); for tests and tools.
    public func migrate() throws { try SQLiteSchema.makeMigrator().migrate(pool) }

    public func schemaVersion() async throws -> Int {
        let migrator = SQLiteSchema.makeMigrator()
        return try await pool.read { db in try SQLiteSchema.appliedVersion(db, migrator: migrator) }
    }

    /// `PRAGMA journal_mode` and `PRAGMA synchronous` as the connection reports them (for tests).
    public func pragmas() async throws -> (journalMode: String, synchronous: Int) {
        try await pool.write { db in
            let mode = try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? ""
            let sync = try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? -1
            return (mode, sync)
        }
    }

    /// `PRAGMA integrity_check`: "ok" for an intact file, otherwise SQLite's list of problems.
    public func integrityCheck() async throws -> String {
        try await pool.read { db in
            try String.fetchAll(db, sql: "PRAGMA integrity_check").joined(separator: "\n")
        }
    }

    // MARK: SummaryStore

    /// Every entry, ordered by id: what the policy's `restore` rebuilds its indexes from.
    public func loadAll() async throws -> [CacheEntry] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM summary_entries ORDER BY id").map(SQLiteRows.entry)
        }
    }

    public func loadSince(updatedAfter: Double) async throws -> StoreChanges {
        try await pool.read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT * FROM summary_entries WHERE updated_at > ? ORDER BY updated_at, id
                """, arguments: [updatedAfter])
            let watermark = try rows.map { row -> Double in try row.decode(forColumn: "updated_at") }.max() ?? updatedAfter
            return StoreChanges(entries: try rows.map(SQLiteRows.entry), watermark: watermark)
        }
    }

    public func put(_ entry: CacheEntry) async throws {
        try await apply([.persist(entry)])
    }

    public func touch(_ id: EntryID, lastUsedAt: Double, hits: Int) async throws {
        try await apply([.touch(id, lastUsedAt: lastUsedAt, hits: hits)])
    }

    public func delete(_ ids: [EntryID]) async throws {
        try await apply(ids.map { .delete($0, reason: .evicted) })
    }

    @discardableResult
    public func delete(tenant: TenantID, documentID: DocumentID) async throws -> Int {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM summary_entries WHERE tenant = ? AND document_id = ?",
                           arguments: [tenant.rawValue, documentID.rawValue])
            return db.changesCount
        }
    }

    public func count() async throws -> Int {
        try await pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM summary_entries") ?? 0 }
    }

    /// Applies the actions in order inside one transaction (all or nothing). A `.persist` of an
    /// existing id replaces the row; `.touch`/`.delete` of a missing id do nothing.
    public func apply(_ actions: [CacheAction]) async throws {
        guard !actions.isEmpty else { return }
        let now = clock()
        try await pool.write { db in
            for action in actions {
                switch action {
                case let .persist(entry):
                    try db.execute(sql: SQLiteRows.upsertSQL, arguments: try SQLiteRows.arguments(entry, updatedAt: now))
                case let .touch(id, lastUsedAt, hits):
                    try db.execute(sql: "UPDATE summary_entries SET last_used_at = ?, hits = ?, updated_at = ? WHERE id = ?",
                                   arguments: [lastUsedAt, Int64(hits), now, SQLiteRows.dbID(id)])
                case let .delete(id, _):
                    try db.execute(sql: "DELETE FROM summary_entries WHERE id = ?", arguments: [SQLiteRows.dbID(id)])
                }
            }
        }
    }
}
