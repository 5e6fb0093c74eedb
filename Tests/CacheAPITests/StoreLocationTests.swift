import CacheAPI
import CacheStores
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import QAPipeline
import SummaryCache
import Testing

/// The API over the durable stores: what one server stored, the next one (same file or database)
/// serves, still per tenant.
@Suite struct StoreLocationTests {
    /// `now`: the first server's clock (the second runs a second later).
    static func roundTrip(_ location: LocalCacheLocation, now: Double = 1000) async throws {
        var settings = CacheConfig()
        settings.similarityThreshold = 0.5
        let config = settings
        let keys = try Fx.keys()
        try await location.withLocalCache(config: config, now: now) { local in
            let service = SummaryCacheService(keys: keys, local: local, embedder: Fx.embedder, llm: nil, now: { now })
            try await Fx.app(service).test(.router) { client in
                try await client.execute(uri: "/v1/summary-cache/store", method: .post, headers: Fx.acme, body: Fx.storeBody()) { r in
                    #expect(r.status == .ok)
                }
            }
        }
        try await location.withLocalCache(config: config, now: now + 1) { local in
            let service = SummaryCacheService(keys: keys, local: local, embedder: Fx.embedder, llm: nil, now: { now + 1 })
            try await Fx.app(service).test(.router) { client in
                try await client.execute(uri: "/v1/summary-cache/lookup", method: .post, headers: Fx.acme, body: Fx.lookupBody()) { r in
                    let decoded = try Fx.decode(SummaryLookup.self, r.body)
                    #expect(decoded.hit?.summary == "Rollo led them.")
                }
                try await client.execute(uri: "/v1/summary-cache/lookup", method: .post, headers: Fx.globex, body: Fx.lookupBody()) { r in
                    let decoded = try Fx.decode(SummaryLookup.self, r.body)
                    #expect(decoded.hit == nil)
                }
                try await client.execute(uri: "/v1/summary-cache/invalidate", method: .post, headers: Fx.acme,
                                         body: Fx.body(["documentID": "normans"])) { r in
                    let decoded = try Fx.decode(InvalidateReply.self, r.body)
                    #expect(decoded.removed == 1)
                }
            }
        }
    }

    @Test func sqliteSurvivesARestart() async throws {
        let path = NSTemporaryDirectory() + "cacheapi-\(UUID().uuidString).sqlite"
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        try await Self.roundTrip(.sqlite(path: path))
    }

    /// Runs against the PostgreSQL server CI starts, in its own database
    /// (`LORASERVE_TEST_POSTGRES_API_URL`: CacheStoresTests drop tables in the main one while this
    /// suite runs); skipped elsewhere.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["LORASERVE_TEST_POSTGRES_API_URL"] != nil))
    func postgresSurvivesARestart() async throws {
        let url = try #require(ProcessInfo.processInfo.environment["LORASERVE_TEST_POSTGRES_API_URL"])
        // A fresh tenant-free document id so reruns against one database do not collide.
        try await PostgresSummaryStore.withClient(try PostgresConnectionSettings.configuration(url: url)) { client in
            let store = try await PostgresSummaryStore(client: client)
            _ = try await store.delete(tenant: TenantID("acme"), documentID: DocumentID("normans"))
        }
        // On the wall clock: the suite's other PostgreSQL tests restore every row of this database
        // on the wall clock, and would purge a row stamped 1000 (1970) as expired in between.
        try await Self.roundTrip(.postgres(url: url), now: Date().timeIntervalSince1970)
    }

    /// An invalidation that happened before a controller restored is not applied again by its
    /// first polls (they re-read a few seconds back), even to entries stamped with an older clock.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["LORASERVE_TEST_POSTGRES_API_URL"] != nil))
    func invalidationsBeforeTheRestoreAreNotReapplied() async throws {
        let url = try #require(ProcessInfo.processInfo.environment["LORASERVE_TEST_POSTGRES_API_URL"])
        let doc = DocumentKey(documentID: DocumentID("old-inv-\(UInt32.random(in: 0...UInt32.max))"), version: "v1")
        let fp = Fx.embedder.fingerprint
        let question = "Who led the Normans in the 10th century?"
        let vector = try await Fx.embedder.embed([question])[0]
        try await PostgresSummaryStore.withClient(try PostgresConnectionSettings.configuration(url: url)) { client in
            let other = try await PostgresSummaryStore(client: client)
            try await other.delete(tenant: TenantID("acme"), documentID: doc.documentID)
            let mine = try await PostgresSummaryStore(client: client)
            var settings = CacheConfig()
            settings.similarityThreshold = 0.5
            let cache = try LocalSummaryCache(config: settings, store: mine)
            let initial = try await mine.loadSince(updatedAfter: 0)
            #expect(initial.invalidations.contains { $0.documentID == doc.documentID })
            // Only this test's document: the suite's other tests write and invalidate their own
            // documents in the same database meanwhile, and dropping those copies would count.
            try await cache.restore(initial.entries.filter { $0.document.documentID == doc.documentID }, now: 1000)
            // A summary stored afterwards, on a clock far behind the database's.
            try await cache.store(tenant: TenantID("acme"), document: doc, fingerprint: fp, query: question, vector: vector,
                                  summary: "Rollo led them.", summaryTokenCost: 10, now: 1000)
            let refresher = SharedCacheRefresher(cache: cache, store: mine, watermark: initial.watermark,
                                                 alreadyApplied: initial.invalidations, clock: { 1001 })
            try await refresher.refresh()
            #expect(await refresher.forgotten == 0)
            let served = try await cache.lookup(tenant: TenantID("acme"), document: doc, fingerprint: fp, query: question,
                                                vector: vector, now: 1002)
            #expect(served.hit?.summary == "Rollo led them.")
            try await cache.invalidate(tenant: TenantID("acme"), documentID: doc.documentID)
        }
    }

