/// A graph node with its distance to the current query (smaller is closer).
struct NodeDistance {
    var distance: Float
    var node: Int32
}

/// Binary heap of `NodeDistance`, ordered so the root is the minimum (`isMax == false`) or the
/// maximum (`isMax == true`) distance. Ties break by node index so the order is deterministic.
struct NodeHeap {
    private(set) var items: [NodeDistance] = []
    let isMax: Bool

    init(isMax: Bool, capacity: Int = 0) {
        self.isMax = isMax
        items.reserveCapacity(capacity)
    }

    var count: Int { items.count }
    var isEmpty: Bool { items.isEmpty }
    var top: NodeDistance? { items.first }

    @inline(__always)
    private func above(_ a: NodeDistance, _ b: NodeDistance) -> Bool {
        if a.distance != b.distance { return isMax ? a.distance > b.distance : a.distance < b.distance }
        return isMax ? a.node > b.node : a.node < b.node
    }

    mutating func push(_ x: NodeDistance) {
        items.append(x)
        var i = items.count - 1
        while i > 0 {
            let p = (i - 1) / 2
            guard above(items[i], items[p]) else { break }
            items.swapAt(i, p)
            i = p
        }
    }

    @discardableResult
    mutating func pop() -> NodeDistance? {
        guard let first = items.first else { return nil }
        let last = items.removeLast()
        if !items.isEmpty {
            items[0] = last
            var i = 0
            let n = items.count
            while true {
                let l = 2 * i + 1, r = l + 1
                var best = i
                if l < n, above(items[l], items[best]) { best = l }
                if r < n, above(items[r], items[best]) { best = r }
                if best == i { break }
                items.swapAt(i, best)
                i = best
            }
        }
        return first
    }

    /// The content in increasing distance order (consumes nothing; O(n log n)).
    func sortedAscending() -> [NodeDistance] {
        items.sorted { $0.distance != $1.distance ? $0.distance < $1.distance : $0.node < $1.node }
    }
}
