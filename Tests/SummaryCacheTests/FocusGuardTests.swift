import ServeCore
import SummaryCache
import Testing

/// Synthetic geometry: units are orthonormal basis vectors e0…e(n-1) of a 16-d space; a question
/// "about unit k" is e_k plus a shared topic direction (the last axis), which makes questions
/// about different units of one document close neighbours by cosine, as real near-misses are.
enum FocusFixture {
    static let dims = 16
    static let topic = 15

    static func unit(_ k: Int) -> [Float] {
        var v = [Float](repeating: 0, count: dims)
        v[k] = 1
        return v
    }

    /// A question pointing at `weights` (unit index → weight) with `topicWeight` on the topic axis.
    static func question(_ weights: [Int: Float], topicWeight: Float = 2) -> [Float] {
        var v = [Float](repeating: 0, count: dims)
        for (k, w) in weights { v[k] = w }
        v[topic] = topicWeight
        return v
    }

    static func document(units n: Int) throws -> DocumentFocus {
        try DocumentFocus(unitVectors: (0..<n).map(unit), dimensions: dims)
    }
}

@Suite("DocumentFocus")
struct DocumentFocusTests {
    @Test func cosinesMatchScalarDotOnNormalisedVectors() throws {
        var rng = SplitMix64(seed: 7)
        let rows = (0..<5).map { _ in (0..<FocusFixture.dims).map { _ in Float.random(in: -1...1, using: &rng) } }
        let focus = try DocumentFocus(unitVectors: rows, dimensions: FocusFixture.dims)
        let q = try VectorMath.normalized((0..<FocusFixture.dims).map { _ in Float.random(in: -1...1, using: &rng) })
        let got = try focus.cosines(q)
        for (i, r) in rows.enumerated() {
            let want = VectorMath.scalarDot(try VectorMath.normalized(r), q)
            #expect(abs(got[i] - want) < 1e-5)
        }
    }

    @Test(arguments: [Float(0.01), 0.05, 0.5])
    func distributionIsAProbabilityDistributionPeakedAtTheNearestUnit(temperature: Float) throws {
        let focus = try FocusFixture.document(units: 4)
        let q = try VectorMath.normalized(FocusFixture.question([2: 1, 1: 0.3]))
        let p = try focus.distribution(q, temperature: temperature)
        #expect(abs(p.reduce(0, +) - 1) < 1e-5)
        #expect(p.allSatisfy { $0 >= 0 })
        #expect(p.firstIndex(of: p.max() ?? 0) == 2)
    }

    @Test func overlapIsOneForTheSameFocusAndSmallForDisjointOnes() throws {
        let focus = try FocusFixture.document(units: 4)
        let a = try focus.distribution(try VectorMath.normalized(FocusFixture.question([0: 1])), temperature: 0.05)
        let b = try focus.distribution(try VectorMath.normalized(FocusFixture.question([3: 1])), temperature: 0.05)
        #expect(abs(DocumentFocus.overlap(a, a) - 1) < 1e-5)
        #expect(DocumentFocus.overlap(a, b) < 0.1)
        #expect(abs(DocumentFocus.overlap(a, b) - DocumentFocus.overlap(b, a)) < 1e-6)
    }

    @Test func closestUnitIsTheTextOfTheMostSimilarUnit() throws {
        let texts = (0..<4).map { "unit \($0)" }
        let focus = try DocumentFocus(unitVectors: (0..<4).map(FocusFixture.unit), dimensions: FocusFixture.dims, units: texts)
        for i in 0..<4 { #expect(focus.closestUnit(FocusFixture.unit(i)) == texts[i]) }
        #expect(focus.closestUnit([1, 0]) == nil, "wrong dimensions")
        #expect(try FocusFixture.document(units: 4).closestUnit(FocusFixture.unit(0)) == nil, "no texts kept")
        #expect(throws: CacheError.self) {
            try DocumentFocus(unitVectors: (0..<4).map(FocusFixture.unit), dimensions: FocusFixture.dims, units: ["one"])
        }
    }

    @Test func rejectsBadVectors() {
        #expect(throws: CacheError.dimensionMismatch(expected: 16, actual: 3)) {
            try DocumentFocus(unitVectors: [[1, 2, 3]], dimensions: 16)
        }
        #expect(throws: CacheError.self) {
            try DocumentFocus(unitVectors: [[Float](repeating: 0, count: 16)], dimensions: 16)
        }
        #expect(throws: CacheError.dimensionMismatch(expected: 16, actual: 2)) {
            try FocusFixture.document(units: 2).cosines([1, 0])
        }
    }
}

