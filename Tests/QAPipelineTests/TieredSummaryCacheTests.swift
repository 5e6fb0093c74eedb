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

    /// A cloud cache with a looser policy (guards off, low threshold) finds a hit the edge would
    /// never serve; the edge judges it with its own guards and reports a miss, so the pipeline
    /// summarises afresh. Before, remote hits were served on the remote policy's word alone.
    @Test("a remote hit the local policy would veto is overruled")
    func looserRemoteHitsAreOverruled() async throws {
        var loose = Fixtures.config(threshold: 0.3)
        loose.guards = .none
        let remoteCache = try LocalSummaryCache(config: loose)
        let remote = InMemoryRemoteSummaryCache(backing: remoteCache)
        let cached = "Who was the Norse leader?"
        let v = try await Fixtures.embedder.embed([cached])[0]
        try await remoteCache.store(tenant: Fixtures.alice, document: QAPipeline.cacheKey(Fixtures.normans), fingerprint: Fixtures.embedder.fingerprint,
                                    query: cached, vector: v, summary: "Rollo led them.", summaryTokenCost: 77, now: 0)
        let local = try LocalSummaryCache(config: Fixtures.config())
        let tier = TieredSummaryCache(local: local, remote: remote)
        let llm = FakeLLM()
        let p = Fixtures.pipeline(llm: llm, cache: tier)
        let asked = "When was the Norse leader born?"
        // The remote alone serves it (who vs when is not checked there).
        let direct = try await remoteCache.lookup(tenant: Fixtures.alice, document: QAPipeline.cacheKey(Fixtures.normans),
                                                  fingerprint: Fixtures.embedder.fingerprint, query: asked,
                                                  vector: try await Fixtures.embedder.embed([asked])[0], now: 1000)
        #expect(direct.hit?.cachedQuery == cached)
        let r = try await p.answer(QARequest(tenant: Fixtures.alice, question: asked, documents: [Fixtures.normans]))
        let doc = try #require(r.documents.first)
        #expect(doc.outcome == .miss)
        #expect(doc.vetoedBy.contains { $0.hasPrefix("questionType") })
        #expect(await llm.summaryCalls == 1)
        let stats = await tier.stats
        #expect(stats.remoteHitsOverruled == 1 && stats.remoteHits == 0 && stats.misses == 1)
        // Nothing of the overruled summary was copied into the edge.
        #expect(await local.policy.allEntries.allSatisfy { $0.summaryText != "Rollo led them." })
        // Another tenant gets nothing from either tier.
        let same = try await p.answer(QARequest(tenant: Fixtures.bob, question: cached, documents: [Fixtures.normans]))
        #expect(same.documents.first?.outcome == .miss)
        // The local verdicts themselves: a rewording it would reuse passes, a similarity below its
        // threshold does not (served-and-copied after a pass: `remoteHitIsCopiedLocally`).
        let agreed = await local.overrule(.init(summary: "s", cachedQuery: cached, similarity: 0.99, tokensSaved: 1, entryID: 1, tier: .remote),
                                          query: "Who was the leader of the Norse?")
        #expect(agreed == nil)
        let below = await local.overrule(.init(summary: "s", cachedQuery: cached, similarity: 0.31, tokensSaved: 1, entryID: 1, tier: .remote),
                                         query: "Who was the leader of the Norse?")
        #expect(below?.missReason?.contains("threshold") == true)
    }

    /// The focus guard on remote hits: the cached question's vector is not on the wire, so an
    /// edge with an embedder re-embeds the cached question's text and judges the two questions'
    /// focus on its own copy of the document. Without an embedder the same hit is served.
    @Test("an edge with an embedder runs the focus guard on remote hits", arguments: [true, false])
    func remoteHitsGetTheFocusGuard(withEmbedder: Bool) async throws {
        let document = QADocument(id: DocumentID("raiders"),
                                  text: "The raiders' leader was Rollo, who swore fealty to the king. The raiders' ships were longships, which sailed up the Seine.",
                                  title: "Raiders")
        var loose = Fixtures.config(threshold: 0.3)
        loose.guards = .none
        loose.focus = .off
        let remoteCache = try LocalSummaryCache(config: loose)
        let key = QAPipeline.cacheKey(document)
        let cached = "What was the name of the raiders' leader?"
        let asked = "What was the name of the raiders' ships?"
        let cv = try await Fixtures.embedder.embed([cached])[0]
        try await remoteCache.store(tenant: Fixtures.alice, document: key, fingerprint: Fixtures.embedder.fingerprint,
                                    query: cached, vector: cv, summary: "Rollo led them.", summaryTokenCost: 77, now: 0)
        let local = try LocalSummaryCache(config: Fixtures.config(threshold: 0.3))
        let tier = TieredSummaryCache(local: local, remote: InMemoryRemoteSummaryCache(backing: remoteCache),
                                      embedder: withEmbedder ? Fixtures.embedder : nil)
        let llm = FakeLLM()
        let r = try await Fixtures.pipeline(llm: llm, cache: tier)
            .answer(QARequest(tenant: Fixtures.alice, question: asked, documents: [document]))
        let doc = try #require(r.documents.first)
        let stats = await tier.stats
        if withEmbedder {
            #expect(doc.outcome == .miss)
            #expect(doc.vetoedBy.contains { $0.hasPrefix("focus") })
            #expect(stats.remoteHitsOverruled == 1 && stats.remoteHits == 0)
            #expect(await llm.summaryCalls == 1)
        } else {
            // The question guards pass (same type, no numbers or names): only the focus differs.
            #expect(doc.outcome == .hit && doc.tier == .remote)
            #expect(stats.remoteHits == 1)
        }
    }

    @Test("a remote hit copied by an edge with an embedder keeps the cached question's own vector")
    func remoteHitCopyKeepsTheCachedVector() async throws {
        let remoteCache = try LocalSummaryCache(config: Fixtures.config())
        let q = "Who was the Norse leader?"
        let v = try await Fixtures.embedder.embed([q])[0]
        try await remoteCache.store(tenant: Fixtures.alice, document: QAPipeline.cacheKey(Fixtures.normans), fingerprint: Fixtures.embedder.fingerprint,
                                    query: q, vector: v, summary: "Rollo led them.", summaryTokenCost: 77, now: 0)
        let local = try LocalSummaryCache(config: Fixtures.config())
        let tier = TieredSummaryCache(local: local, remote: InMemoryRemoteSummaryCache(backing: remoteCache), embedder: Fixtures.embedder)
        let asked = "Who was the leader of the Norse?"
        let r = try await Fixtures.pipeline(llm: FakeLLM(), cache: tier)
            .answer(QARequest(tenant: Fixtures.alice, question: asked, documents: [Fixtures.normans]))
        #expect(r.documents.first?.tier == .remote)
        let copy = try #require(await local.policy.allEntries.first { $0.queryText == q })
        let av = try await Fixtures.embedder.embed([asked])[0]
        func cosine(_ a: [Float], _ b: [Float]) -> Float { zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } }
        #expect(cosine(copy.queryVector, v) > 0.9999)
        #expect(cosine(copy.queryVector, av) < 0.99)
    }
}
