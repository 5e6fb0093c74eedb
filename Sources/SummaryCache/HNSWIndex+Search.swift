/// One bit per graph node: "already evaluated during this search".
struct VisitedSet {
    private var words: [UInt64]

    init(count: Int) { words = [UInt64](repeating: 0, count: (count + 63) >> 6) }

    /// Marks `n`; returns false if it was already marked.
    @inline(__always)
    mutating func insert(_ n: Int32) -> Bool {
        let i = Int(n)
        let bit = UInt64(1) << UInt64(i & 63)
        let w = i >> 6
        if words[w] & bit != 0 { return false }
        words[w] |= bit
        return true
    }
}

extension HNSWIndex {
    /// Neighbour list of `node` on `level`: (array offset of the count slot, count).
    @inline(__always)
    func linkSlot(_ node: Int32, level: Int32) -> Int {
        level == 0 ? Int(node) * stride0 : Int(level - 1) * strideUpper
    }

    /// The neighbours of `node` on `level`, copied (for the non-hot paths).
    func neighbours(of node: Int32, level: Int32) -> [Int32] {
        if level == 0 {
            let base = Int(node) * stride0
            let c = Int(links0[base])
            return Array(links0[(base + 1)..<(base + 1 + c)])
        }
        let list = upperLinks[Int(node)]
        let base = Int(level - 1) * strideUpper
        let c = Int(list[base])
        return Array(list[(base + 1)..<(base + 1 + c)])
    }

    /// Distance used inside the graph: −cosine (vectors are normalised), smaller is closer.
    @inline(__always)
    func distance(_ q: UnsafePointer<Float>, _ node: Int32, _ vp: UnsafePointer<Float>) -> Float {
        -VectorMath.dot(q, vp + Int(node) * dimensions, count: dimensions)
    }

    /// k-NN query: greedy descent through the upper layers, then a beam search of width `ef` on
    /// layer 0 that returns live nodes only (tombstones still route). Ascending distance.
    func searchKNN(_ query: [Float], ef: Int) -> [NodeDistance] {
        guard entryPoint >= 0 else { return [] }
        return vectors.withUnsafeBufferPointer { vbuf in
            query.withUnsafeBufferPointer { qbuf in
                guard let vp = vbuf.baseAddress, let q = qbuf.baseAddress else { return [] }
                let start = greedyDescent(q, vp, from: entryPoint, downTo: 1)
                return searchLayer(q, vp, entries: [start], ef: ef, level: 0, liveOnly: true)
            }
        }
    }

    /// Walks each layer from `maxLevel` down to `lowest`, moving to a closer neighbour while one
    /// exists (layer-wise greedy search with ef = 1).
    func greedyDescent(_ q: UnsafePointer<Float>, _ vp: UnsafePointer<Float>, from entry: Int32, downTo lowest: Int32) -> NodeDistance {
        var cur = NodeDistance(distance: distance(q, entry, vp), node: entry)
        var level = maxLevel
        while level >= lowest {
            var changed = true
            while changed {
                changed = false
                for m in neighbours(of: cur.node, level: level) {
                    let d = distance(q, m, vp)
                    if d < cur.distance || (d == cur.distance && m < cur.node) {
                        cur = NodeDistance(distance: d, node: m)
                        changed = true
                    }
                }
            }
            level -= 1
        }
        return cur
    }

    /// Beam search on one layer (the paper's SEARCH-LAYER). With `liveOnly`, tombstoned nodes are
    /// expanded but never enter the result set (as hnswlib does for marked-deleted elements).
    func searchLayer(_ q: UnsafePointer<Float>, _ vp: UnsafePointer<Float>, entries: [NodeDistance],
                     ef: Int, level: Int32, liveOnly: Bool) -> [NodeDistance] {
        var visited = VisitedSet(count: nodeIDs.count)
        var candidates = NodeHeap(isMax: false, capacity: ef * 2)
        var results = NodeHeap(isMax: true, capacity: ef + 1)
        let filtering = liveOnly && deletedCount > 0
        for e in entries where visited.insert(e.node) {
            candidates.push(e)
            if !filtering || !deleted[Int(e.node)] { results.push(e) }
        }
        var bound = results.count > 0 ? (results.top?.distance ?? .infinity) : .infinity
        while let c = candidates.pop() {
            if c.distance > bound && (results.count >= ef || !filtering) { break }
            let isUpper = level > 0
            let count: Int
            let base: Int
            if isUpper {
                base = Int(level - 1) * strideUpper
                count = Int(upperLinks[Int(c.node)][base])
            } else {
                base = Int(c.node) * stride0
                count = Int(links0[base])
            }
            for j in 0..<count {
                let m = isUpper ? upperLinks[Int(c.node)][base + 1 + j] : links0[base + 1 + j]
                guard visited.insert(m) else { continue }
                let d = distance(q, m, vp)
                if results.count < ef || d < bound {
                    candidates.push(NodeDistance(distance: d, node: m))
                    if !filtering || !deleted[Int(m)] {
                        results.push(NodeDistance(distance: d, node: m))
                        if results.count > ef { results.pop() }
                    }
                    if let t = results.top { bound = t.distance }
                }
            }
        }
        return results.sortedAscending()
    }
}