@Suite("FocusGuard")
struct FocusGuardTests {
    @Test func samePointPassesDifferentPointVetoes() throws {
        let focus = try FocusFixture.document(units: 5)
        let g = FocusGuard()
        let cached = try VectorMath.normalized(FocusFixture.question([1: 1]))
        let paraphrase = try VectorMath.normalized(FocusFixture.question([1: 0.9, 4: 0.1], topicWeight: 2.2))
        let nearMiss = try VectorMath.normalized(FocusFixture.question([3: 1]))
        // The near-miss is a close neighbour by cosine (shared topic), yet points elsewhere.
        #expect(VectorMath.scalarDot(cached, nearMiss) > 0.75)
        #expect(try g.check(cached: cached, query: paraphrase, in: focus) == nil)
        let finding = try #require(try g.check(cached: cached, query: nearMiss, in: focus))
        #expect(finding.kind == .focus)
        #expect(finding.detail.contains("unit 2 vs 4 of 5"))
    }

    @Test func tooFewUnitsOrGuardOffNeverVetoes() throws {
        let cached = try VectorMath.normalized(FocusFixture.question([0: 1]))
        let other = try VectorMath.normalized(FocusFixture.question([1: 1]))
        let twoUnits = try FocusFixture.document(units: 2)
        #expect(try FocusGuard().check(cached: cached, query: other, in: twoUnits) != nil)
        var cfg = FocusGuardConfig()
        cfg.minimumUnits = 3
        #expect(try FocusGuard(config: cfg).check(cached: cached, query: other, in: twoUnits) == nil)
        #expect(try FocusGuard(config: .off).check(cached: cached, query: other, in: twoUnits) == nil)
    }

    /// Property: the overlap is symmetric, in [0, 1], 1 on identical questions, and the guard's
    /// verdict agrees with the overlap against the configured minimum.
    @Test func verdictFollowsOverlapOnRandomQuestions() throws {
        var rng = SplitMix64(seed: 42)
        let focus = try FocusFixture.document(units: 6)
        let g = FocusGuard()
        for _ in 0..<200 {
            let a = try VectorMath.normalized((0..<FocusFixture.dims).map { _ in Float.random(in: -1...1, using: &rng) })
            let b = try VectorMath.normalized((0..<FocusFixture.dims).map { _ in Float.random(in: -1...1, using: &rng) })
            let ab = try g.compare(cached: a, query: b, in: focus)
            let ba = try g.compare(cached: b, query: a, in: focus)
            #expect(ab.overlap >= 0 && ab.overlap <= 1)
            #expect(abs(ab.overlap - ba.overlap) < 1e-5)
            #expect(try g.compare(cached: a, query: a, in: focus).overlap > 0.999)
            let vetoed = try g.check(cached: a, query: b, in: focus) != nil
            #expect(vetoed == (ab.overlap < g.config.minimumOverlap))
        }
    }

