import ServeCore
import SummaryCache
import Testing

/// Seeded random operation sequences against the policy, checking its guarantees after every step.
@Suite("SummaryCachePolicy properties")
struct PolicyPropertyTests {
    static let tenants = [TenantID("alice"), TenantID("bob"), TenantID("carol")]
    static let documents = ["d1", "d2"].map { DocumentID($0) }
    static let versions = ["v1", "v2"]
    static let fingerprints = [Fixture.fingerprint, Fixture.otherFingerprint]
    /// The same questions for everyone: a cross-tenant hit would be a perfect match, if allowed.
    static let questions = [
        "Who founded Carthage?", "Who founded the city of Carthage?", "When was Carthage founded?",
        "How many ships sailed in 1588?", "How many ships sailed?", "What did the Vandals take from Rome?",
        "What language did the Franks speak?", "Which language did the Franks speak?", "Who led the Franks?",
    ]

    func pick<T>(_ xs: [T], _ rng: inout SplitMix64) -> T { xs[Int(rng.next() % UInt64(xs.count))] }

    @Test("isolation, TTL, limits and invalidation hold after every operation",
          arguments: [(UInt64(1), true), (2, false), (3, true), (4, false), (5, true)])
    func invariants(seed: UInt64, dropOtherVersions: Bool) throws {
        var rng = SplitMix64(seed: seed)
        var config = Fixture.config(threshold: 0.3, ttl: 40, maxEntries: 25, maxBytes: 25 * 900)
        config.dropOtherVersionsOnStore = dropOtherVersions
        var policy = try SummaryCachePolicy(config: config)
        var mirror: [EntryID: CacheEntry] = [:]  // a store that only sees the actions
        var createdAt: [EntryID: Double] = [:]
        var history: [EntryID: CacheEntry] = [:]  // every entry ever persisted
        var now = 0.0
        var hits = 0

        func apply(_ actions: [CacheAction]) {
            for a in actions {
                switch a {
                case let .persist(e):
                    mirror[e.id] = e
                    history[e.id] = e
                    createdAt[e.id] = e.createdAt
                case let .delete(id, _): mirror.removeValue(forKey: id)
                case let .touch(id, last, h):
                    mirror[id]?.lastUsedAt = last
                    mirror[id]?.hits = h
                }
            }
        }

        for _ in 0..<1500 {
            now += Double(rng.next() % 3)
            let tenant = pick(Self.tenants, &rng)
            let document = DocumentKey(documentID: pick(Self.documents, &rng), version: pick(Self.versions, &rng))
            let fingerprint = pick(Self.fingerprints, &rng)
            let question = pick(Self.questions, &rng)
            let op = rng.next() % 10
            switch op {
            case 0..<4:
                let out = try policy.store(tenant: tenant, document: document, fingerprint: fingerprint, query: question,
                                           vector: Fixture.vector(question), summary: String(repeating: "s", count: Int(rng.next() % 300)),
                                           summaryTokenCost: Int(rng.next() % 500), now: now)
                apply(out.actions)
                if dropOtherVersions, out.stored != nil {
                    #expect(!policy.allEntries.contains {
                        $0.tenant == tenant && $0.document.documentID == document.documentID && $0.document.version != document.version
                    })
                }
            case 4:
                let keep: String? = rng.next() % 2 == 0 ? nil : document.version
                apply(policy.invalidate(tenant: tenant, documentID: document.documentID, keepingVersion: keep))
                #expect(!policy.allEntries.contains {
                    $0.tenant == tenant && $0.document.documentID == document.documentID && $0.document.version != keep
                })
            default:
                let out = try policy.lookup(tenant: tenant, document: document, fingerprint: fingerprint, query: question,
                                            vector: Fixture.vector(question), now: now)
                apply(out.actions)
                #expect(out.provenance.partition == PartitionKey(tenant: tenant, document: document, fingerprint: fingerprint))
                if let e = out.result.entry {
                    hits += 1
                    #expect(e.tenant == tenant)
                    #expect(e.document == document)
                    #expect(e.fingerprint == fingerprint)
                    #expect(now < e.createdAt + config.ttlSeconds)
                    #expect(e.createdAt == createdAt[e.id])
                }
                for c in out.provenance.candidates {
                    let e = try #require(history[c.id], "candidate \(c.id) was never stored")
                    #expect(e.tenant == tenant && e.document == document && e.fingerprint == fingerprint)
                }
            }
            let entries = policy.allEntries
            #expect(entries.count <= config.maxEntries)
            #expect(policy.totalBytes <= config.maxBytes)
            #expect(policy.totalBytes == entries.reduce(0) { $0 + $1.bytes })
            if op != 4 {  // store and lookup purge expired entries; invalidate takes no time
                #expect(!entries.contains { now >= $0.createdAt + config.ttlSeconds })
            }
            #expect(Set(mirror.keys) == Set(entries.map(\.id)))
            for e in entries { #expect(e.createdAt == createdAt[e.id]) }
        }
        #expect(hits > 20, "the workload should exercise hits (got \(hits))")
    }
}
