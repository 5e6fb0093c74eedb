import SummaryCache
import Testing

/// `merge`: entries another controller wrote to a shared store become servable without a restart.
@Suite struct PolicyMergeTests {
    /// Controller B stores; controller A merges B's entries (as the store reports them).
    @Test func mergedEntriesAreServedAndIDsStayUnique() throws {
        var a = try SummaryCachePolicy(config: Fixture.config())
        var b = try SummaryCachePolicy(config: Fixture.config())
        try Fixture.store(&a, query: "Who founded Carthage?", summary: "A's", now: 0)
        try Fixture.store(&b, query: "When did Rome fall?", summary: "B's", now: 1)
        // B's entry carries B's id 1, which A already uses: the store maps rows, so it arrives as 7.
        var fromB = b.allEntries[0]
        fromB.id = EntryID(7)
        #expect(!(try Fixture.lookup(&a, query: "When did Rome fall?", now: 2).result.isHit))
        let outcome = a.merge([fromB], now: 2)
        #expect(outcome.added == 1 && outcome.updated == 0 && outcome.skipped == 0 && outcome.actions.isEmpty)
        let hit = try Fixture.lookup(&a, query: "When did Rome fall?", now: 3)
        #expect(hit.result.entry?.summaryText == "B's")
        // Tenant isolation holds for merged entries too.
        #expect(!(try Fixture.lookup(&a, tenant: Fixture.bob, query: "When did Rome fall?", now: 3).result.isHit))
        // Local ids continue above the merged one.
        #expect(try Fixture.store(&a, query: "Who sacked Rome?", now: 4).stored?.id == EntryID(8))
    }

    @Test func reSeenEntriesOnlyMoveCountersForward() throws {
        var a = try SummaryCachePolicy(config: Fixture.config())
        let mine = try #require(try Fixture.store(&a, query: "Who founded Carthage?", now: 0).stored)
        _ = try Fixture.lookup(&a, query: "Who founded Carthage?", now: 5)
        var seen = mine
        seen.hits = 3
        seen.lastUsedAt = 4
        let outcome = a.merge([seen], now: 6)
        #expect(outcome.updated == 1 && outcome.added == 0)
        let now = try #require(a.entry(mine.id))
        #expect(now.hits == 3 && now.lastUsedAt == 5, "larger of both: hits from the store, last use local")
        #expect(a.count == 1)
    }

    @Test func anIDCollisionGetsAFreshID() throws {
        var a = try SummaryCachePolicy(config: Fixture.config())
        try Fixture.store(&a, query: "Who founded Carthage?", summary: "mine", now: 0)
        var b = try SummaryCachePolicy(config: Fixture.config())
        let other = try #require(try Fixture.store(&b, query: "When did Rome fall?", summary: "theirs", now: 0).stored)
        #expect(other.id == EntryID(1))
        #expect(a.merge([other], now: 1).added == 1)
        #expect(a.count == 2)
        #expect(try Fixture.lookup(&a, query: "Who founded Carthage?", now: 2).result.entry?.summaryText == "mine")
        #expect(try Fixture.lookup(&a, query: "When did Rome fall?", now: 2).result.entry?.summaryText == "theirs")
        #expect(Set(a.allEntries.map(\.id)).count == 2)
    }

    @Test func theNewerSummaryOfOneQuestionWins() throws {
        var a = try SummaryCachePolicy(config: Fixture.config())
        let mine = try #require(try Fixture.store(&a, query: "Who founded Carthage?", summary: "mine", now: 10).stored)
        var older = mine
        older.id = EntryID(40)
        older.summaryText = "older"
        older.createdAt = 5
        #expect(a.merge([older], now: 11).skipped == 1)
        #expect(a.entry(mine.id)?.summaryText == "mine")
        var newer = older
        newer.id = EntryID(41)
        newer.summaryText = "newer"
        newer.createdAt = 12
        #expect(a.merge([newer], now: 13).added == 1)
        #expect(a.count == 1)
        #expect(try Fixture.lookup(&a, query: "Who founded Carthage?", now: 14).result.entry?.summaryText == "newer")
    }

    @Test func expiredAndMalformedEntriesAreSkippedAndLimitsHold() throws {
        var a = try SummaryCachePolicy(config: Fixture.config(ttl: 50, maxEntries: 2))
        var b = try SummaryCachePolicy(config: Fixture.config(ttl: 50))
        for (i, q) in ["q one", "q two", "q three"].enumerated() { try Fixture.store(&b, query: q, now: Double(10 * i)) }
        var entries = b.allEntries.map { e in var e = e; e.id = EntryID(e.id.rawValue + 100); return e }
        var bad = entries[1]
        bad.id = EntryID(200)
        bad.queryVector = [1, 2, 3]
        entries.append(bad)
        // At 55 the first (created at 0) has expired: never served, even if another writer still has it.
        let outcome = a.merge(entries, now: 55)
        #expect(outcome.skipped == 2 && outcome.added == 2)
        #expect(a.count == 2)
        try Fixture.store(&a, query: "q four", now: 56)
        #expect(a.count == 2, "the limit holds after a merge")
    }
}
