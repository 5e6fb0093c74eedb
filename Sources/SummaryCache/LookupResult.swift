/// The answer of `SummaryCachePolicy.lookup`.
public enum LookupResult: Sendable, Equatable {
    /// Reuse `entry.summaryText`; `similarity` is the cosine between the two questions.
    case hit(CacheEntry, similarity: Float)
    case miss(MissReason)

    public var entry: CacheEntry? {
        if case let .hit(e, _) = self { return e }
        return nil
    }
    public var isHit: Bool { entry != nil }
}

/// Why a lookup did not reuse a summary.
public enum MissReason: Sendable, Equatable, CustomStringConvertible {
    /// The partition (tenant, document version, embedder) holds no live entry.
    case noCandidates
    /// The nearest cached question is less similar than the threshold.
    case belowThreshold(best: Float)
    /// Candidates were similar enough but every one was vetoed by a guard (the first, most
    /// similar one is reported; all are in the provenance).
    case vetoed(VetoedCandidate)
    /// The only candidates above the threshold had passed their TTL (and were removed).
    case expired

    public var description: String {
        switch self {
        case .noCandidates: "no candidates"
        case let .belowThreshold(best): "best similarity \(best) below threshold"
        case let .vetoed(v): "vetoed (\(v.verdict.findings.map(\.description).joined(separator: "; ")))"
        case .expired: "expired"
        }
    }
}

/// A cached question that was similar enough but refused by the guards.
public struct VetoedCandidate: Sendable, Equatable {
    public var id: EntryID
    public var cachedQuery: String
    public var similarity: Float
    public var verdict: GuardVerdict
}

/// How a lookup reached its result: what the QA pipeline reports per document.
public struct LookupProvenance: Sendable, Equatable {
    /// The only partition that was searched.
    public var partition: PartitionKey
    /// Candidates returned by the index, most similar first, with what happened to each.
    public var candidates: [Candidate]
    /// The similarity threshold in force.
    public var threshold: Float

    public struct Candidate: Sendable, Equatable {
        public var id: EntryID
        public var cachedQuery: String
        public var similarity: Float
        public var outcome: Outcome
    }

    public enum Outcome: Sendable, Equatable {
        case hit
        case belowThreshold
        case expired
        case vetoed(GuardVerdict)
        /// Not examined because an earlier candidate hit.
        case notExamined
    }

    public var bestSimilarity: Float? { candidates.first?.similarity }
}

/// Everything one lookup produced: the decision, its explanation, and store work to do.
public struct LookupOutcome: Sendable, Equatable {
    public var result: LookupResult
    public var provenance: LookupProvenance
    /// Store actions: a `.touch` for a hit, `.delete(…, .expired)` for entries that expired.
    public var actions: [CacheAction]
    /// LLM tokens a hit saves (the cached summary's cost); 0 on a miss.
    public var tokensSaved: Int { result.entry?.summaryTokenCost ?? 0 }
}

/// What one store produced.
public struct StoreOutcome: Sendable, Equatable {
    /// The new entry (nil if it was immediately evicted because it alone exceeds the byte limit).
    public var stored: CacheEntry?
    /// Store actions in order: deletions (invalidated, replaced, expired, evicted) and the persist.
    public var actions: [CacheAction]
}
