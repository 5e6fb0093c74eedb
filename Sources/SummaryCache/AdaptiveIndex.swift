/// The per-partition index: exact brute force while small (exact and faster below a few thousand
/// vectors), HNSW once the partition reaches `hnswMinimumEntries`; back to exact when it shrinks
/// under half of that (the gap avoids flapping).
public struct AdaptiveIndex: VectorIndex {
    enum Storage: Sendable {
        case exact(ExactIndex)
        case hnsw(HNSWIndex)
    }

    var storage: Storage
    public let dimensions: Int
    public let hnswMinimumEntries: Int
    public let hnswParameters: HNSWParameters

    public init(dimensions: Int, hnswMinimumEntries: Int, hnswParameters: HNSWParameters) {
        self.dimensions = dimensions
        self.hnswMinimumEntries = hnswMinimumEntries
        self.hnswParameters = hnswParameters
        storage = .exact(ExactIndex(dimensions: dimensions))
    }

    public var isApproximate: Bool {
        if case .hnsw = storage { return true }
        return false
    }

    public var count: Int {
        switch storage {
        case let .exact(i): i.count
        case let .hnsw(i): i.count
        }
    }

    public func contains(_ id: EntryID) -> Bool {
        switch storage {
        case let .exact(i): i.contains(id)
        case let .hnsw(i): i.contains(id)
        }
    }

    public mutating func add(_ id: EntryID, vector: [Float]) throws(CacheError) {
        switch storage {
        case var .exact(i):
            // Release the enum's reference first so the arrays inside stay uniquely owned.
            storage = .exact(ExactIndex(dimensions: dimensions))
            defer { storage = .exact(i) }
            try i.add(id, vector: vector)
        case var .hnsw(h):
            storage = .exact(ExactIndex(dimensions: dimensions))
            defer { storage = .hnsw(h) }
            try h.add(id, vector: vector)
        }
        if case let .exact(i) = storage, i.count >= hnswMinimumEntries {
            var h = HNSWIndex(dimensions: dimensions, parameters: hnswParameters)
            try h.rebuild(from: i.allEntries)
            storage = .hnsw(h)
        }
    }

    @discardableResult
    public mutating func remove(_ id: EntryID) -> Bool {
        switch storage {
        case var .exact(i):
            storage = .exact(ExactIndex(dimensions: dimensions))
            let removed = i.remove(id)
            storage = .exact(i)
            return removed
        case var .hnsw(h):
            storage = .exact(ExactIndex(dimensions: dimensions))
            let removed = h.remove(id)
            if h.count < hnswMinimumEntries / 2 {
                var e = ExactIndex(dimensions: dimensions)
                // Cannot fail: the vectors came from an index of the same dimensions, ids are unique.
                try? e.rebuild(from: h.allEntries)
                storage = .exact(e)
            } else {
                storage = .hnsw(h)
            }
            return removed
        }
    }

    public func search(_ query: [Float], k: Int) throws(CacheError) -> [SearchHit] {
        switch storage {
        case let .exact(i): try i.search(query, k: k)
        case let .hnsw(h): try h.search(query, k: k)
        }
    }

    public mutating func rebuild(from entries: [(id: EntryID, vector: [Float])]) throws(CacheError) {
        if entries.count >= hnswMinimumEntries {
            var h = HNSWIndex(dimensions: dimensions, parameters: hnswParameters)
            try h.rebuild(from: entries)
            storage = .hnsw(h)
        } else {
            var e = ExactIndex(dimensions: dimensions)
            try e.rebuild(from: entries)
            storage = .exact(e)
        }
    }
}
