import SummaryCache

/// Knobs of the pipeline (the cache's own knobs are in `CacheConfig`).
public struct QAPipelineConfig: Sendable, Codable, Equatable {
    /// Use the summary cache (false: every document is summarised; the no-cache baseline).
    public var cacheEnabled = true
    public var summaryMaxTokens = 64
    public var answerMaxTokens = 16
    /// Documents retrieved from the corpus when a request brings none.
    public var retrieveTopK = 3
    /// After a hit, also store the new question as a key of the reused summary (experiment).
    public var aliasHits = false

    public init(cacheEnabled: Bool = true, summaryMaxTokens: Int = 64, answerMaxTokens: Int = 16, retrieveTopK: Int = 3,
                aliasHits: Bool = false) {
        self.cacheEnabled = cacheEnabled
        self.aliasHits = aliasHits
        self.summaryMaxTokens = summaryMaxTokens
        self.answerMaxTokens = answerMaxTokens
        self.retrieveTopK = retrieveTopK
    }
}

/// One question, with its documents inline or (nil) retrieved from the loaded corpus.
public struct QARequest: Sendable {
    public var tenant: TenantID
    public var question: String
    public var documents: [QADocument]?
    public var topK: Int?

    public init(tenant: TenantID, question: String, documents: [QADocument]? = nil, topK: Int? = nil) {
        self.tenant = tenant
        self.question = question
        self.documents = documents
        self.topK = topK
    }
}

/// How one document's summary was obtained.
public struct DocumentProvenance: Sendable, Equatable, Codable {
    public enum Outcome: String, Sendable, Codable {
        /// A cached summary was reused.
        case hit
        /// The LLM summarised the document (and the summary was cached).
        case miss
        /// The cache is disabled: summarised, not cached.
        case bypass
    }

    public var documentID: String
    public var version: String
    public var outcome: Outcome
    /// Where the hit came from (local or remote tier).
    public var tier: SummaryLookup.Tier?
    /// On a hit, the similarity of the reused question; on a miss, the nearest one's (if any).
    public var similarity: Float?
    /// The cached question whose summary was reused.
    public var reusedQuestion: String?
    public var reusedEntryID: UInt64?
    /// LLM tokens (prompt + completion) the hit saved.
    public var tokensSaved: Int
    /// LLM tokens spent summarising (0 on a hit).
    public var summaryTokens: Int
    /// Guard findings that vetoed candidates above the threshold ("negation: not").
    public var vetoedBy: [String]
    public var missReason: String?
    /// The request waited for an identical in-flight summarisation and then hit its result.
    public var coalesced: Bool
    public var summary: String
}

/// The pipeline's answer plus everything needed to audit it.
public struct QAResponse: Sendable, Equatable, Codable {
    public var question: String
    public var answer: String
    public var documents: [DocumentProvenance]
    public var answerPromptTokens: Int
    public var answerCompletionTokens: Int
    public var embedSeconds: Double
    /// Seconds of LLM work behind this answer (summaries made + the answer call).
    public var llmSeconds: Double

    public var summaryTokensSpent: Int { documents.reduce(0) { $0 + $1.summaryTokens } }
    public var summaryTokensSaved: Int { documents.reduce(0) { $0 + $1.tokensSaved } }
    public var summaryCalls: Int { documents.filter { $0.outcome != .hit }.count }
    public var hits: Int { documents.filter { $0.outcome == .hit }.count }
}
