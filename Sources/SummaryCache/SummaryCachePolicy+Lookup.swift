extension SummaryCachePolicy {
    /// Finds a reusable summary for `query` about `document`, or says why there is none.
    ///
    /// 1. Key = (tenant, document id + version, fingerprint); only that partition is searched.
    /// 2. The `candidateCount` nearest cached questions (cosine on normalised vectors).
    /// 3. In similarity order: skip expired ones; stop at the first below the threshold; run the
    ///    guards on the rest; the first that passes is the hit.
    /// 4. A hit bumps `hits`/`lastUsedAt` (eviction only; the TTL is absolute).
    /// Expired entries anywhere in the cache are purged on the way (returned as actions).
    /// `focus`: the document's unit vectors (same embedder); with it the focus guard also runs
    /// (after the question guards), comparing the cached question's stored vector with `vector`.
    /// `verify`: a last veto given the cached question's text (a learned pair classifier); it runs
    /// only on a candidate that passed every other guard.
    public mutating func lookup(tenant: TenantID, document: DocumentKey, fingerprint: EmbedderFingerprint,
                                query: String, vector: [Float], focus: DocumentFocus? = nil,
                                verify: ((String) -> GuardFinding?)? = nil,
                                now: Double) throws(CacheError) -> LookupOutcome {
        let (key, q, found) = try nearest(tenant: tenant, document: document, fingerprint: fingerprint, vector: vector)
        stats.lookups += 1
        var provenance = LookupProvenance(partition: key, candidates: [], threshold: config.similarityThreshold)
        // `found` was searched before purging, so a candidate that expired just now is reported as `.expired`.
        let queryAnalysis = QuestionAnalysis(query)
        var hit: (CacheEntry, Float)?
        var firstVeto: VetoedCandidate?
        var sawExpiredAboveThreshold = false
        for candidate in found {
            guard let e = entries[candidate.id] else { continue }
            var record = LookupProvenance.Candidate(id: e.id, cachedQuery: e.queryText, similarity: candidate.similarity, outcome: .notExamined)
            defer { provenance.candidates.append(record) }
            if hit != nil { continue }
            if candidate.similarity < config.similarityThreshold {
                record.outcome = .belowThreshold
                continue
            }
            if now >= expiresAt(e) {
                record.outcome = .expired
                sawExpiredAboveThreshold = true
                continue
            }
            var verdict = guards.check(cached: QuestionAnalysis(e.queryText), query: queryAnalysis)
            if verdict.passed, let focus, focus.dimensions == q.count,
               let finding = try FocusGuard(config: config.focus).check(cached: e.queryVector, query: q, in: focus) {
                verdict.findings.append(finding)
            }
            if verdict.passed, let verify, let finding = verify(e.queryText) {
                verdict.findings.append(finding)
            }
            if verdict.passed {
                record.outcome = .hit
                hit = (e, candidate.similarity)
            } else {
                record.outcome = .vetoed(verdict)
                countVetoes(verdict)
                if firstVeto == nil {
                    firstVeto = VetoedCandidate(id: e.id, cachedQuery: e.queryText, similarity: candidate.similarity, verdict: verdict)
                }
            }
        }

        var actions = purgeExpired(now: now)
        let result: LookupResult
        if let (e, similarity) = hit {
            var updated = e
            updated.hits += 1
            updated.lastUsedAt = max(e.lastUsedAt, now)
            entries[e.id] = updated
            eviction.update(updated)
            actions.append(.touch(e.id, lastUsedAt: updated.lastUsedAt, hits: updated.hits))
            stats.hits += 1
            stats.tokensSaved += e.summaryTokenCost
            result = .hit(updated, similarity: similarity)
        } else if let veto = firstVeto {
            stats.missesVetoed += 1
            result = .miss(.vetoed(veto))
        } else if sawExpiredAboveThreshold {
            stats.missesExpired += 1
            result = .miss(.expired)
        } else if let best = found.first?.similarity {
            stats.missesBelowThreshold += 1
            result = .miss(.belowThreshold(best: best))
        } else {
            stats.missesNoCandidates += 1
            result = .miss(.noCandidates)
        }
        return LookupOutcome(result: result, provenance: provenance, actions: actions)
    }

    /// The entries whose cached questions `lookup` may hand to `verify`: the candidates at or
    /// above the threshold that have not expired and pass the question guards, nearest first (a
    /// superset: the focus guard, which needs the document, is not applied). Changes nothing, so a
    /// caller can score them elsewhere (off its actor) before the lookup itself; the guards are
    /// cheap, and every candidate they veto is one the verifier need not score. Entries, not just
    /// questions: a verifier that reads evidence needs their vectors.
    public func verificationCandidates(tenant: TenantID, document: DocumentKey, fingerprint: EmbedderFingerprint,
                                       query: String, vector: [Float], now: Double) throws(CacheError) -> [CacheEntry] {
        let queryAnalysis = QuestionAnalysis(query)
        return try nearest(tenant: tenant, document: document, fingerprint: fingerprint, vector: vector).found
            .prefix { $0.similarity >= config.similarityThreshold }
            .compactMap { entries[$0.id] }
            .filter { now < expiresAt($0) && guards.check(cached: QuestionAnalysis($0.queryText), query: queryAnalysis).passed }
    }

    /// The query's partition, its normalised vector, and the `candidateCount` nearest cached
    /// questions there (none when the partition is empty), nearest first.
    private func nearest(tenant: TenantID, document: DocumentKey, fingerprint: EmbedderFingerprint,
                         vector: [Float]) throws(CacheError) -> (key: PartitionKey, unit: [Float], found: [SearchHit]) {
        guard vector.count == fingerprint.dimensions else {
            throw .dimensionMismatch(expected: fingerprint.dimensions, actual: vector.count)
        }
        let unit = try VectorMath.normalized(vector)
        let key = PartitionKey(tenant: tenant, document: document, fingerprint: fingerprint)
        return (key, unit, try partitions[key]?.index.search(unit, k: config.candidateCount) ?? [])
    }

    /// Removes every entry whose absolute TTL has passed.
    public mutating func purgeExpired(now: Double) -> [CacheAction] {
        var actions: [CacheAction] = []
        while let top = expiry.min, now >= top.createdAt + config.ttlSeconds {
            expiry.popMin()
            // Stale heap item (entry already removed, or the id was reused): skip.
            guard let e = entries[top.id], e.createdAt == top.createdAt else { continue }
            if let a = removeEntry(top.id, reason: .expired) { actions.append(a) }
        }
        return actions
    }

    /// Counts a veto by each guard that fired (`stats.vetoesByGuard`), also for candidates another
    /// tier found (`LocalSummaryCache.overrule`).
    public mutating func countVetoes(_ verdict: GuardVerdict) {
        for k in verdict.firedKinds { stats.vetoesByGuard[k.rawValue, default: 0] += 1 }
    }
}
