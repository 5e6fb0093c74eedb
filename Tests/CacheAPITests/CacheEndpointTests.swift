import CacheAPI
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import QAPipeline
import SummaryCache
import Testing

@Suite struct CacheEndpointTests {
    @Test func storeThenParaphraseLookupHits() async throws {
        try await Fx.app(try Fx.service()).test(.router) { client in
            try await client.execute(uri: "/v1/summary-cache/store", method: .post, headers: Fx.acme, body: Fx.storeBody()) { r in
                #expect(r.status == .ok)
                let reply = try Fx.decode(StoreReply.self, r.body)
                #expect(reply.stored && reply.tenant == "acme" && reply.version == "v1")
            }
            try await client.execute(uri: "/v1/summary-cache/lookup", method: .post, headers: Fx.acme, body: Fx.lookupBody()) { r in
                #expect(r.status == .ok)
                let hit = try #require(try Fx.decode(SummaryLookup.self, r.body).hit)
                #expect(hit.summary == "Rollo led them.")
                #expect(hit.cachedQuery == Fx.question)
                #expect(hit.tokensSaved == 140)
                #expect(hit.similarity >= 0.5 && hit.similarity < 1)
            }
        }
    }

    @Test func vectorQueriesMatchOnlyTheirOwnFingerprint() async throws {
        let vector = Fx.embedder.embedOne(Fx.question)
        let fingerprint: [String: Any] = ["modelID": "client-model", "dimensions": 256, "normalized": true, "maxLength": 128]
        var other = fingerprint
        other["modelID"] = "another-model"
        // RemoteLookupRequest's own encoding: ids as {"rawValue": …}, documentID, fingerprint, vector.
        func wire(_ f: [String: Any], summary: Bool) -> ByteBuffer {
            var o: [String: Any] = ["tenant": ["rawValue": "acme"], "document": ["documentID": ["rawValue": "normans"], "version": "v1"],
                                    "fingerprint": f, "query": Fx.question, "vector": vector.map(Double.init)]
            if summary { o["summary"] = "from vectors"; o["summaryTokenCost"] = 10; o["now"] = 5 }
            return Fx.body(o)
        }
        let storeWire = wire(fingerprint, summary: true), lookupWire = wire(fingerprint, summary: false)
        let otherWire = wire(other, summary: false)
        try await Fx.app(try Fx.service()).test(.router) { client in
            try await client.execute(uri: "/v1/summary-cache/store", method: .post, headers: Fx.acme, body: storeWire) { r in
                #expect(r.status == .ok)
            }
            try await client.execute(uri: "/v1/summary-cache/lookup", method: .post, headers: Fx.acme, body: lookupWire) { r in
                let decoded = try Fx.decode(SummaryLookup.self, r.body)
                #expect(decoded.hit?.summary == "from vectors")
            }
            try await client.execute(uri: "/v1/summary-cache/lookup", method: .post, headers: Fx.acme, body: otherWire) { r in
                #expect(r.status == .ok)
                let decoded = try Fx.decode(SummaryLookup.self, r.body)
                #expect(decoded.hit == nil)
            }
            // The same question as text is embedded with the server's embedder: another fingerprint, no hit.
            try await client.execute(uri: "/v1/summary-cache/lookup", method: .post, headers: Fx.acme,
                                     body: Fx.lookupBody(query: Fx.question)) { r in
                let decoded = try Fx.decode(SummaryLookup.self, r.body)
                #expect(decoded.hit == nil)
            }
        }
    }

