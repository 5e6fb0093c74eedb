import SummaryCache
import Testing

@Suite("InMemorySummaryStore")
struct SummaryStoreTests {
    @Test func applyingPolicyActionsMirrorsThePolicy() async throws {
        let store = InMemorySummaryStore()
        var p = try SummaryCachePolicy(config: Fixture.config(ttl: 10, maxEntries: 3))
        for (i, q) in ["one", "two", "three", "four"].enumerated() {
            try await store.apply(Fixture.store(&p, query: "question \(q)", now: Double(i)).actions)
        }
        try await store.apply(Fixture.lookup(&p, query: "question four", now: 5).actions)
        #expect(await store.count() == 3)
        #expect(await store.loadAll() == p.allEntries)
        // Restart: a fresh policy restored from the store serves the same hits.
        var restored = try SummaryCachePolicy(config: Fixture.config(ttl: 10, maxEntries: 3))
        try await store.apply(restored.restore(store.loadAll(), now: 6))
        #expect(try Fixture.lookup(&restored, query: "question four", now: 6).result.entry?.hits == 2)
        try await store.apply(restored.purgeExpired(now: 100))
        #expect(await store.count() == 0)
    }

    @Test func deleteByDocument() async throws {
        let store = InMemorySummaryStore()
        var p = try SummaryCachePolicy(config: Fixture.config())
        try await store.apply(Fixture.store(&p, query: "a", now: 0).actions)
        try await store.apply(Fixture.store(&p, tenant: Fixture.bob, query: "a", now: 0).actions)
        #expect(await store.delete(tenant: Fixture.alice, documentID: Fixture.doc1.documentID) == 1)
        #expect(await store.loadAll().map(\.tenant) == [Fixture.bob])
    }
}

@Suite("HashingEmbedder")
struct HashingEmbedderTests {
    @Test func deterministicNormalisedAndFingerprinted() async throws {
        let e = HashingEmbedder(dimensions: 32)
        let v = try await e.embed(["Who founded Carthage?", "", "Who founded Carthage?"])
        #expect(v.count == 3 && v[0] == v[2] && v.allSatisfy { $0.count == 32 })
        #expect(abs(VectorMath.dot(v[0], v[0]) - 1) < 1e-5 && abs(VectorMath.dot(v[1], v[1]) - 1) < 1e-5)
        #expect(e.fingerprint.dimensions == 32 && e.fingerprint != HashingEmbedder(dimensions: 32, modelID: "x").fingerprint)
        #expect(VectorMath.dot(e.embedOne("who founded carthage"), e.embedOne("Who founded Carthage?")) > 0.99)
    }
}
