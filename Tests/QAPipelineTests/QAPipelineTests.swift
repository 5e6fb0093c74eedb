import QAPipeline
import SummaryCache
import Testing

@Suite("QAPipeline")
struct QAPipelineTests {
    @Test("a miss summarises and caches; a paraphrase-like question reuses it with provenance")
    func missThenHit() async throws {
        let llm = FakeLLM()
        let cache = try LocalSummaryCache(config: Fixtures.config())
        let p = Fixtures.pipeline(llm: llm, cache: cache)
        let first = try await p.answer(QARequest(tenant: Fixtures.alice, question: "Who was the Norse leader?", documents: [Fixtures.normans]))
        let d0 = try #require(first.documents.first)
        #expect(d0.outcome == .miss)
        #expect(d0.summaryTokens == 120)
        #expect(d0.tokensSaved == 0)
        #expect(d0.missReason == "no candidates")

        let second = try await p.answer(QARequest(tenant: Fixtures.alice, question: "Who was the leader of the Norse?", documents: [Fixtures.normans]))
        let d1 = try #require(second.documents.first)
        #expect(d1.outcome == .hit)
        #expect(d1.reusedQuestion == "Who was the Norse leader?")
        #expect(d1.tokensSaved == 120)
        #expect(d1.summaryTokens == 0)
        #expect((d1.similarity ?? 0) >= 0.5)
        #expect(d1.tier == .local)
        #expect(d1.summary == d0.summary)
        #expect(second.answer == d0.summary)
        #expect(await llm.summaryCalls == 1)
        #expect(await llm.answerCalls == 2)
    }

    @Test("with aliasHits (experiment, off by default) a hit also stores the new question as a key of the same summary")
    func aliasHitsStoresAnotherKey() async throws {
        for alias in [false, true] {
            let llm = FakeLLM()
            let cache = try LocalSummaryCache(config: Fixtures.config())
            let p = QAPipeline(llm: llm, embedder: Fixtures.embedder, cache: cache, config: QAPipelineConfig(aliasHits: alias), now: { 1000 })
            let first = try await p.answer(QARequest(tenant: Fixtures.alice, question: "Who was the Norse leader?", documents: [Fixtures.normans]))
            let second = try await p.answer(QARequest(tenant: Fixtures.alice, question: "Who was the leader of the Norse?", documents: [Fixtures.normans]))
            #expect(second.documents.first?.outcome == .hit)
            #expect(await cache.count == (alias ? 2 : 1))
            // Asked again, the paraphrase finds itself (alias) or the original (no alias); same summary either way.
            let third = try await p.answer(QARequest(tenant: Fixtures.alice, question: "Who was the leader of the Norse?", documents: [Fixtures.normans]))
            let d = try #require(third.documents.first)
            #expect(d.reusedQuestion == (alias ? "Who was the leader of the Norse?" : "Who was the Norse leader?"))
            #expect(d.summary == first.documents.first?.summary)
            #expect(d.tokensSaved == 120)
            #expect(await llm.summaryCalls == 1)
        }
    }

    @Test("near-misses that are similar enough are vetoed by the guards and reported", arguments: [
        ("Who was not the Norse leader?", "negation"),
        ("When was the Norse leader?", "questionType"),
    ])
    func nearMissVetoed(question: String, guardKind: String) async throws {
        let llm = FakeLLM()
        let cache = try LocalSummaryCache(config: Fixtures.config(threshold: 0.3))
        let p = Fixtures.pipeline(llm: llm, cache: cache)
        _ = try await p.answer(QARequest(tenant: Fixtures.alice, question: "Who was the Norse leader?", documents: [Fixtures.normans]))
        let r = try await p.answer(QARequest(tenant: Fixtures.alice, question: question, documents: [Fixtures.normans]))
        let d = try #require(r.documents.first)
        #expect(d.outcome == .miss)
        #expect(d.vetoedBy.contains { $0.hasPrefix(guardKind) })
        #expect(d.missReason?.hasPrefix("vetoed") == true)
        #expect(await llm.summaryCalls == 2)
    }

