import SummaryCache

/// The questions of an evaluation in asking order: per family the original (a miss that caches a
/// summary), its paraphrases (should hit), then its near-misses (must not hit).
public struct EvalWorkload: Sendable {
    public enum Kind: String, Sendable, Codable { case original, paraphrase, nearMiss = "near_miss" }

    public struct Question: Sendable, Codable, Equatable {
        public var familyID: String
        public var kind: Kind
        public var text: String
        public var gold: [String]
        public var document: QADocument
        /// Questions with a common class ask for the same answer from the same document: the
        /// original and its paraphrases share the family's class; a near-miss gets its own,
        /// unless it is word for word the original of another family (then it has that class).
        public var answerClass: String
    }

    public var questions: [Question]
    public var familyCount: Int

    /// `limit`: take that many families spread evenly over the file (nil: all).
    public init(dataset: QADataset, limit: Int? = nil) {
        var families = dataset.families
        if let limit, limit > 0, limit < families.count {
            let n = families.count
            families = (0..<limit).map { families[$0 * n / limit] }
        }
        var originals: [String: String] = [:]
        for f in dataset.families { originals[SQuADMetrics.normalize(f.question)] = f.family_id }
        var questions: [Question] = []
        for f in families {
            guard let doc = dataset.document(of: f) else { continue }
            questions.append(Question(familyID: f.family_id, kind: .original, text: f.question, gold: f.answers, document: doc, answerClass: f.family_id))
            for p in f.paraphrases {
                questions.append(Question(familyID: f.family_id, kind: .paraphrase, text: p, gold: f.answers, document: doc, answerClass: f.family_id))
            }
            for (i, m) in f.near_misses.enumerated() {
                let cls = originals[SQuADMetrics.normalize(m.question)] ?? "\(f.family_id)/near-miss-\(i)"
                questions.append(Question(familyID: f.family_id, kind: .nearMiss, text: m.question, gold: m.answers, document: doc, answerClass: cls))
            }
        }
        self.questions = questions
        self.familyCount = families.count
    }

    /// Answer classes of each question text (a text may occur in several families).
    public var classesByText: [String: Set<String>] {
        var m: [String: Set<String>] = [:]
        for q in questions { m[q.text, default: []].insert(q.answerClass) }
        return m
    }
}

/// Serves precomputed vectors for known texts (evaluation embeds every question once, in batches)
/// and delegates the rest.
public struct PrecomputedEmbedder: Embedder {
    public let base: any Embedder
    public let vectors: [String: [Float]]
    public var fingerprint: EmbedderFingerprint { base.fingerprint }

    public init(base: any Embedder, vectors: [String: [Float]]) {
        self.base = base
        self.vectors = vectors
    }

    /// Embeds `texts` with `base` in batches of `batchSize`; `progress(done, total)` after each.
    public static func precompute(_ texts: [String], base: any Embedder, batchSize: Int = 32,
                                  progress: @Sendable (Int, Int) -> Void = { _, _ in }) async throws -> PrecomputedEmbedder {
        let unique = Array(Set(texts)).sorted()
        var vectors: [String: [Float]] = [:]
        var start = 0
        while start < unique.count {
            let batch = Array(unique[start..<min(start + batchSize, unique.count)])
            let out = try await base.embed(batch)
            for (t, v) in zip(batch, out) { vectors[t] = v }
            start += batch.count
            progress(start, unique.count)
        }
        return PrecomputedEmbedder(base: base, vectors: vectors)
    }

    public func embed(_ texts: [String]) async throws -> [[Float]] {
        let missing = texts.filter { vectors[$0] == nil }
        let computed = missing.isEmpty ? [] : try await base.embed(missing)
        var extra: [String: [Float]] = [:]
        for (t, v) in zip(missing, computed) { extra[t] = v }
        return texts.map { vectors[$0] ?? extra[$0] ?? [] }
    }
}