    /// Invalidations name the rows they deleted, so a controller whose clock is off from the
    /// database's still drops exactly its copies of those rows: far ahead, it does not keep a
    /// stale summary (comparing clocks kept it); far behind, it keeps a summary stored after the
    /// invalidation (comparing clocks dropped it).
    @Test(.enabled(if: ProcessInfo.processInfo.environment["LORASERVE_TEST_POSTGRES_API_URL"] != nil))
    func invalidationsIgnoreControllerClockSkew() async throws {
        let url = try #require(ProcessInfo.processInfo.environment["LORASERVE_TEST_POSTGRES_API_URL"])
        let tenant = TenantID("acme")
        let doc = DocumentKey(documentID: DocumentID("skew-\(UInt32.random(in: 0...UInt32.max))"), version: "v1")
        let fp = Fx.embedder.fingerprint
        let question = "Who led the Normans in the 10th century?"
        let vector = try await Fx.embedder.embed([question])[0]
        var config = CacheConfig()
        config.similarityThreshold = 0.5
        let settings = config
        try await PostgresSummaryStore.withClient(try PostgresConnectionSettings.configuration(url: url)) { client in
            let other = try await PostgresSummaryStore(client: client)
            for (clock, staleIsDropped) in [(Date().timeIntervalSince1970 + 1e6, true), (1000.0, false)] {
                let mine = try await PostgresSummaryStore(client: client)
                let cache = try LocalSummaryCache(config: settings, store: mine)
                let initial = try await mine.loadSince(updatedAfter: 0)
                try await cache.restore(initial.entries.filter { $0.document == doc }, now: clock)
                let refresher = SharedCacheRefresher(cache: cache, store: mine, watermark: initial.watermark,
                                                     alreadyApplied: initial.invalidations, clock: { clock + 1 })
                if staleIsDropped {
                    // Stored before the other controller invalidates the document: must go.
                    try await cache.store(tenant: tenant, document: doc, fingerprint: fp, query: question, vector: vector,
                                          summary: "stale", summaryTokenCost: 10, now: clock)
                    try await other.delete(tenant: tenant, documentID: doc.documentID)
                } else {
                    // Stored after the invalidation (not yet polled): must stay.
                    try await other.delete(tenant: tenant, documentID: doc.documentID)
                    try await cache.store(tenant: tenant, document: doc, fingerprint: fp, query: question, vector: vector,
                                          summary: "fresh", summaryTokenCost: 10, now: clock)
                }
                try await refresher.refresh()
                let served = try await cache.lookup(tenant: tenant, document: doc, fingerprint: fp, query: question,
                                                    vector: vector, now: clock + 2)
                #expect(await refresher.forgotten == (staleIsDropped ? 1 : 0), "clock \(clock)")
                #expect(served.hit?.summary == (staleIsDropped ? nil : "fresh"), "clock \(clock)")
            }
            try await other.delete(tenant: tenant, documentID: doc.documentID)
        }
    }

    /// Two controllers on one PostgreSQL database, both running: what one stores, the other
    /// serves after its next poll (no restart), still only to the same tenant; what a third
    /// invalidates, it stops serving after its next poll.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["LORASERVE_TEST_POSTGRES_API_URL"] != nil))
    func postgresControllersSeeEachOthersNewSummaries() async throws {
        let url = try #require(ProcessInfo.processInfo.environment["LORASERVE_TEST_POSTGRES_API_URL"])
        let location = LocalCacheLocation.postgres(url: url)
        var settings = CacheConfig()
        settings.similarityThreshold = 0.5
        let config = settings
        let doc = DocumentKey(documentID: DocumentID("shared-\(UInt32.random(in: 0...UInt32.max))"), version: "v1")
        let fp = Fx.embedder.fingerprint
        let question = "Who led the Normans in the 10th century?"
        let vector = try await Fx.embedder.embed([question])[0]
        let now = Date().timeIntervalSince1970
        try await location.withLocalCache(config: config, now: now, refreshInterval: 0.2) { b in
            try await location.withLocalCache(config: config, now: now, refreshInterval: nil) { a in
                try await a.store(tenant: TenantID("acme"), document: doc, fingerprint: fp, query: question, vector: vector,
                                  summary: "Rollo led them.", summaryTokenCost: 120, now: now)
            }
            var served: SummaryLookup?
            for _ in 0..<100 where served?.hit == nil {
                try await Task.sleep(nanoseconds: 100_000_000)
                served = try await b.lookup(tenant: TenantID("acme"), document: doc, fingerprint: fp, query: question,
                                            vector: vector, now: Date().timeIntervalSince1970)
            }
            #expect(served?.hit?.summary == "Rollo led them.")
            let other = try await b.lookup(tenant: TenantID("globex"), document: doc, fingerprint: fp, query: question,
                                           vector: vector, now: Date().timeIntervalSince1970)
            #expect(other.hit == nil)
            // Another controller invalidates the document: B stops serving it after its next poll.
            try await location.withLocalCache(config: config, now: now, refreshInterval: nil) { c in
                try await c.invalidate(tenant: TenantID("acme"), documentID: doc.documentID)
            }
            for _ in 0..<100 where served?.hit != nil {
                try await Task.sleep(nanoseconds: 100_000_000)
                served = try await b.lookup(tenant: TenantID("acme"), document: doc, fingerprint: fp, query: question,
                                            vector: vector, now: Date().timeIntervalSince1970)
            }
            #expect(served?.hit == nil)
        }
    }
}