    @Test("another tenant never hits, even with the identical question and document")
    func tenantIsolation() async throws {
        let llm = FakeLLM()
        let cache = try LocalSummaryCache(config: Fixtures.config())
        let p = Fixtures.pipeline(llm: llm, cache: cache)
        let q = "Who was the Norse leader?"
        _ = try await p.answer(QARequest(tenant: Fixtures.alice, question: q, documents: [Fixtures.normans]))
        let bob = try await p.answer(QARequest(tenant: Fixtures.bob, question: q, documents: [Fixtures.normans]))
        #expect(bob.documents.first?.outcome == .miss)
        #expect(bob.documents.first?.missReason == "no candidates")
        let alice = try await p.answer(QARequest(tenant: Fixtures.alice, question: q, documents: [Fixtures.normans]))
        #expect(alice.documents.first?.outcome == .hit)
        #expect(await llm.summaryCalls == 2)
    }

    @Test("an edited document misses (new content hash) and its old summaries are dropped")
    func documentChangeInvalidates() async throws {
        let llm = FakeLLM()
        let cache = try LocalSummaryCache(config: Fixtures.config())
        let p = Fixtures.pipeline(llm: llm, cache: cache)
        let q = "Who was the Norse leader?"
        _ = try await p.answer(QARequest(tenant: Fixtures.alice, question: q, documents: [Fixtures.normans]))
        var edited = Fixtures.normans
        edited.text += " Rollo swore fealty to Charles III."
        #expect(edited.version != Fixtures.normans.version)
        let r = try await p.answer(QARequest(tenant: Fixtures.alice, question: q, documents: [edited]))
        #expect(r.documents.first?.outcome == .miss)
        #expect(r.documents.first?.version.hasPrefix(edited.version) == true)
        // Storing the new version dropped the old one: one entry left.
        #expect(await cache.count == 1)
        let again = try await p.answer(QARequest(tenant: Fixtures.alice, question: q, documents: [Fixtures.normans]))
        #expect(again.documents.first?.outcome == .miss)
        #expect(await llm.summaryCalls == 3)
    }

    @Test("explicit invalidation removes a document's summaries")
    func explicitInvalidation() async throws {
        let llm = FakeLLM()
        let cache = try LocalSummaryCache(config: Fixtures.config())
        let p = Fixtures.pipeline(llm: llm, cache: cache)
        let q = "Who was the Norse leader?"
        _ = try await p.answer(QARequest(tenant: Fixtures.alice, question: q, documents: [Fixtures.normans]))
        try await cache.invalidate(tenant: Fixtures.alice, documentID: Fixtures.normans.id)
        let r = try await p.answer(QARequest(tenant: Fixtures.alice, question: q, documents: [Fixtures.normans]))
        #expect(r.documents.first?.outcome == .miss)
    }

    @Test("several documents: per-document provenance in input order, retrieval when none are given")
    func multipleDocumentsAndRetrieval() async throws {
        let llm = FakeLLM()
        let cache = try LocalSummaryCache(config: Fixtures.config())
        let corpus = QACorpus([Fixtures.normans, Fixtures.complexity])
        let p = Fixtures.pipeline(llm: llm, cache: cache, corpus: corpus)
        let both = try await p.answer(QARequest(tenant: Fixtures.alice, question: "Who led the Normans?", documents: [Fixtures.complexity, Fixtures.normans]))
        #expect(both.documents.map(\.documentID) == ["complexity", "normans"])
        #expect(both.summaryCalls == 2)
        let retrieved = try await p.answer(QARequest(tenant: Fixtures.alice, question: "Who led the Normans?", topK: 1))
        #expect(retrieved.documents.map(\.documentID) == ["normans"])
        #expect(retrieved.documents.first?.outcome == .hit)
        await #expect(throws: QAPipelineError.self) {
            _ = try await p.answer(QARequest(tenant: Fixtures.alice, question: "zzz qqq", topK: 1))
        }
    }

    @Test("with the cache disabled every question is summarised and nothing is embedded or stored")
    func cacheDisabled() async throws {
        let llm = FakeLLM()
        let cache = try LocalSummaryCache(config: Fixtures.config())
        let p = QAPipeline(llm: llm, embedder: Fixtures.embedder, cache: cache, config: QAPipelineConfig(cacheEnabled: false), now: { 0 })
        for _ in 0..<2 {
            let r = try await p.answer(QARequest(tenant: Fixtures.alice, question: "Who was the Norse leader?", documents: [Fixtures.normans]))
            #expect(r.documents.first?.outcome == .bypass)
        }
        #expect(await llm.summaryCalls == 2)
        #expect(await cache.count == 0)
    }
}
