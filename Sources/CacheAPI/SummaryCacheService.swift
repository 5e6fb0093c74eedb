import Foundation
import QAPipeline
import SummaryCache

/// Everything behind the summary-cache HTTP API: the keys, the cache (local, optionally tiered in
/// front of a remote LoRAServe's cache, counted per tenant), the embedder for plain-text queries,
/// the LLM for `/v1/qa`, and each tenant's corpus. The HTTP layer (`CacheAPIRoutes`) only parses,
/// authenticates and encodes; every decision is here.
public final class SummaryCacheService: Sendable {
    public let keys: APIKeys
    public let local: LocalSummaryCache
    /// Set when a remote tier is configured.
    public let tiered: TieredSummaryCache?
    /// What every request goes through (local or tiered, counted per tenant).
    public let cache: TenantCountingCache
    public let embedder: (any Embedder)?
    public let llm: (any LLMClient)?
    public let pipelineConfig: QAPipelineConfig
    public let limits: CacheAPILimits
    let now: @Sendable () -> Double
    /// The `/v1/qa` pipeline (nil without an LLM or an embedder); documents are always passed
    /// inline (retrieved here from the caller's own corpus), so its own corpus stays empty.
    let pipeline: QAPipeline?
    let corpora = TenantCorpora()

    /// - Parameters:
    ///   - remote: another LoRAServe's cache; when set, lookups go local first, then remote.
    ///   - embedder: embeds plain-text queries and `/v1/qa` questions (nil: vector-only API).
    ///   - llm: answers `/v1/qa` (nil: `/v1/qa` is 503).
    public init(keys: APIKeys, local: LocalSummaryCache, remote: (any RemoteSummaryCache)? = nil,
                embedder: (any Embedder)?, llm: (any LLMClient)?, pipelineConfig: QAPipelineConfig = QAPipelineConfig(),
                limits: CacheAPILimits = CacheAPILimits(), now: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }) {
        self.keys = keys
        self.local = local
        if let remote {
            let t = TieredSummaryCache(local: local, remote: remote, embedder: embedder)
            tiered = t
            cache = TenantCountingCache(t)
        } else {
            tiered = nil
            cache = TenantCountingCache(local)
        }
        self.embedder = embedder
        self.llm = llm
        self.pipelineConfig = pipelineConfig
        self.limits = limits
        self.now = now
        if let llm, let embedder {
            pipeline = QAPipeline(llm: llm, embedder: embedder, cache: cache, config: pipelineConfig, now: now)
        } else {
            pipeline = nil
        }
    }

    // MARK: cache endpoints

    func lookup(_ body: LookupBody, caller: CacheCaller) async throws -> SummaryLookup {
        let tenant = try keys.tenant(for: caller, named: body.tenant)
        let document = try body.document.key()
        let (fingerprint, vector) = try await queryVector(body)
        return try await cache.lookup(tenant: tenant, document: document, fingerprint: fingerprint,
                                      query: body.query, vector: vector, now: now())
    }

    func store(_ body: StoreBody, caller: CacheCaller) async throws -> StoreReply {
        let tenant = try keys.tenant(for: caller, named: body.lookup.tenant)
        let document = try body.lookup.document.key()
        guard !body.summary.isEmpty else { throw CacheAPIError.badRequest("The summary is empty.", param: "summary") }
        guard body.summary.count <= limits.maxSummaryCharacters else {
            throw CacheAPIError.badRequest("The summary is longer than \(limits.maxSummaryCharacters) characters.", param: "summary")
        }
        guard body.summaryTokenCost >= 0 else {
            throw CacheAPIError.badRequest("summaryTokenCost must be at least 0.", param: "summaryTokenCost")
        }
        let (fingerprint, vector) = try await queryVector(body.lookup)
        try await cache.store(tenant: tenant, document: document, fingerprint: fingerprint, query: body.lookup.query,
                              vector: vector, summary: body.summary, summaryTokenCost: body.summaryTokenCost, now: now())
        let kept = await local.policy.entries(in: PartitionKey(tenant: tenant, document: document, fingerprint: fingerprint))
            .contains { $0.queryText == body.lookup.query }
        return StoreReply(tenant: tenant.rawValue, documentID: document.documentID.rawValue, version: document.version, stored: kept)
    }

    func invalidate(_ body: InvalidateBody, caller: CacheCaller) async throws -> InvalidateReply {
        let tenant = try keys.tenant(for: caller, named: body.tenant)
        guard !body.documentID.isEmpty else { throw CacheAPIError.badRequest("The document id is empty.", param: "documentID") }
        let id = DocumentID(body.documentID)
        let before = await entryCount(tenant: tenant, document: id)
        try await cache.invalidate(tenant: tenant, documentID: id)
        let after = await entryCount(tenant: tenant, document: id)
        return InvalidateReply(tenant: tenant.rawValue, documentID: id.rawValue, removed: before - after)
    }

    /// The caller's stats; an admin key without `tenant` gets every tenant plus global counters.
    public func stats(caller: CacheCaller, tenant named: String?) async throws -> StatsReply {
        let policy = await local.policy
        let all = policy.allEntries
        var tenants: [TenantID]
        let isAdminOverview = caller == .admin && (named ?? "").isEmpty
        if isAdminOverview {
            tenants = Array(Set(await cache.tenants).union(all.map(\.tenant))).sorted()
        } else {
            tenants = [try keys.tenant(for: caller, named: named)]
        }
        var rows: [TenantCacheStats] = []
        for t in tenants {
            var row = await cache.counters(for: t)
            for e in all where e.tenant == t {
                row.entries += 1
                row.bytes += e.bytes
            }
            rows.append(row)
        }
        return StatsReply(tenants: rows, global: isAdminOverview ? policy.stats : nil,
                          tiering: isAdminOverview ? await tiered?.stats : nil,
                          embedder: embedder?.fingerprint, similarityThreshold: policy.config.similarityThreshold)
    }

    // MARK: QA

    func loadCorpus(_ body: CorpusBody, caller: CacheCaller) async throws -> CorpusReply {
        let tenant = try keys.tenant(for: caller, named: body.tenant)
        let documents = try body.documents.map { try $0.qaDocument() }
        let (changed, total) = try await corpora.load(documents, for: tenant, replace: body.replace ?? false,
                                                      limit: limits.maxCorpusDocuments)
        // An edited document can never hit its old summaries (the version is in the key); dropping
        // them now frees the space at once.
        for id in changed { try await cache.invalidate(tenant: tenant, documentID: id) }
        return CorpusReply(tenant: tenant.rawValue, loaded: documents.count, total: total, changed: changed.map(\.rawValue))
    }

    func answer(_ body: QABody, caller: CacheCaller) async throws -> QAReply {
        let tenant = try keys.tenant(for: caller, named: body.tenant)
        let question = body.question.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !question.isEmpty else { throw CacheAPIError.badRequest("The question is empty.", param: "question") }
        guard question.count <= limits.maxQueryCharacters else {
            throw CacheAPIError.badRequest("The question is longer than \(limits.maxQueryCharacters) characters.", param: "question")
        }
        guard llm != nil else { throw CacheAPIError.unavailable("No LLM is configured for /v1/qa (--qa-llm).") }
        guard let pipeline else { throw CacheAPIError.unavailable("No embedder is loaded (all-MiniLM-L6-v2); /v1/qa needs one.") }
        let documents: [QADocument]
        if let inline = body.documents {
            guard !inline.isEmpty else { throw CacheAPIError.badRequest("\"documents\" is empty.", param: "documents") }
            guard inline.count <= limits.maxDocumentsPerQuestion else {
                throw CacheAPIError.badRequest("At most \(limits.maxDocumentsPerQuestion) documents per question.", param: "documents")
            }
            documents = try inline.map { try $0.qaDocument() }
        } else {
            let k = body.topK ?? pipelineConfig.retrieveTopK
            guard (1...limits.maxDocumentsPerQuestion).contains(k) else {
                throw CacheAPIError.badRequest("topK must be in 1...\(limits.maxDocumentsPerQuestion).", param: "topK")
            }
            guard let found = await corpora.retrieve(question, k: k, for: tenant) else {
                throw CacheAPIError.badRequest("No documents: pass \"documents\" or load a corpus (POST /v1/qa/corpus).",
                                               param: "documents")
            }
            guard !found.isEmpty else { throw CacheAPIError.notFound("No document of your corpus matches the question.") }
            documents = found
        }
        let response = try await pipeline.answer(QARequest(tenant: tenant, question: question, documents: documents))
        await cache.countQA(tenant)
        return QAReply(tenant: tenant, response)
    }

    // MARK: helpers

    /// The query's fingerprint and vector: as sent, or embedded here from the text.
    func queryVector(_ body: LookupBody) async throws -> (EmbedderFingerprint, [Float]) {
        guard !body.query.isEmpty else { throw CacheAPIError.badRequest("The query is empty.", param: "query") }
        guard body.query.count <= limits.maxQueryCharacters else {
            throw CacheAPIError.badRequest("The query is longer than \(limits.maxQueryCharacters) characters.", param: "query")
        }
        if let vector = body.vector {
            guard let fingerprint = body.fingerprint else {
                throw CacheAPIError.badRequest("A \"vector\" needs the \"fingerprint\" of the embedder that made it.", param: "fingerprint")
            }
            guard (1...limits.maxVectorDimensions).contains(fingerprint.dimensions), vector.count <= limits.maxVectorDimensions else {
                throw CacheAPIError.badRequest("Vectors have 1...\(limits.maxVectorDimensions) dimensions.", param: "vector")
            }
            guard vector.count == fingerprint.dimensions else {
                throw CacheAPIError.badRequest("The vector has \(vector.count) dimensions; its fingerprint says \(fingerprint.dimensions).",
                                               param: "vector")
            }
            return (fingerprint, vector)
        }
        guard let embedder else {
            throw CacheAPIError.unavailable("This server has no embedder: send \"vector\" and \"fingerprint\" with the query.")
        }
        if let f = body.fingerprint, f != embedder.fingerprint {
            throw CacheAPIError.badRequest("The server embeds with \(embedder.fingerprint); a query for \(f) must bring its vector.",
                                           param: "fingerprint")
        }
        guard let vector = try await embedder.embed([body.query]).first else {
            throw CacheAPIError.internal("the embedder returned no vector")
        }
        return (embedder.fingerprint, vector)
    }

    func entryCount(tenant: TenantID, document: DocumentID) async -> Int {
        await local.policy.allEntries.reduce(0) { $0 + ($1.tenant == tenant && $1.document.documentID == document ? 1 : 0) }
    }
}
