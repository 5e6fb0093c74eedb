import ServeCore
import SummaryCache
import Testing

@Suite("InFlightTable")
struct InFlightTableTests {
    @Test("N begins for one key: one leader, N-1 followers, all woken", arguments: [1, 2, 10, 100])
    func oneLeader(n: Int) {
        var table = InFlightTable<String>()
        var roles: [InFlightTable<String>.Role] = []
        for _ in 0..<n { roles.append(table.begin("k")) }
        #expect(roles.filter { $0 == .leader }.count == 1)
        #expect(roles.first == .leader)
        let tickets = roles.compactMap { if case let .follower(t) = $0 { t } else { nil } }
        #expect(tickets.count == n - 1)
        #expect(table.followerCount("k") == n - 1)
        let woken = table.complete("k")
        #expect(woken == tickets)
        #expect(!table.isInFlight("k"))
        let again = table.begin("k")
        #expect(again == .leader)
    }

    @Test func keysAreIndependentAndCancelWithdrawsAFollower() {
        var table = InFlightTable<Int>()
        let first = [table.begin(1), table.begin(2)]
        #expect(first == [.leader, .leader])
        guard case let .follower(t) = table.begin(1) else {
            Issue.record("expected a follower")
            return
        }
        #expect(table.inFlightCount == 2)
        let cancelled = table.cancel(t, for: 1)
        let cancelledTwice = table.cancel(t, for: 1)
        #expect(cancelled && !cancelledTwice)
        let woken = [table.complete(1), table.complete(2), table.complete(3)]
        #expect(woken.allSatisfy { $0.isEmpty })
    }

    /// Seeded interleaving of begins and completes over several keys against a simple model.
    @Test func randomInterleavingsMatchTheModel() {
        var rng = SplitMix64(seed: 99)
        var table = InFlightTable<Int>()
        var model: [Int: [InFlightTable<Int>.Ticket]] = [:]
        for _ in 0..<5000 {
            let key = Int(rng.next() % 5)
            if rng.next() % 3 == 0 {
                let woken = table.complete(key)
                #expect(woken == (model.removeValue(forKey: key) ?? []))
            } else {
                switch table.begin(key) {
                case .leader:
                    #expect(model[key] == nil)
                    model[key] = []
                case let .follower(t):
                    #expect(model[key] != nil)
                    model[key, default: []].append(t)
                }
            }
        }
    }

    /// The runtime shape: an actor around the table, N concurrent identical misses, one "LLM call".
    @Test func concurrentMissesPayOneCall() async {
        actor Flight {
            var table = InFlightTable<SummaryFlightKey>()
            var waiting: [InFlightTable<SummaryFlightKey>.Ticket: CheckedContinuation<Void, Never>] = [:]
            var calls = 0
            var stored = false
            func summarise(_ key: SummaryFlightKey) async {
                if stored { return }
                switch table.begin(key) {
                case .leader:
                    calls += 1
                    await Task.yield()
                    stored = true
                    for t in table.complete(key) { waiting.removeValue(forKey: t)?.resume() }
                case let .follower(t):
                    await withCheckedContinuation { waiting[t] = $0 }
                }
            }
        }
        let flight = Flight()
        let key = SummaryFlightKey(partition: PartitionKey(tenant: TenantID("t"), document: Fixture.doc1, fingerprint: Fixture.fingerprint),
                                   query: "  Who founded   Carthage? ")
        #expect(key == SummaryFlightKey(partition: key.partition, query: "who founded carthage?"))
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<50 { group.addTask { await flight.summarise(key) } }
        }
        #expect(await flight.calls == 1)
    }
}
