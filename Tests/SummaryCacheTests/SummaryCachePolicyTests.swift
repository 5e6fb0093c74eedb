import ServeCore
import SummaryCache
import Testing

@Suite("SummaryCachePolicy")
struct SummaryCachePolicyTests {
    @Test func storeThenParaphraseHitsWithProvenance() throws {
        var p = try SummaryCachePolicy(config: Fixture.config(threshold: 0.5))
        let stored = try Fixture.store(&p, query: "Who founded the city of Carthage?", summary: "Dido founded it.", cost: 321, now: 0)
        #expect(stored.stored != nil && stored.actions.count == 1)
        let out = try Fixture.lookup(&p, query: "who founded the city of Carthage", now: 5)
        let entry = try #require(out.result.entry)
        #expect(entry.summaryText == "Dido founded it.")
        #expect(entry.hits == 1 && entry.lastUsedAt == 5 && entry.createdAt == 0)
        #expect(out.tokensSaved == 321)
        #expect(out.provenance.candidates.first?.outcome == .hit)
        #expect(out.actions == [.touch(entry.id, lastUsedAt: 5, hits: 1)])
        #expect(p.stats.hits == 1 && p.stats.tokensSaved == 321)
    }

    @Test func missReasons() throws {
        var p = try SummaryCachePolicy(config: Fixture.config(threshold: 0.5, ttl: 10))
        #expect(try Fixture.lookup(&p, query: "Who founded Carthage?", now: 0).result == .miss(.noCandidates))
        try Fixture.store(&p, query: "Who founded the city of Carthage?", now: 0)
        let unrelated = try Fixture.lookup(&p, query: "What colour are flamingos in zoos?", now: 1).result
        guard case .miss(.belowThreshold) = unrelated else {
            Issue.record("expected belowThreshold, got \(unrelated)")
            return
        }
        let vetoed = try Fixture.lookup(&p, query: "Who founded the city of Utica?", now: 2).result
        guard case let .miss(.vetoed(v)) = vetoed else {
            Issue.record("expected vetoed, got \(vetoed)")
            return
        }
        #expect(v.verdict.firedKinds == [.entities])
        #expect(v.cachedQuery == "Who founded the city of Carthage?")
        let late = try Fixture.lookup(&p, query: "Who founded the city of Carthage?", now: 10)
        #expect(late.result == .miss(.expired))
        #expect(late.actions.count == 1 && p.count == 0)
        #expect(p.stats.missesExpired == 1 && p.stats.missesVetoed == 1 && p.stats.missesNoCandidates == 1)
    }

    @Test func ttlIsAbsoluteAndNotExtendedByHits() throws {
        var p = try SummaryCachePolicy(config: Fixture.config(ttl: 100))
        try Fixture.store(&p, query: "When did Rome fall?", now: 0)
        for t in stride(from: 10.0, to: 100, by: 10) {
            #expect(try Fixture.lookup(&p, query: "When did Rome fall?", now: t).result.isHit)
        }
        #expect(p.allEntries.first?.createdAt == 0)
        #expect(try !Fixture.lookup(&p, query: "When did Rome fall?", now: 100).result.isHit)
        #expect(p.count == 0)
    }

    @Test func isolationByTenantVersionAndFingerprint() throws {
        var p = try SummaryCachePolicy(config: Fixture.config())
        let q = "Who founded the city of Carthage?"
        try Fixture.store(&p, query: q, now: 0)
        #expect(try Fixture.lookup(&p, tenant: Fixture.bob, query: q, now: 1).result == .miss(.noCandidates))
        let v2 = DocumentKey(documentID: Fixture.doc1.documentID, version: "v2")
        #expect(try Fixture.lookup(&p, document: v2, query: q, now: 1).result == .miss(.noCandidates))
        #expect(try Fixture.lookup(&p, fingerprint: Fixture.otherFingerprint, query: q, now: 1).result == .miss(.noCandidates))
        #expect(try Fixture.lookup(&p, query: q, now: 1).result.isHit)
    }

