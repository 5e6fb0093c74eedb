import QAPipeline
import SummaryCache
import Testing

@Suite("SingleFlight")
struct SingleFlightTests {
    @Test("N concurrent identical misses pay one LLM call; the others wait and hit", arguments: [2, 8])
    func coalescesIdenticalMisses(n: Int) async throws {
        let llm = FakeLLM(gated: true)
        let cache = try LocalSummaryCache(config: Fixtures.config())
        let p = Fixtures.pipeline(llm: llm, cache: cache)
        let question = "Who was the Norse leader?"
        let key = SummaryFlightKey(partition: PartitionKey(tenant: Fixtures.alice, document: QAPipeline.cacheKey(Fixtures.normans),
                                                           fingerprint: Fixtures.embedder.fingerprint), query: question)
        let responses = try await withThrowingTaskGroup(of: QAResponse.self) { group in
            for _ in 0..<n {
                group.addTask { try await p.answer(QARequest(tenant: Fixtures.alice, question: question, documents: [Fixtures.normans])) }
            }
            // Open the gate once the leader is in the LLM and every other caller waits on it.
            while true {
                let waiting = await p.flights.waiting(on: key), calls = await llm.summaryCalls
                if waiting >= n - 1 && calls >= 1 { break }
                await Task.yield()
            }
            await llm.open()
            var all: [QAResponse] = []
            for try await r in group { all.append(r) }
            return all
        }
        #expect(await llm.summaryCalls == 1)
        let outcomes = responses.compactMap(\.documents.first)
        #expect(outcomes.filter { $0.outcome == .miss }.count == 1)
        #expect(outcomes.filter { $0.outcome == .hit && $0.coalesced }.count == n - 1)
        #expect(await p.flights.totalWaiting == 0)
    }

    @Test("a failing leader wakes its followers; one of them leads the retry")
    func failedLeaderHandsOver() async throws {
        let flights = SingleFlight<String>()
        #expect(await flights.join("k"))
        let follower = Task { await flights.join("k") }
        while await flights.waiting(on: "k") < 1 { await Task.yield() }
        await flights.finish("k")          // the leader gave up
        #expect(await follower.value == false)
        #expect(await flights.join("k"))   // the next caller leads
        await flights.finish("k")
    }

    @Test("different keys do not wait on each other")
    func independentKeys() async {
        let flights = SingleFlight<String>()
        #expect(await flights.join("a"))
        #expect(await flights.join("b"))
        #expect(await flights.totalWaiting == 0)
    }
}
