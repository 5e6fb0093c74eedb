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
    static func roundTrip(_ location: LocalCacheLocation) async throws {
        var settings = CacheConfig()
        settings.similarityThreshold = 0.5
        let config = settings
        let keys = try Fx.keys()
        try await location.withLocalCache(config: config, now: 1000) { local in
            let service = SummaryCacheService(keys: keys, local: local, embedder: Fx.embedder, llm: nil, now: { 1000 })
            try await Fx.app(service).test(.router) { client in
                try await client.execute(uri: "/v1/summary-cache/store", method: .post, headers: Fx.acme, body: Fx.storeBody()) { r in
                    #expect(r.status == .ok)
                }
            }
        }
        try await location.withLocalCache(config: config, now: 1001) { local in
            let service = SummaryCacheService(keys: keys, local: local, embedder: Fx.embedder, llm: nil, now: { 1001 })
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
        try await Self.roundTrip(.postgres(url: url))
    }
}
