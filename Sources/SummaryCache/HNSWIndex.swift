import Foundation
import ServeCore

/// Approximate nearest neighbours with a Hierarchical Navigable Small World graph (Malkov &
/// Yashunin, "Efficient and robust approximate nearest neighbor search using HNSW graphs", 2018).
///
/// Layout: node `n`'s vector is at `vectors[n·d ..< (n+1)·d]`; its layer-0 links at
/// `links0[n·(2M+1)]` (a count followed by up to 2M neighbour indices); its links on layers
/// 1...level in `upperLinks[n]` (per layer: a count followed by up to M indices).
///
/// Levels come from a SplitMix64 seeded by `parameters.seed`, so the same inserts in the same order
/// build the same graph. Removal tombstones the node (it still routes searches but is never
/// returned); once tombstones exceed `maxTombstoneFraction` the graph is rebuilt from the live
/// nodes, in their original insertion order.
public struct HNSWIndex: VectorIndex {
    public let dimensions: Int
    public let parameters: HNSWParameters
    var rng: SplitMix64
    var vectors: [Float] = []
    var nodeIDs: [EntryID] = []
    var nodeOf: [EntryID: Int32] = [:]
    var levels: [Int32] = []
    var links0: [Int32] = []
    var upperLinks: [[Int32]] = []
    var deleted: [Bool] = []
    var deletedCount = 0
    var entryPoint: Int32 = -1
    var maxLevel: Int32 = -1

    /// Level multiplier mL = 1/ln(M): the expected number of layers grows as log_M(n).
    let levelMultiplier: Double
    var maxM0: Int { 2 * parameters.m }
    var stride0: Int { 2 * parameters.m + 1 }
    var strideUpper: Int { parameters.m + 1 }

    public init(dimensions: Int, parameters: HNSWParameters = HNSWParameters()) {
        self.dimensions = dimensions
        self.parameters = parameters
        self.rng = SplitMix64(seed: parameters.seed)
        self.levelMultiplier = 1 / Foundation.log(Double(max(parameters.m, 2)))
    }

    public var count: Int { nodeIDs.count - deletedCount }
    /// Nodes in the graph including tombstoned ones.
    public var nodeCount: Int { nodeIDs.count }

    public func contains(_ id: EntryID) -> Bool {
        guard let n = nodeOf[id] else { return false }
        return !deleted[Int(n)]
    }

    public mutating func add(_ id: EntryID, vector: [Float]) throws(CacheError) {
        guard vector.count == dimensions else { throw .dimensionMismatch(expected: dimensions, actual: vector.count) }
        if let old = nodeOf[id] {
            guard deleted[Int(old)] else { throw .duplicateID(id) }
            // Re-adding a tombstoned id: rebuild without it first so the id maps to one node.
            compact()
        }
        let level = Self.randomLevel(multiplier: levelMultiplier, using: &rng)
        insertNode(id: id, vector: vector, level: level)
    }

    @discardableResult
    public mutating func remove(_ id: EntryID) -> Bool {
        guard let n = nodeOf[id], !deleted[Int(n)] else { return false }
        deleted[Int(n)] = true
        deletedCount += 1
        if Double(deletedCount) > parameters.maxTombstoneFraction * Double(nodeIDs.count) { compact() }
        return true
    }

    public func search(_ query: [Float], k: Int) throws(CacheError) -> [SearchHit] {
        try search(query, k: k, ef: parameters.efSearch)
    }

    /// Search with an explicit candidate-list size (recall/latency knob; at least `k` is used).
    public func search(_ query: [Float], k: Int, ef: Int) throws(CacheError) -> [SearchHit] {
        guard query.count == dimensions else { throw .dimensionMismatch(expected: dimensions, actual: query.count) }
        guard k > 0, count > 0 else { return [] }
        let found = searchKNN(query, ef: max(ef, k))
        var hits: [SearchHit] = []
        hits.reserveCapacity(min(k, found.count))
        for nd in found.prefix(k) { hits.append(SearchHit(id: nodeIDs[Int(nd.node)], similarity: -nd.distance)) }
        // Equal similarities: order by id like the exact index does.
        hits.sort(by: SearchHit.ranksBefore)
        return hits
    }

    public mutating func rebuild(from entries: [(id: EntryID, vector: [Float])]) throws(CacheError) {
        var fresh = HNSWIndex(dimensions: dimensions, parameters: parameters)
        fresh.reserve(entries.count)
        for e in entries { try fresh.add(e.id, vector: e.vector) }
        self = fresh
    }

    /// Live entries in insertion order.
    public var allEntries: [(id: EntryID, vector: [Float])] {
        (0..<nodeIDs.count).compactMap { n in
            deleted[n] ? nil : (nodeIDs[n], Array(vectors[(n * dimensions)..<((n + 1) * dimensions)]))
        }
    }

    mutating func reserve(_ n: Int) {
        vectors.reserveCapacity(n * dimensions)
        nodeIDs.reserveCapacity(n)
        levels.reserveCapacity(n)
        links0.reserveCapacity(n * stride0)
        upperLinks.reserveCapacity(n)
        deleted.reserveCapacity(n)
    }

    /// Rebuilds the graph from the live nodes (drops tombstones). Level draws continue from the
    /// current generator state, so the result is still a function of the seed and operation order.
    mutating func compact() {
        let live = allEntries
        var fresh = HNSWIndex(dimensions: dimensions, parameters: parameters)
        fresh.rng = rng
        fresh.reserve(live.count)
        for e in live {
            let level = Self.randomLevel(multiplier: levelMultiplier, using: &fresh.rng)
            fresh.insertNode(id: e.id, vector: e.vector, level: level)
        }
        self = fresh
    }

    /// Draws a node level: floor(−ln(U)·mL) with U uniform in (0, 1], capped to keep a bad draw
    /// from creating a needlessly tall graph.
    static func randomLevel(multiplier: Double, using rng: inout some RandomNumberGenerator) -> Int32 {
        let u = 1 - Double(rng.next() >> 11) * 0x1p-53
        let level = (-Foundation.log(u) * multiplier).rounded(.down)
        return Int32(min(max(level, 0), 30))
    }
}
