import Foundation
import SummaryCache

/// Retrieve → summarise (cache first) → answer.
///
/// Per request: embed the question once; per document, look the summary up in the cache
/// (tenant, document id + content hash + prompt version, embedder fingerprint); a hit reuses the
/// summary, a miss asks the LLM for a query-aware summary and stores it. Concurrent identical
/// misses are coalesced (`SingleFlight`): one leader summarises, the others wait and then hit.
/// Finally one LLM call answers from the summaries. See docs/qa-pipeline.md.
public struct QAPipeline: Sendable {
    public let llm: any LLMClient
    public let embedder: any Embedder
    public let cache: any SummaryCacheBackend
    public let corpus: QACorpus
    public let config: QAPipelineConfig
    public let flights: SingleFlight<SummaryFlightKey>
    /// Unit embeddings per document version for the focus guard (nil: the guard is off).
    public let focusCache: DocumentFocusCache?
    /// Seconds on the cache's clock (TTL, recency). Injected so tests control time.
    public let now: @Sendable () -> Double

    public init(llm: any LLMClient, embedder: any Embedder, cache: any SummaryCacheBackend, corpus: QACorpus = QACorpus(),
                config: QAPipelineConfig = QAPipelineConfig(), flights: SingleFlight<SummaryFlightKey> = SingleFlight(),
                now: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 },
                focusCache: DocumentFocusCache? = DocumentFocusCache()) {
        self.llm = llm
        self.embedder = embedder
        self.cache = cache
        self.corpus = corpus
        self.config = config
        self.flights = flights
        self.now = now
        self.focusCache = focusCache
    }

    /// The cache key of a document: its content hash plus the summary prompt's version.
    public static func cacheKey(_ document: QADocument) -> DocumentKey {
        DocumentKey(documentID: document.id, version: document.version + "/" + Prompts.version)
    }

    public func answer(_ request: QARequest) async throws -> QAResponse {
        let documents = request.documents ?? corpus.retrieve(request.question, k: request.topK ?? config.retrieveTopK)
        guard !documents.isEmpty else { throw QAPipelineError.noDocuments(question: request.question) }
        let embedStart = ContinuousClock.now
        let vector = config.cacheEnabled ? try await embedQuestion(request.question) : []
        let embedSeconds = Self.seconds(since: embedStart)

        // Summaries per document, concurrently (the engine batches the LLM calls), in input order.
        var results = [(DocumentProvenance, Double)?](repeating: nil, count: documents.count)
        try await withThrowingTaskGroup(of: (Int, DocumentProvenance, Double).self) { group in
            for (i, d) in documents.enumerated() {
                group.addTask {
                    let (p, s) = try await summary(of: d, question: request.question, vector: vector, tenant: request.tenant)
                    return (i, p, s)
                }
            }
            for try await (i, p, s) in group { results[i] = (p, s) }
        }
        let done = results.compactMap { $0 }
        let provenance = done.map(\.0)
        let answer = try await llm.complete(system: Prompts.answerSystem,
                                            user: Prompts.answerUser(question: request.question, summaries: provenance.map(\.summary)),
                                            maxTokens: config.answerMaxTokens)
        return QAResponse(question: request.question, answer: Self.firstLine(answer.text), documents: provenance,
                          answerPromptTokens: answer.promptTokens, answerCompletionTokens: answer.completionTokens,
                          embedSeconds: embedSeconds, llmSeconds: done.reduce(answer.seconds) { $0 + $1.1 })
    }

    func embedQuestion(_ question: String) async throws -> [Float] {
        guard let v = try await embedder.embed([question]).first else {
            throw QAPipelineError.embedding("the embedder returned no vector")
        }
        return v
    }

    /// One document's summary: cache hit, coalesced wait, or LLM call (+ store). Returns the
    /// provenance and the LLM seconds spent.
    func summary(of document: QADocument, question: String, vector: [Float], tenant: TenantID) async throws -> (DocumentProvenance, Double) {
        let key = Self.cacheKey(document)
        guard config.cacheEnabled else {
            let c = try await summarise(document, question: question)
            return (provenance(document, key, .bypass, summary: c.text, spent: c.totalTokens), c.seconds)
        }
        let fingerprint = embedder.fingerprint
        let flightKey = SummaryFlightKey(partition: PartitionKey(tenant: tenant, document: key, fingerprint: fingerprint), query: question)
        var coalesced = false
        let focus = try await focusCache?.focus(of: document, embedder: embedder)
        while true {
            let found = try await cache.lookup(tenant: tenant, document: key, fingerprint: fingerprint,
                                               query: question, vector: vector, focus: focus, now: now())
            if let hit = found.hit {
                var p = provenance(document, key, .hit, summary: hit.summary, spent: 0)
                p.tier = hit.tier
                p.similarity = hit.similarity
                p.reusedQuestion = hit.cachedQuery
                p.reusedEntryID = hit.entryID
                p.tokensSaved = hit.tokensSaved
                p.vetoedBy = found.vetoes
                p.coalesced = coalesced
                if config.aliasHits, hit.cachedQuery != question {
                    try await cache.store(tenant: tenant, document: key, fingerprint: fingerprint, query: question, vector: vector,
                                          summary: hit.summary, summaryTokenCost: hit.tokensSaved, now: now())
                }
                return (p, 0)
            }
            guard await flights.join(flightKey) else {
                coalesced = true
                continue
            }
            // Leader: whatever happens, wake the followers (they look up again; on failure the
            // first of them leads the next attempt).
            let completion: LLMCompletion
            do {
                completion = try await summarise(document, question: question)
                try await cache.store(tenant: tenant, document: key, fingerprint: fingerprint, query: question, vector: vector,
                                      summary: completion.text, summaryTokenCost: completion.totalTokens, now: now())
            } catch {
                await flights.finish(flightKey)
                throw error
            }
            await flights.finish(flightKey)
            var p = provenance(document, key, .miss, summary: completion.text, spent: completion.totalTokens)
            p.similarity = found.bestSimilarity
            p.vetoedBy = found.vetoes
            p.missReason = found.missReason
            p.coalesced = coalesced
            return (p, completion.seconds)
        }
    }

    func summarise(_ document: QADocument, question: String) async throws -> LLMCompletion {
        try await llm.complete(system: Prompts.summarySystem, user: Prompts.summaryUser(question: question, document: document),
                               maxTokens: config.summaryMaxTokens)
    }

    func provenance(_ d: QADocument, _ key: DocumentKey, _ outcome: DocumentProvenance.Outcome, summary: String, spent: Int) -> DocumentProvenance {
        DocumentProvenance(documentID: d.id.rawValue, version: key.version, outcome: outcome, tier: nil, similarity: nil,
                           reusedQuestion: nil, reusedEntryID: nil, tokensSaved: 0, summaryTokens: spent, vetoedBy: [],
                           missReason: nil, coalesced: false, summary: summary)
    }

    /// Small models keep talking after the answer: keep the first non-empty line.
    static func firstLine(_ text: String) -> String {
        text.split(whereSeparator: \.isNewline).first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
    }

    static func seconds(since start: ContinuousClock.Instant) -> Double {
        let (s, atto) = (ContinuousClock.now - start).components
        return Double(s) + Double(atto) * 1e-18
    }
}
