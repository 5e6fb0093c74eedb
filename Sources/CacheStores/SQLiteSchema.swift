import GRDB

/// The versioned schema of the SQLite store. Migrations are append-only: a released migration is
/// never edited; a change is a new `vN_...` migration. GRDB records applied ones in
/// `grdb_migrations`; each migration also sets `PRAGMA user_version` to its number so external
/// tools (`sqlite3 cache.db 'PRAGMA user_version'`) can read the version without GRDB.
enum SQLiteSchema {
    /// (number, GRDB identifier, SQL statements). Numbers are 1, 2, 3... in order.
    static let migrations: [(version: Int, identifier: String, statements: [String])] = [
        (1, "v1_create_summary_entries", [
            """
            CREATE TABLE summary_entries (
                id                  INTEGER PRIMARY KEY,  -- EntryID (UInt64 bit pattern)
                tenant              TEXT    NOT NULL,
                document_id         TEXT    NOT NULL,
                document_version    TEXT    NOT NULL,
                embedder_model      TEXT    NOT NULL,
                embedder_dimensions INTEGER NOT NULL,
                embedder_normalized INTEGER NOT NULL,
                embedder_max_length INTEGER NOT NULL,
                query_text          TEXT    NOT NULL,
                query_vector        BLOB    NOT NULL,     -- little-endian Float32 × dimensions
                summary_text        TEXT    NOT NULL,
                summary_token_cost  INTEGER NOT NULL,
                created_at          REAL    NOT NULL,     -- policy clock (seconds)
                last_used_at        REAL    NOT NULL,     -- policy clock (seconds)
                hits                INTEGER NOT NULL,
                updated_at          REAL    NOT NULL      -- store clock: last insert/touch
            )
            """,
        ]),
        (2, "v2_document_and_change_indexes", [
            "CREATE INDEX summary_entries_by_document ON summary_entries(tenant, document_id)",
            "CREATE INDEX summary_entries_by_update ON summary_entries(updated_at)",
        ]),
    ]

    static var latestVersion: Int { migrations.last?.version ?? 0 }

    static func makeMigrator() -> DatabaseMigrator {
        var migrator = DatabaseMigrator()
        for migration in migrations {
            let statements = migration.statements
            let version = migration.version
            migrator.registerMigration(migration.identifier) { db in
                for sql in statements { try db.execute(sql: sql) }
                try db.execute(sql: "PRAGMA user_version = \(version)")
            }
        }
        return migrator
    }

    /// The highest migration number applied to `db` (0 for an empty database).
    static func appliedVersion(_ db: Database, migrator: DatabaseMigrator) throws -> Int {
        let applied = try migrator.appliedIdentifiers(db)
        return migrations.filter { applied.contains($0.identifier) }.map(\.version).max() ?? 0
    }
}
