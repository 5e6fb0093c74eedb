/// The summary-cache policy: pure state and decisions, no I/O and no clock. Every mutating call
/// takes `now` (seconds on the caller's clock) and returns the store actions to execute.
///
/// Isolation by construction: entries live in partitions keyed by (tenant, document id, document
/// version, embedder fingerprint), each with its own vector index; a lookup computes its key and
/// searches that one partition only. See docs/summary-cache.md.
public struct SummaryCachePolicy: Sendable {
    public let config: CacheConfig
    public let guards: QuestionGuards
    public internal(set) var stats = CacheStats()

    struct Partition: Sendable {
        var index: AdaptiveIndex
        var ids: Set<EntryID> = []
        /// Entry per exact question text (a new summary for the same text replaces the old one).
        var byQuery: [String: EntryID] = [:]
    }

    /// A document of a tenant, all versions (the unit of invalidation).
    struct DocumentRef: Hashable, Sendable {
        var tenant: TenantID
        var documentID: DocumentID
    }

    /// Expiry order: creation time (TTL is the same for every entry), then id.
    struct ExpiryItem: Comparable, Sendable {
        var createdAt: Double
        var id: EntryID
        static func < (a: Self, b: Self) -> Bool {
            a.createdAt != b.createdAt ? a.createdAt < b.createdAt : a.id < b.id
        }
    }

    var entries: [EntryID: CacheEntry] = [:]
    var partitions: [PartitionKey: Partition] = [:]
    var partitionsByDocument: [DocumentRef: Set<PartitionKey>] = [:]
    var eviction = EvictionQueue()
    var expiry = PriorityQueue<ExpiryItem>()
    public internal(set) var totalBytes = 0
    var nextID: UInt64 = 1

    /// Throws if `config.validate()` does.
    public init(config: CacheConfig = CacheConfig()) throws(CacheError) {
        try config.validate()
        self.config = config
        self.guards = QuestionGuards(switches: config.guards)
    }

    /// Live entries (all tenants).
    public var count: Int { entries.count }

    public func entry(_ id: EntryID) -> CacheEntry? { entries[id] }

    /// All entries, ordered by id (for snapshots and tests).
    public var allEntries: [CacheEntry] { entries.values.sorted { $0.id < $1.id } }

    /// Entries of one partition, ordered by id.
    public func entries(in key: PartitionKey) -> [CacheEntry] {
        (partitions[key]?.ids ?? []).compactMap { entries[$0] }.sorted { $0.id < $1.id }
    }

    /// When an entry stops being served: `createdAt + ttlSeconds`, never moved by hits.
    public func expiresAt(_ entry: CacheEntry) -> Double { entry.createdAt + config.ttlSeconds }

    /// Loads entries from a store (at startup): validates each, drops expired ones, rebuilds the
    /// indexes, and enforces the limits. Returns the deletions the store should apply.
    public mutating func restore(_ loaded: [CacheEntry], now: Double) throws(CacheError) -> [CacheAction] {
        var actions: [CacheAction] = []
        for var e in loaded.sorted(by: { $0.id < $1.id }) {
            guard entries[e.id] == nil else { throw .invalidEntry(id: e.id, reason: "duplicate id") }
            guard e.queryVector.count == e.fingerprint.dimensions else {
                throw .invalidEntry(id: e.id, reason: "vector has \(e.queryVector.count) dimensions, fingerprint says \(e.fingerprint.dimensions)")
            }
            if !e.id.isStoreAssigned { nextID = max(nextID, e.id.rawValue &+ 1) }
            if now >= expiresAt(e) {
                actions.append(.delete(e.id, reason: .expired))
                stats.countRemoval(.expired)
                continue
            }
            e.queryVector = try VectorMath.normalized(e.queryVector)
            try insert(e)
        }
        actions += enforceLimits()
        return actions
    }

    /// Adds an entry to every structure (no limit check).
    mutating func insert(_ e: CacheEntry) throws(CacheError) {
        let key = e.partitionKey
        var partition = partitions.removeValue(forKey: key)
            ?? Partition(index: AdaptiveIndex(dimensions: e.fingerprint.dimensions,
                                              hnswMinimumEntries: config.hnswMinimumEntries,
                                              hnswParameters: config.hnsw))
        do throws(CacheError) {
            try partition.index.add(e.id, vector: e.queryVector)
        } catch {
            if partition.index.count > 0 { partitions[key] = partition }
            throw error
        }
        partition.ids.insert(e.id)
        partition.byQuery[e.queryText] = e.id
        partitions[key] = partition
        partitionsByDocument[DocumentRef(tenant: e.tenant, documentID: e.document.documentID), default: []].insert(key)
        entries[e.id] = e
        totalBytes += e.bytes
        eviction.update(e)
        expiry.push(ExpiryItem(createdAt: e.createdAt, id: e.id))
    }

    /// Removes an entry from every structure; returns the delete action (nil if absent).
    mutating func removeEntry(_ id: EntryID, reason: RemovalReason) -> CacheAction? {
        guard let e = entries.removeValue(forKey: id) else { return nil }
        let key = e.partitionKey
        if var partition = partitions.removeValue(forKey: key) {
            partition.index.remove(id)
            partition.ids.remove(id)
            if partition.byQuery[e.queryText] == id { partition.byQuery.removeValue(forKey: e.queryText) }
            if partition.ids.isEmpty {
                let ref = DocumentRef(tenant: e.tenant, documentID: e.document.documentID)
                partitionsByDocument[ref]?.remove(key)
                if partitionsByDocument[ref]?.isEmpty == true { partitionsByDocument.removeValue(forKey: ref) }
            } else {
                partitions[key] = partition
            }
        }
        totalBytes -= e.bytes
        eviction.remove(id)
        stats.countRemoval(reason)
        return .delete(id, reason: reason)
    }
}
