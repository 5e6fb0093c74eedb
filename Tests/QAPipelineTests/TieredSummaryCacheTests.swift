import QAPipeline
import SummaryCache
import Testing

@Suite("TieredSummaryCache")
struct TieredSummaryCacheTests {
    func makeTier() throws -> (TieredSummaryCache, InMemoryRemoteSummaryCache) {
        let remote = InMemoryRemoteSummaryCache(backing: try LocalSummaryCache(config: Fixtures.config()))
        let tier = TieredSummaryCache(local: try LocalSummaryCache(config: Fixtures.config()), remote: remote)
        return (tier, remote)
    }

    @Test("local hits cross no network; the bytes they would have moved are counted")
    func localHitsSaveBytes() async throws {
        let (tier, remote) = try makeTier()
        let llm = FakeLLM()
        let p = Fixtures.pipeline(llm: llm, cache: tier)
        _ = try await p.answer(QARequest(tenant: Fixtures.alice, question: "Who was the Norse leader?", documents: [Fixtures.normans]))
        let afterMiss = await tier.stats
        // The miss asked the remote (lookup + reply) and wrote through (store).
        #expect(afterMiss.misses == 1)
        #expect(afterMiss.bytesTransferred > 0)
        #expect(await remote.lookups == 1)
        #expect(await remote.stores == 1)
        #expect(await remote.bytesReceived + remote.bytesSent == afterMiss.bytesTransferred)

        let r = try await p.answer(QARequest(tenant: Fixtures.alice, question: "Who was the leader of the Norse?", documents: [Fixtures.normans]))
        #expect(r.documents.first?.outcome == .hit)
        #expect(r.documents.first?.tier == .local)
        let afterHit = await tier.stats
        #expect(afterHit.localHits == 1)
        #expect(afterHit.bytesTransferred == afterMiss.bytesTransferred)
        // At least the question vector (256 floats as JSON) plus the summary did not travel.
        #expect(afterHit.bytesNotTransferred > 256 * 2 + (r.documents.first?.summary.utf8.count ?? 0))
        #expect(await remote.lookups == 1)
    }

    @Test("a remote hit is served and copied locally; the next lookup stays local")
    func remoteHitIsCopiedLocally() async throws {
        let remoteCache = try LocalSummaryCache(config: Fixtures.config())
        let remote = InMemoryRemoteSummaryCache(backing: remoteCache)
        let q = "Who was the Norse leader?"
        let v = try await Fixtures.embedder.embed([q])[0]
        try await remoteCache.store(tenant: Fixtures.alice, document: QAPipeline.cacheKey(Fixtures.normans), fingerprint: Fixtures.embedder.fingerprint,
                                    query: q, vector: v, summary: "Rollo led them.", summaryTokenCost: 77, now: 0)
        let tier = TieredSummaryCache(local: try LocalSummaryCache(config: Fixtures.config()), remote: remote)
        let llm = FakeLLM()
        let p = Fixtures.pipeline(llm: llm, cache: tier)
        let first = try await p.answer(QARequest(tenant: Fixtures.alice, question: q, documents: [Fixtures.normans]))
        #expect(first.documents.first?.tier == .remote)
        #expect(first.documents.first?.tokensSaved == 77)
        let second = try await p.answer(QARequest(tenant: Fixtures.alice, question: q, documents: [Fixtures.normans]))
        #expect(second.documents.first?.tier == .local)
        #expect(second.documents.first?.summary == "Rollo led them.")
        let stats = await tier.stats
        #expect(stats.remoteHits == 1 && stats.localHits == 1)
        #expect(await llm.summaryCalls == 0)
        // Another tenant gets nothing from either tier.
        let bob = try await p.answer(QARequest(tenant: Fixtures.bob, question: q, documents: [Fixtures.normans]))
        #expect(bob.documents.first?.outcome == .miss)
    }
}