    @Test(arguments: [("globex", "normans", "v1"), ("acme", "normans", "v2"), ("acme", "other-doc", "v1")])
    func noHitAcrossTenantsVersionsOrDocuments(tenant: String, doc: String, version: String) async throws {
        let keys: [String: HTTPFields] = ["acme": Fx.acme, "globex": Fx.globex]
        try await Fx.app(try Fx.service()).test(.router) { client in
            try await client.execute(uri: "/v1/summary-cache/store", method: .post, headers: Fx.acme, body: Fx.storeBody()) { r in
                #expect(r.status == .ok)
            }
            let headers = try #require(keys[tenant])
            try await client.execute(uri: "/v1/summary-cache/lookup", method: .post, headers: headers,
                                     body: Fx.lookupBody(doc: doc, version: version, query: Fx.question)) { r in
                #expect(r.status == .ok)
                let reply = try Fx.decode(SummaryLookup.self, r.body)
                #expect(reply.hit == nil)
                #expect(reply.bestSimilarity == nil)
            }
        }
    }

    @Test func invalidateDropsTheDocument() async throws {
        try await Fx.app(try Fx.service()).test(.router) { client in
            for v in ["v1", "v2"] {
                try await client.execute(uri: "/v1/summary-cache/store", method: .post, headers: Fx.acme, body: Fx.storeBody(version: v)) { _ in }
            }
            // dropOtherVersionsOnStore keeps only v2; globex invalidating its own "normans" removes nothing of acme's.
            try await client.execute(uri: "/v1/summary-cache/invalidate", method: .post, headers: Fx.globex,
                                     body: Fx.body(["documentID": "normans"])) { r in
                let decoded = try Fx.decode(InvalidateReply.self, r.body)
                #expect(decoded.removed == 0)
            }
            try await client.execute(uri: "/v1/summary-cache/invalidate", method: .post, headers: Fx.acme,
                                     body: Fx.body(["documentID": ["rawValue": "normans"], "tenant": ["rawValue": "acme"]])) { r in
                #expect(r.status == .ok)
                let reply = try Fx.decode(InvalidateReply.self, r.body)
                #expect(reply.removed == 1 && reply.tenant == "acme")
            }
            try await client.execute(uri: "/v1/summary-cache/lookup", method: .post, headers: Fx.acme,
                                     body: Fx.lookupBody(version: "v2", query: Fx.question)) { r in
                let decoded = try Fx.decode(SummaryLookup.self, r.body)
                #expect(decoded.hit == nil)
            }
        }
    }

    @Test func statsArePerTenant() async throws {
        try await Fx.app(try Fx.service()).test(.router) { client in
            try await client.execute(uri: "/v1/summary-cache/store", method: .post, headers: Fx.acme, body: Fx.storeBody()) { _ in }
            try await client.execute(uri: "/v1/summary-cache/lookup", method: .post, headers: Fx.acme, body: Fx.lookupBody()) { _ in }
            try await client.execute(uri: "/v1/summary-cache/lookup", method: .post, headers: Fx.globex, body: Fx.lookupBody()) { _ in }
            try await client.execute(uri: "/v1/summary-cache/stats", method: .get, headers: Fx.acme) { r in
                let stats = try Fx.decode(StatsReply.self, r.body)
                #expect(stats.tenants.count == 1 && stats.global == nil)
                let acme = try #require(stats.tenants.first)
                #expect(acme.tenant == "acme" && acme.entries == 1 && acme.stores == 1 && acme.hits == 1 && acme.tokensSaved == 140)
                #expect(acme.bytes > 0)
            }
            try await client.execute(uri: "/v1/summary-cache/stats", method: .get, headers: Fx.globex) { r in
                let globex = try #require(try Fx.decode(StatsReply.self, r.body).tenants.first)
                #expect(globex.tenant == "globex" && globex.entries == 0 && globex.lookups == 1 && globex.hits == 0)
            }
            try await client.execute(uri: "/v1/summary-cache/stats?tenant=acme", method: .get, headers: Fx.globex) { r in
                #expect(r.status == .forbidden)
            }
            try await client.execute(uri: "/v1/summary-cache/stats", method: .get, headers: Fx.admin) { r in
                let stats = try Fx.decode(StatsReply.self, r.body)
                #expect(stats.tenants.map(\.tenant) == ["acme", "globex"])
                #expect(stats.global?.lookups == 2)
            }
        }
    }
}
