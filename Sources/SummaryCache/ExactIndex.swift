/// Exact nearest neighbours by brute force: every live vector is compared with the query using the
/// SIMD dot product. Vectors are stored back to back in one array (row `slot` at
/// `slot·dimensions`), so a search streams through memory once. Removal moves the last row into
/// the hole, keeping storage dense.
///
/// Cost: one `dimensions`-long dot product per entry per search; at 384 dimensions that is well
/// under a millisecond for a few thousand entries, which is the size of a per-document partition.
public struct ExactIndex: VectorIndex {
    public let dimensions: Int
    private var storage: [Float] = []
    private var ids: [EntryID] = []
    private var slotOf: [EntryID: Int] = [:]

    public init(dimensions: Int) {
        self.dimensions = dimensions
    }

    public var count: Int { ids.count }

    public func contains(_ id: EntryID) -> Bool { slotOf[id] != nil }

    public mutating func add(_ id: EntryID, vector: [Float]) throws(CacheError) {
        guard vector.count == dimensions else { throw .dimensionMismatch(expected: dimensions, actual: vector.count) }
        guard slotOf[id] == nil else { throw .duplicateID(id) }
        slotOf[id] = ids.count
        ids.append(id)
        storage.append(contentsOf: vector)
    }

    @discardableResult
    public mutating func remove(_ id: EntryID) -> Bool {
        guard let slot = slotOf.removeValue(forKey: id) else { return false }
        let last = ids.count - 1
        if slot != last {
            let moved = ids[last]
            ids[slot] = moved
            slotOf[moved] = slot
            let d = dimensions
            storage.withUnsafeMutableBufferPointer { s in
                for j in 0..<d { s[slot * d + j] = s[last * d + j] }
            }
        }
        ids.removeLast()
        storage.removeLast(dimensions)
        return true
    }

    public func search(_ query: [Float], k: Int) throws(CacheError) -> [SearchHit] {
        guard query.count == dimensions else { throw .dimensionMismatch(expected: dimensions, actual: query.count) }
        guard k > 0, !ids.isEmpty else { return [] }
        var top = TopK(k: min(k, ids.count))
        let d = dimensions
        storage.withUnsafeBufferPointer { s in
            query.withUnsafeBufferPointer { q in
                guard let sb = s.baseAddress, let qb = q.baseAddress else { return }
                for slot in 0..<ids.count {
                    let sim = VectorMath.dot(qb, sb + slot * d, count: d)
                    // Cheap reject before building the hit (most rows lose once the buffer is full).
                    if sim >= top.floor { top.offer(SearchHit(id: ids[slot], similarity: sim)) }
                }
            }
        }
        return top.hits
    }

    public mutating func rebuild(from entries: [(id: EntryID, vector: [Float])]) throws(CacheError) {
        var fresh = ExactIndex(dimensions: dimensions)
        fresh.storage.reserveCapacity(entries.count * dimensions)
        for e in entries { try fresh.add(e.id, vector: e.vector) }
        self = fresh
    }

    /// All live entries (id and vector), in slot order.
    public var allEntries: [(id: EntryID, vector: [Float])] {
        (0..<ids.count).map { slot in (ids[slot], Array(storage[(slot * dimensions)..<((slot + 1) * dimensions)])) }
    }
}