    @Test func newVersionInvalidatesTheOldOne() throws {
        var p = try SummaryCachePolicy(config: Fixture.config())
        try Fixture.store(&p, query: "Q one?", now: 0)
        try Fixture.store(&p, tenant: Fixture.bob, query: "Q one?", now: 0)
        let v2 = DocumentKey(documentID: Fixture.doc1.documentID, version: "v2")
        let out = try Fixture.store(&p, document: v2, query: "Q two?", now: 1)
        #expect(out.actions.filter { if case .delete(_, .invalidated) = $0 { true } else { false } }.count == 1)
        #expect(p.allEntries.map(\.document.version).sorted() == ["v1", "v2"])  // bob's v1 stays
        #expect(p.invalidate(tenant: Fixture.alice, documentID: Fixture.doc1.documentID).count == 1)
        #expect(p.allEntries.map(\.tenant) == [Fixture.bob])
    }

    @Test func sameQuestionReplacesTheOldSummary() throws {
        var p = try SummaryCachePolicy(config: Fixture.config())
        let first = try Fixture.store(&p, query: "Who?", summary: "old", now: 0)
        let second = try Fixture.store(&p, query: "Who?", summary: "new", now: 1)
        #expect(p.count == 1 && p.allEntries.first?.summaryText == "new")
        #expect(second.actions.first == .delete(try #require(first.stored?.id), reason: .replaced))
    }

    @Test func evictionPrefersCheapAndUnusedEntries() throws {
        var p = try SummaryCachePolicy(config: Fixture.config(maxEntries: 3))
        try Fixture.store(&p, query: "alpha question one", cost: 1000, now: 0)
        try Fixture.store(&p, query: "beta question two", cost: 10, now: 1)
        try Fixture.store(&p, query: "gamma question three", cost: 1000, now: 2)
        let out = try Fixture.store(&p, query: "delta question four", cost: 1000, now: 3)
        #expect(p.count == 3)
        #expect(!p.allEntries.contains { $0.queryText == "beta question two" })
        #expect(out.actions.contains { if case .delete(_, .evicted) = $0 { true } else { false } })
    }

    @Test func hitsProtectFromEviction() throws {
        // Same sizes and costs: only the hits differ (and the newcomer is the most recent).
        var p = try SummaryCachePolicy(config: Fixture.config(maxEntries: 2))
        try Fixture.store(&p, query: "query aaaa", cost: 100, now: 0)
        try Fixture.store(&p, query: "query bbbb", cost: 100, now: 1)
        for t in 2..<6 { _ = try Fixture.lookup(&p, query: "query aaaa", now: Double(t)) }
        try Fixture.store(&p, query: "query cccc", cost: 100, now: 7)
        #expect(p.allEntries.map(\.queryText) == ["query aaaa", "query cccc"])
    }

    @Test func byteLimitAndOversizedEntries() throws {
        let probe = CacheEntry(id: EntryID(1), tenant: Fixture.alice, document: Fixture.doc1, fingerprint: Fixture.fingerprint,
                               queryText: "q", queryVector: Fixture.vector("q"), summaryText: "", summaryTokenCost: 1, createdAt: 0)
        var p = try SummaryCachePolicy(config: Fixture.config(maxBytes: probe.bytes * 3 + 200))
        for i in 0..<10 { try Fixture.store(&p, query: "question \(i)", summary: "s", now: Double(i)) }
        #expect(p.totalBytes <= probe.bytes * 3 + 200)
        let big = try Fixture.store(&p, query: "huge", summary: String(repeating: "x", count: probe.bytes * 4), now: 20)
        #expect(big.stored == nil)
        #expect(!big.actions.contains { if case .persist = $0 { true } else { false } })
    }