    @Test func configDecodesPartialJSONAndValidates() throws {
        let c = try JSONDecoder().decode(CacheConfig.self, from: Data(#"{"focus": {"minimumOverlap": 0.3}}"#.utf8))
        #expect(c.focus.minimumOverlap == 0.3 && c.focus.temperature == FocusGuardConfig().temperature)
        var bad = CacheConfig()
        bad.focus.temperature = 0
        #expect(throws: CacheError.self) { try bad.validate() }
        bad.focus = FocusGuardConfig(minimumOverlap: 1.5)
        #expect(throws: CacheError.self) { try bad.validate() }
    }
}

@Suite("SummaryCachePolicy focus guard")
struct PolicyFocusGuardTests {
    static let fp = EmbedderFingerprint(modelID: "synthetic", dimensions: FocusFixture.dims, normalized: true, maxLength: 16)
    static let doc = DocumentKey(documentID: DocumentID("d"), version: "v1")

    func policyWithCached(_ question: [Float]) throws -> SummaryCachePolicy {
        var c = CacheConfig()
        c.similarityThreshold = 0.7
        var p = try SummaryCachePolicy(config: c)
        try p.store(tenant: TenantID("t"), document: Self.doc, fingerprint: Self.fp, query: "What is said about ships?",
                    vector: question, summary: "s", summaryTokenCost: 10, now: 0)
        return p
    }

    @Test func lookupWithDocumentContextVetoesAnotherFocusAndWithoutItHits() throws {
        let focus = try FocusFixture.document(units: 4)
        var p = try policyWithCached(FocusFixture.question([0: 1]))
        let nearMiss = FocusFixture.question([2: 1])
        let q = "What is said about horses?"
        let vetoed = try p.lookup(tenant: TenantID("t"), document: Self.doc, fingerprint: Self.fp, query: q, vector: nearMiss, focus: focus, now: 1)
        guard case let .miss(.vetoed(v)) = vetoed.result else {
            Issue.record("expected a focus veto, got \(vetoed.result)")
            return
        }
        #expect(v.verdict.firedKinds == [.focus])
        #expect(p.stats.vetoesByGuard["focus"] == 1)
        // Same lookup without the document context: similarity alone decides (source-compatible call).
        let plain = try p.lookup(tenant: TenantID("t"), document: Self.doc, fingerprint: Self.fp, query: q, vector: nearMiss, now: 2)
        #expect(plain.result.entry != nil)
        let paraphrase = try p.lookup(tenant: TenantID("t"), document: Self.doc, fingerprint: Self.fp, query: "What does it say about ships?",
                                      vector: FocusFixture.question([0: 1.1]), focus: focus, now: 3)
        #expect(paraphrase.result.entry != nil)
    }
}

import Foundation

/// The `verify` hook (a learned verifier in production): last, only on candidates every other
/// guard passed, and its finding vetoes like any guard's.
struct PolicyVerifierHookTests {
    @Test func verifierRunsLastAndVetoes() throws {
        var p = try SummaryCachePolicy(config: Fixture.config(threshold: 0.3))
        try Fixture.store(&p, query: "Who did not found the company?", now: 0)
        try Fixture.store(&p, query: "Who founded the company?", now: 0)
        let query = "Who founded the company?"
        var asked: [String] = []
        // A veto from the hook: a miss naming the verifier; an exact repeat is still verified.
        let vetoed = try p.lookup(tenant: Fixture.alice, document: Fixture.doc1, fingerprint: Fixture.fingerprint, query: query,
                                  vector: Fixture.vector(query), verify: { cached in
                                      asked.append(cached)
                                      return GuardFinding(kind: .verifier, detail: "p(same) 0.1 < 0.5")
                                  }, now: 1)
        guard case let .miss(.vetoed(v)) = vetoed.result else {
            Issue.record("expected a verifier veto, got \(vetoed.result)")
            return
        }
        #expect(v.verdict.firedKinds == [.verifier])
        #expect(p.stats.vetoesByGuard["verifier"] == 1)
        // The negated candidate fails the negation guard first, so the hook never saw it.
        #expect(asked == ["Who founded the company?"])
        // A hook that accepts: the hit is the exact question.
        let hit = try p.lookup(tenant: Fixture.alice, document: Fixture.doc1, fingerprint: Fixture.fingerprint, query: query,
                               vector: Fixture.vector(query), verify: { _ in nil }, now: 2)
        #expect(hit.result.entry?.queryText == query)
        // Below the similarity threshold the hook is never asked.
        var calls = 0
        let far = "Completely unrelated words about weather"
        _ = try p.lookup(tenant: Fixture.alice, document: Fixture.doc1, fingerprint: Fixture.fingerprint, query: far,
                         vector: Fixture.vector(far), verify: { _ in calls += 1; return nil }, now: 3)
        #expect(calls == 0)
    }

    /// What a caller pre-scores is what the hook can be asked: guard-vetoed, expired and
    /// below-threshold candidates are left out, so the verifier never scores them.
    @Test func verificationCandidatesSkipWhatTheGuardsVeto() throws {
        var p = try SummaryCachePolicy(config: Fixture.config(threshold: 0.3, ttl: 10))
        try Fixture.store(&p, query: "Who did not found the company?", now: 0)
        try Fixture.store(&p, query: "Who founded the company?", now: 0)
        let query = "Who founded the company?"
        let candidates = try p.verificationCandidates(tenant: Fixture.alice, document: Fixture.doc1, fingerprint: Fixture.fingerprint,
                                                      query: query, vector: Fixture.vector(query), now: 1).map(\.queryText)
        #expect(candidates == ["Who founded the company?"])
        var asked: [String] = []
        _ = try p.lookup(tenant: Fixture.alice, document: Fixture.doc1, fingerprint: Fixture.fingerprint, query: query,
                         vector: Fixture.vector(query), verify: { asked.append($0); return GuardFinding(kind: .verifier, detail: "no") }, now: 1)
        #expect(asked == candidates)
        // Expired: nothing left to score.
        #expect(try p.verificationCandidates(tenant: Fixture.alice, document: Fixture.doc1, fingerprint: Fixture.fingerprint,
                                             query: query, vector: Fixture.vector(query), now: 11).isEmpty)
    }
}
