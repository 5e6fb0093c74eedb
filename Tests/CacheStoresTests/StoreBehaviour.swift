import CacheStores
import SummaryCache
import Testing

/// The behavioural suite every `DurableSummaryStore` passes (SQLite and PostgreSQL run the same
/// checks). Each function expects an empty store.
enum StoreBehaviour {
    /// put → loadAll returns the same entries (texts, vectors bit for bit, counters, times).
    static func roundTrip(_ store: some DurableSummaryStore) async throws {
        let entries = (1...5).map { StoreFixtures.entry($0) }
        for e in entries { try await store.put(e) }
        let loaded = try await store.loadAll()
        #expect(loaded.count == 5)
        for e in entries {
            let match = try #require(loaded.first { $0.queryText == e.queryText })
            #expect(StoreFixtures.sameContent(e, match))
        }
        #expect(try await store.count() == 5)
        #expect(Set(loaded.map(\.id)).count == 5)
    }

    /// touch updates counters; delete(ids) and delete(tenant:documentID:) remove exactly theirs.
    static func touchAndDelete(_ store: some DurableSummaryStore) async throws {
        let a = StoreFixtures.entry(1, document: "doc-a")
        let b = StoreFixtures.entry(2, document: "doc-a", version: "v2")
        let c = StoreFixtures.entry(3, document: "doc-b")
        let d = StoreFixtures.entry(4, tenant: "other", document: "doc-a")
        for e in [a, b, c, d] { try await store.put(e) }
        var loaded = try await store.loadAll()
        let idC = try #require(loaded.first { $0.queryText == c.queryText }?.id)
        try await store.touch(idC, lastUsedAt: 9999, hits: 42)
        loaded = try await store.loadAll()
        let touched = try #require(loaded.first { $0.queryText == c.queryText })
        #expect(touched.lastUsedAt == 9999 && touched.hits == 42 && touched.createdAt == c.createdAt)

        let removed = try await store.delete(tenant: TenantID("acme"), documentID: DocumentID("doc-a"))
        #expect(removed == 2)
        loaded = try await store.loadAll()
        #expect(Set(loaded.map(\.queryText)) == [c.queryText, d.queryText])

        try await store.delete([idC])
        loaded = try await store.loadAll()
        #expect(loaded.map(\.queryText) == [d.queryText])
        #expect(try await store.count() == 1)
        // Unknown ids are ignored, not errors.
        try await store.delete([EntryID(987_654)])
        try await store.touch(EntryID(987_655), lastUsedAt: 1, hits: 1)
        #expect(try await store.count() == 1)
    }

    /// A batch is one transaction: a failing action rolls back the ones before it.
    static func atomicBatch(_ store: some DurableSummaryStore) async throws {
        let keep = StoreFixtures.entry(1)
        try await store.apply([.persist(keep)])
        var bad = StoreFixtures.entry(3)
        bad.queryVector = [1, 2]  // does not match the fingerprint: the store refuses it
        let loadedKeep = try #require(try await store.loadAll().first)
        await #expect(throws: (any Error).self) {
            try await store.apply([.delete(loadedKeep.id, reason: .evicted), .persist(StoreFixtures.entry(2)), .persist(bad)])
        }
        let after = try await store.loadAll()
        #expect(after.count == 1)
        #expect(after.first.map { StoreFixtures.sameContent(keep, $0) } == true)

        // A good batch applies every action in order: persist, touch it, delete another.
        let second = StoreFixtures.entry(2)
        try await store.apply([.persist(second), .touch(second.id, lastUsedAt: 7777, hits: 9),
                               .delete(loadedKeep.id, reason: .replaced)])
        let final = try await store.loadAll()
        #expect(final.count == 1)
        #expect(final.first?.queryText == second.queryText && final.first?.hits == 9 && final.first?.lastUsedAt == 7777)
    }

    /// loadSince returns what changed after a watermark, and the new watermark.
    static func changesSince(_ store: some DurableSummaryStore) async throws {
        let first = try await store.loadSince(updatedAfter: 0)
        #expect(first.entries.isEmpty && first.watermark == 0)
        try await store.put(StoreFixtures.entry(1))
        let one = try await store.loadSince(updatedAfter: 0)
        #expect(one.entries.map(\.queryText) == [StoreFixtures.entry(1).queryText])
        #expect(one.watermark > 0)
        let none = try await store.loadSince(updatedAfter: one.watermark)
        #expect(none.entries.isEmpty && none.watermark == one.watermark)
    }

    /// The policy's actions applied to the store rebuild an equivalent policy after `restore`.
    static func policyRestore(_ store: some DurableSummaryStore) async throws {
        var policy = try SummaryCachePolicy()
        let fp = StoreFixtures.fingerprint
        let doc = DocumentKey(documentID: DocumentID("d"), version: "h1")
        let stored = try policy.store(tenant: TenantID("t"), document: doc, fingerprint: fp,
                                      query: "Who founded the city?", vector: [1, 0, 0, 0, 0, 0, 0, 0],
                                      summary: "It was founded by X.", summaryTokenCost: 120, now: 10)
        try await store.apply(stored.actions)
        var restored = try SummaryCachePolicy()
        _ = try restored.restore(try await store.loadAll(), now: 11)
        let outcome = try restored.lookup(tenant: TenantID("t"), document: doc, fingerprint: fp,
                                          query: "Who founded the city?", vector: [1, 0, 0, 0, 0, 0, 0, 0], now: 12)
        guard case let .hit(entry, _) = outcome.result else {
            Issue.record("expected a hit after restore, got \(outcome.result)")
            return
        }
        #expect(entry.summaryText == "It was founded by X.")
    }
}
