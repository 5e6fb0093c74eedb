import Foundation
import QAPipeline
import SummaryCache
import Testing

@Suite("DocumentSegmenter")
struct DocumentSegmenterTests {
    @Test func splitsSentencesButNotInitialsOrAbbreviations() {
        let text = "The Normans came from Normandy. They were led by Rollo! Was it c. 911? J. Smith wrote \"Normans.\" In 1066 they won."
        #expect(DocumentSegmenter.sentences(text) == [
            "The Normans came from Normandy.", "They were led by Rollo!", "Was it c. 911?", "J. Smith wrote \"Normans.\"", "In 1066 they won.",
        ])
        #expect(DocumentSegmenter.sentences("") == [])
        #expect(DocumentSegmenter.sentences("no final period") == ["no final period"])
        #expect(DocumentSegmenter.sentences("Pi is 3.14 here. Next.") == ["Pi is 3.14 here.", "Next."])
    }

    @Test func longSentencesAreCutIntoClausesShortOnesStay() {
        let long = (0..<12).map { "Clause \($0) has five words," }.joined(separator: " ") + " end."
        let units = DocumentSegmenter.units("Short one. " + long, maxWords: 40, minWords: 6)
        #expect(units.first == "Short one.")
        #expect(units.count > 2)
        // Nothing is lost or reordered: the units join back to the text's words.
        #expect(units.joined(separator: " ").split(separator: " ") == ("Short one. " + long).split(separator: " "))
        #expect(units.dropFirst().allSatisfy { $0.split(separator: " ").count >= 6 })
    }
}

/// Counts embedded texts (to check the per-document cache).
final class CountingEmbedder: Embedder, @unchecked Sendable {
    let base = HashingEmbedder(dimensions: 64)
    private let lock = NSLock()
    private var texts: [String] = []
    var fingerprint: EmbedderFingerprint { base.fingerprint }
    var embedded: [String] { lock.withLock { texts } }
    func embed(_ batch: [String]) async throws -> [[Float]] {
        lock.withLock { texts += batch }
        return try await base.embed(batch)
    }
}

@Suite("DocumentFocusCache")
struct DocumentFocusCacheTests {
    @Test func embedsEachDocumentVersionOnce() async throws {
        let embedder = CountingEmbedder()
        let cache = DocumentFocusCache(capacity: 2)
        let d1 = QADocument(id: DocumentID("a"), text: "Rollo led the Norse. They settled in Normandy. Their duke was Richard.")
        let f1 = try await cache.focus(of: d1, embedder: embedder)
        #expect(f1.count == 3 && f1.dimensions == 64)
        _ = try await cache.focus(of: d1, embedder: embedder)
        #expect(embedder.embedded.count == 3)
        let (computed, reused) = (await cache.computed, await cache.reused)
        #expect(computed == 1 && reused == 1)
        // A new version (content changed) is embedded again.
        let d1v2 = QADocument(id: DocumentID("a"), text: "Rollo led the Norse. They settled in Normandy.")
        #expect(try await cache.focus(of: d1v2, embedder: embedder).count == 2)
        #expect(embedder.embedded.count == 5)
    }

    @Test func boundedByCapacity() async throws {
        let embedder = CountingEmbedder()
        let cache = DocumentFocusCache(capacity: 1)
        let a = QADocument(id: DocumentID("a"), text: "One. Two.")
        let b = QADocument(id: DocumentID("b"), text: "Three. Four.")
        _ = try await cache.focus(of: a, embedder: embedder)
        _ = try await cache.focus(of: b, embedder: embedder)
        _ = try await cache.focus(of: a, embedder: embedder)
        #expect(await cache.computed == 3)
    }
}

@Suite("MemoizingLLMClient persistence")
struct MemoJournalTests {
    @Test func journalRecordsRealCallsAndSeedReplaysThem() async throws {
        let records = RecordBox()
        let llm = FakeLLM()
        let memo = MemoizingLLMClient(base: llm, journal: { records.add($0) })
        let c = try await memo.complete(system: Prompts.summarySystem, user: "Question: q\nDocument: d", maxTokens: 8)
        _ = try await memo.complete(system: Prompts.summarySystem, user: "Question: q\nDocument: d", maxTokens: 8)
        #expect(records.all.count == 1 && records.all.first?.completion == c)
        // A second client seeded with the journal replays without calling its LLM.
        let llm2 = FakeLLM()
        let memo2 = MemoizingLLMClient(base: llm2)
        await memo2.seed(records.all)
        #expect(try await memo2.complete(system: Prompts.summarySystem, user: "Question: q\nDocument: d", maxTokens: 8) == c)
        let (calls, real) = (await llm2.summaryCalls, await memo2.realCalls)
        #expect(calls == 0 && real == 0)
        // Records survive a JSON round trip (the `--llm-cache` file format).
        let data = try JSONEncoder().encode(records.all)
        let back = try JSONDecoder().decode([MemoizingLLMClient.Record].self, from: data)
        #expect(back.first?.prompt == records.all.first?.prompt)
    }
}

final class RecordBox: @unchecked Sendable {
    private let lock = NSLock()
    private var records: [MemoizingLLMClient.Record] = []
    func add(_ r: MemoizingLLMClient.Record) { lock.withLock { records.append(r) } }
    var all: [MemoizingLLMClient.Record] { lock.withLock { records } }
}
