import Foundation
import PostgresNIO
import SummaryCache

/// A `SummaryStore` in PostgreSQL, for several controllers sharing one cache.
///
/// - Row ids are assigned by the database (identity column); `EntryIDMap` translates the
///   policy's per-controller ids, so two controllers never overwrite each other's entries.
/// - Each controller sees the others' entries through `loadAll()` (startup) and
///   `loadSince(updatedAfter:)` (polling); changes are stamped with the database clock, so
///   controller clocks need not agree.
/// - Every operation runs in one transaction; operations of one store run one at a time (in call
///   order), so the id map always matches what was committed.
///
/// The caller owns the `PostgresClient` and must keep `client.run()` running (see
/// `withClient`), as for any PostgresNIO client.
public actor PostgresSummaryStore: DurableSummaryStore {
    public let client: PostgresClient
    /// Written into each row's `writer` column (diagnostics: which controller stored it).
    public nonisolated let writerID: String
    private let logger: Logger
    private var ids = EntryIDMap()
    /// How long invalidation records are kept for other controllers' polls (a day).
    static let invalidationLogSeconds = 86_400.0
    private var busy = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    /// Creates the store and applies pending migrations (safe when several controllers start at
    /// once). Throws `CacheStoreError.schemaTooNew` for a database migrated by a newer build.
    public init(client: PostgresClient, writerID: String = "controller-\(UInt32.random(in: 0...UInt32.max))",
                logger: Logger = PostgresSummaryStore.quietLogger) async throws {
        self.client = client
        self.writerID = writerID
        self.logger = logger
        try await Self.migrate(client: client, logger: logger)
    }

    /// A logger that only reports critical problems.
    public static var quietLogger: Logger {
        var l = Logger(label: "loraserve.cache.postgres")
        l.logLevel = .critical
        return l
    }

    /// Runs `body` with a client whose `run()` loop lives for exactly that long.
    ///
    /// The loop runs in a detached task, not a child: a child inherits ServiceLifecycle's graceful
    /// shutdown, on which PostgresNIO closes the pool, so a server shutting down gracefully (Ctrl-C)
    /// would lose the database while it still finishes the requests it accepted. The pool closes
    /// when `body` returns or throws.
    public static func withClient<T: Sendable>(
        _ configuration: PostgresClient.Configuration, logger: Logger = quietLogger,
        _ body: @Sendable (PostgresClient) async throws -> T
    ) async throws -> T {
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        let running = Task.detached { await client.run() }
        let outcome: Result<T, any Error>
        do { outcome = .success(try await body(client)) } catch { outcome = .failure(error) }
        running.cancel()
        await running.value
        return try outcome.get()
    }

    /// `client.withTransaction`, rethrowing the closure's own error (e.g. `schemaTooNew`) when
    /// the rollback itself succeeded, instead of PostgresNIO's wrapper.
    static func transaction<T: Sendable>(_ client: PostgresClient, logger: Logger,
                                         isolation: isolated (any Actor)? = #isolation,
                                         _ body: (PostgresConnection) async throws -> sending T) async throws -> sending T {
        do {
            return try await client.withTransaction(logger: logger, isolation: isolation, body)
        } catch let error as PostgresTransactionError {
            if let inner = error.closureError, error.rollbackError == nil, error.commitError == nil { throw inner }
            throw error
        }
    }

    /// Applies pending migrations in one transaction under an advisory lock.
    public static func migrate(client: PostgresClient, logger: Logger = quietLogger) async throws {
        try await Self.transaction(client, logger: logger) { conn in
            _ = try await conn.query("SELECT pg_advisory_xact_lock(\(PostgresSchema.advisoryLockKey))", logger: logger)
            _ = try await conn.query(PostgresQuery(unsafeSQL: PostgresSchema.createMigrationsTable), logger: logger)
            let current = try await appliedVersion(conn, logger: logger)
            guard current <= PostgresSchema.latestVersion else {
                throw CacheStoreError.schemaTooNew(found: current, known: PostgresSchema.latestVersion)
            }
            for m in PostgresSchema.migrations where m.version > current {
                for sql in m.statements { _ = try await conn.query(PostgresQuery(unsafeSQL: sql), logger: logger) }
                _ = try await conn.query(
                    "INSERT INTO loraserve_schema_migrations (version, name) VALUES (\(m.version), \(m.name))",
                    logger: logger)
            }
        }
    }

    private static func appliedVersion(_ conn: PostgresConnection, logger: Logger) async throws -> Int {
        let rows = try await conn.query("SELECT COALESCE(MAX(version), 0)::BIGINT FROM loraserve_schema_migrations",
                                        logger: logger)
        for try await version in rows.decode(Int.self) { return version }
        return 0
    }

    public func schemaVersion() async throws -> Int {
        try await client.withConnection { conn in try await Self.appliedVersion(conn, logger: logger) }
    }

    // MARK: Serialisation (actor methods re-enter at every await; the id map must follow commits)

    private func serialized<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        if busy {
            await withCheckedContinuation { waiters.append($0) }
        } else {
            busy = true
        }
        defer {
            if waiters.isEmpty { busy = false } else { waiters.removeFirst().resume() }
        }
        return try await body()
    }

    // MARK: SummaryStore

    /// Every row of every controller, under ids unique in this controller's policy namespace.
    public func loadAll() async throws -> [CacheEntry] {
        try await serialized {
            let rows = try await select("SELECT \(unescaped: PostgresSchema.selectColumns) FROM loraserve_summary_entries ORDER BY id")
            var entries: [CacheEntry] = []
            for r in rows {
                var e = r.entry
                e.id = try ids.policyID(forRow: r.row, entry: r.entry)
                entries.append(e)
            }
            return entries
        }
    }

    /// Rows stored or touched (by any controller) after `updatedAfter` (database clock). A
    /// transaction that stamped its rows before a reader's watermark but committed after it is
    /// only seen if the next call overlaps: pass `watermark - a few seconds`; re-seen rows keep
    /// their ids. Invalidations are read *before* the rows: every invalidation returned committed
    /// before the rows were read, so its deletions are already reflected in them.
    public func loadSince(updatedAfter: Double) async throws -> StoreChanges {
        try await serialized {
            let writer = writerID
            var invalidations = try await client.withConnection { conn in
                var out: [DocumentInvalidation] = []
                let rows = try await conn.query("""
                    SELECT id, tenant, document_id, invalidated_at, deleted_rows FROM loraserve_document_invalidations
                    WHERE invalidated_at > \(updatedAfter) AND writer <> \(writer) ORDER BY invalidated_at, id
                    """, logger: logger)
                for try await (id, tenant, document, at, deleted) in rows.decode((Int64, String, String, Double, [Int64]?).self) {
                    out.append(DocumentInvalidation(id: id, tenant: TenantID(tenant), documentID: DocumentID(document), at: at,
                                                    deletedRows: deleted))
                }
                return out
            }
            // The deleted rows this controller knows, under its policy ids (rows it never loaded
            // are not in its memory either); they are gone, so their bindings go too.
            for (i, inv) in invalidations.enumerated() {
                guard let rows = inv.deletedRows else { continue }
                invalidations[i].deletedEntries = rows.compactMap { ids.policyID(ofRow: $0) }
                for row in rows { ids.unbind(row: row) }
            }
            let rows = try await select("""
                SELECT \(unescaped: PostgresSchema.selectColumns) FROM loraserve_summary_entries
                WHERE updated_at > \(updatedAfter) ORDER BY updated_at, id
                """)
            var entries: [CacheEntry] = []
            for r in rows {
                var e = r.entry
                e.id = try ids.policyID(forRow: r.row, entry: r.entry)
                entries.append(e)
            }
            let watermark = max(rows.map(\.updatedAt).max() ?? updatedAfter, invalidations.map(\.at).max() ?? updatedAfter)
            return StoreChanges(entries: entries, invalidations: invalidations, watermark: watermark)
        }
    }

    public func put(_ entry: CacheEntry) async throws { try await apply([.persist(entry)]) }

    public func touch(_ id: EntryID, lastUsedAt: Double, hits: Int) async throws {
        try await apply([.touch(id, lastUsedAt: lastUsedAt, hits: hits)])
    }

    public func delete(_ ids: [EntryID]) async throws {
        try await apply(ids.map { .delete($0, reason: .evicted) })
    }

    /// Deletes the document's rows written by *any* controller (invalidation is global) and
    /// records the invalidation, so the others drop their in-memory copies (`loadSince`).
    @discardableResult
    public func delete(tenant: TenantID, documentID: DocumentID) async throws -> Int {
        let writer = writerID
        return try await serialized {
            let deleted: [Int64] = try await Self.transaction(client, logger: logger) { conn in
                let rows = try await conn.query("""
                    DELETE FROM loraserve_summary_entries
                    WHERE tenant = \(tenant.rawValue) AND document_id = \(documentID.rawValue) RETURNING id
                    """, logger: logger)
                var out: [Int64] = []
                for try await id in rows.decode(Int64.self) { out.append(id) }
                _ = try await conn.query("""
                    INSERT INTO loraserve_document_invalidations (tenant, document_id, writer, invalidated_at, deleted_rows)
                    VALUES (\(tenant.rawValue), \(documentID.rawValue), \(writer), \(unescaped: PostgresSchema.nowSQL), \(out))
                    """, logger: logger)
                // The log only has to outlive the polling of running controllers (a restart reads the rows).
                _ = try await conn.query("""
                    DELETE FROM loraserve_document_invalidations
                    WHERE invalidated_at < \(unescaped: PostgresSchema.nowSQL) - \(Self.invalidationLogSeconds)
                    """, logger: logger)
                return out
            }
            for row in deleted { ids.unbind(row: row) }
            return deleted.count
        }
    }

    /// Rows in the shared table (all controllers).
    public func count() async throws -> Int {
        try await client.withConnection { conn in
            let rows = try await conn.query("SELECT COUNT(*)::BIGINT FROM loraserve_summary_entries", logger: logger)
            for try await n in rows.decode(Int.self) { return n }
            return 0
        }
    }

    /// Applies the actions in order in one transaction (all or nothing). `.touch` only moves
    /// `last_used_at`/`hits` forward (controllers sharing an entry count hits independently);
    /// `.touch`/`.delete` of an id this store never bound do nothing.
    public func apply(_ actions: [CacheAction]) async throws {
        guard !actions.isEmpty else { return }
        try await serialized {
            let before = ids
            let writer = writerID
            let after = try await Self.transaction(client, logger: logger) { conn in
                var map = before
                for action in actions {
                    switch action {
                    case let .persist(entry):
                        let query = try map.rowForPut(entry).map { try PostgresRows.upsert(entry, row: $0, writer: writer) }
                            ?? PostgresRows.insert(entry, writer: writer)
                        let rows = try await conn.query(query, logger: logger)
                        for try await row in rows.decode(Int64.self) { map.bind(entry, row: row) }
                    case let .touch(id, lastUsedAt, hits):
                        guard let row = map.row(of: id) else { continue }
                        _ = try await conn.query("""
                            UPDATE loraserve_summary_entries
                            SET last_used_at = GREATEST(last_used_at, \(lastUsedAt)),
                                hits = GREATEST(hits, \(Int64(hits))),
                                updated_at = \(unescaped: PostgresSchema.nowSQL)
                            WHERE id = \(row)
                            """, logger: logger)
                    case let .delete(id, _):
                        guard let row = map.row(of: id) else { continue }
                        _ = try await conn.query("DELETE FROM loraserve_summary_entries WHERE id = \(row)", logger: logger)
                        map.unbind(policy: id)
                    }
                }
                return map
            }
            ids = after
        }
    }

    private func select(_ query: PostgresQuery) async throws -> [(row: Int64, entry: CacheEntry, updatedAt: Double)] {
        try await client.withConnection { conn in
            var out: [(row: Int64, entry: CacheEntry, updatedAt: Double)] = []
            for try await row in try await conn.query(query, logger: logger) { out.append(try PostgresRows.entry(row)) }
            return out
        }
    }
}