    @Test func restoreRebuildsDropsExpiredAndContinuesIDs() throws {
        var p = try SummaryCachePolicy(config: Fixture.config(ttl: 50))
        try Fixture.store(&p, query: "Who founded Carthage?", now: 0)
        try Fixture.store(&p, query: "When did Rome fall?", now: 40)
        var q = try SummaryCachePolicy(config: Fixture.config(ttl: 50))
        let actions = try q.restore(p.allEntries, now: 60)
        #expect(actions == [.delete(EntryID(1), reason: .expired)])
        #expect(try Fixture.lookup(&q, query: "When did Rome fall?", now: 61).result.isHit)
        let next = try Fixture.store(&q, query: "new one", now: 62)
        #expect(next.stored?.id == EntryID(3))
        var bad = p.allEntries[0]
        bad.queryVector = [1, 2]
        var r = try SummaryCachePolicy(config: Fixture.config())
        #expect(throws: CacheError.self) { try r.restore([bad], now: 0) }
    }

    @Test func rejectsMismatchedVectors() throws {
        var p = try SummaryCachePolicy(config: Fixture.config())
        #expect(throws: CacheError.dimensionMismatch(expected: 64, actual: 3)) {
            try p.lookup(tenant: Fixture.alice, document: Fixture.doc1, fingerprint: Fixture.fingerprint, query: "q", vector: [1, 2, 3], now: 0)
        }
        #expect(throws: CacheError.self) {
            try p.store(tenant: Fixture.alice, document: Fixture.doc1, fingerprint: Fixture.fingerprint, query: "q",
                        vector: [Float](repeating: 0, count: 64), summary: "s", summaryTokenCost: 1, now: 0)
        }
    }

    @Test func largePartitionSwitchesToHNSWAndStillHits() throws {
        var c = Fixture.config(threshold: 0.9)
        c.hnswMinimumEntries = 64
        var p = try SummaryCachePolicy(config: c)
        for i in 0..<200 { try Fixture.store(&p, query: "question number \(i) about topic \(i % 7)", now: 0) }
        let out = try Fixture.lookup(&p, query: "question number 123 about topic 4", now: 1)
        #expect(out.result.entry?.queryText == "question number 123 about topic 4")
    }

    @Test func aVetoedNearestNeighbourDoesNotHideAValidParaphrase() throws {
        var p = try SummaryCachePolicy(config: Fixture.config(threshold: 0.2))
        try Fixture.store(&p, query: "Who founded the city of Utica?", summary: "utica", now: 0)
        try Fixture.store(&p, query: "Who founded Carthage?", summary: "carthage", now: 0)
        let out = try Fixture.lookup(&p, query: "Who founded the city of Carthage?", now: 1)
        #expect(out.result.entry?.summaryText == "carthage")
        let outcomes = out.provenance.candidates.map(\.outcome)
        #expect(outcomes.first { if case .vetoed = $0 { true } else { false } } != nil)
        #expect(outcomes.contains(.hit))
    }
}

@Suite("AdaptiveIndex")
struct AdaptiveIndexTests {
    @Test func switchesToHNSWAndBackWithoutLosingEntries() throws {
        var rng = SplitMix64(seed: 5)
        let gen = SyntheticVectors(dimensions: 16, clusters: 4, using: &rng)
        let data = gen.sample(count: 100, using: &rng)
        var index = AdaptiveIndex(dimensions: 16, hnswMinimumEntries: 40, hnswParameters: HNSWParameters())
        for (i, v) in data.enumerated() {
            try index.add(EntryID(UInt64(i)), vector: v)
            #expect(index.isApproximate == (i + 1 >= 40))
        }
        for i in 0..<85 { index.remove(EntryID(UInt64(i))) }
        #expect(!index.isApproximate && index.count == 15)
        for i in 85..<100 { #expect(try index.search(data[i], k: 1).first?.id == EntryID(UInt64(i))) }
    }
}
