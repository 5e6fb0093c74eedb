import Foundation
import QAPipeline
import SummaryCache

/// A deterministic LLM: a summary call returns "summary of <doc id> for: <question>", an answer
/// call returns the first line of the notes. Counts calls; optionally holds summary calls at a gate until
/// the test opens it (to line up concurrent misses).
actor FakeLLM: LLMClient {
    private(set) var summaryCalls = 0
    private(set) var answerCalls = 0
    private(set) var summaryQuestions: [String] = []
    private var gateOpen = true
    private var parked: [CheckedContinuation<Void, Never>] = []

    init(gated: Bool = false) { gateOpen = !gated }

    func open() {
        gateOpen = true
        for c in parked { c.resume() }
        parked = []
    }

    func complete(system: String, user: String, maxTokens: Int) async throws -> LLMCompletion {
        if system == Prompts.summarySystem {
            summaryCalls += 1
            if !gateOpen { await withCheckedContinuation { parked.append($0) } }
            let question = user.split(separator: "\n").first.map { String($0.dropFirst("Question: ".count)) } ?? ""
            summaryQuestions.append(question)
            let title = user.split(separator: "\n").first { $0.hasPrefix("Document") }.map(String.init) ?? ""
            return LLMCompletion(text: "summary (\(title)) for: \(question)", promptTokens: 100, completionTokens: 20, seconds: 0.5)
        }
        answerCalls += 1
        // The first line of the real notes (after the prompt's worked example).
        let notes = user.components(separatedBy: "Notes:\n").last ?? ""
        let firstNote = notes.split(separator: "\n").first.map(String.init) ?? ""
        return LLMCompletion(text: firstNote, promptTokens: 30, completionTokens: 5, seconds: 0.1)
    }
}

enum Fixtures {
    static let embedder = HashingEmbedder(dimensions: 256)
    static let alice = TenantID("alice")
    static let bob = TenantID("bob")
    static let normans = QADocument(id: DocumentID("normans"), text: "The Normans were led by Rollo, a Norse leader, in the 10th century.", title: "Normans")
    static let complexity = QADocument(id: DocumentID("complexity"), text: "Complexity theory classifies problems by the resources they need.", title: "Complexity")

    static func config(threshold: Float = 0.5) -> CacheConfig {
        var c = CacheConfig()
        c.similarityThreshold = threshold
        return c
    }

    static func pipeline(llm: FakeLLM, cache: any SummaryCacheBackend, corpus: QACorpus = QACorpus()) -> QAPipeline {
        QAPipeline(llm: llm, embedder: embedder, cache: cache, corpus: corpus, now: { 1000 })
    }
}
