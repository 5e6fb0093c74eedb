extension HNSWIndex {
    /// Appends a node with a pre-drawn level and links it into every layer up to that level
    /// (the paper's INSERT with the neighbour-selection heuristic, Algorithm 4).
    mutating func insertNode(id: EntryID, vector: [Float], level: Int32) {
        let n = Int32(nodeIDs.count)
        nodeIDs.append(id)
        nodeOf[id] = n
        levels.append(level)
        deleted.append(false)
        vectors.append(contentsOf: vector)
        links0.append(contentsOf: repeatElement(0, count: stride0))
        upperLinks.append(level > 0 ? [Int32](repeating: 0, count: Int(level) * strideUpper) : [])
        guard entryPoint >= 0 else {
            entryPoint = n
            maxLevel = level
            return
        }
        // A second reference keeps the vector buffer alive and unchanged while `self`'s link arrays
        // are mutated below (no vector is written during linking, so no copy is triggered).
        let snapshot = vectors
        snapshot.withUnsafeBufferPointer { vbuf in
            guard let vp = vbuf.baseAddress else { return }
            let q = vp + Int(n) * dimensions
            var entries = [greedyDescent(q, vp, from: entryPoint, downTo: level + 1)]
            var lc = min(level, maxLevel)
            while lc >= 0 {
                let found = searchLayer(q, vp, entries: entries, ef: parameters.efConstruction, level: lc, liveOnly: false)
                let chosen = selectNeighbours(found, keep: parameters.m, vp)
                setNeighbours(of: n, level: lc, chosen.map(\.node))
                let capacity = lc == 0 ? maxM0 : parameters.m
                for s in chosen { link(s.node, to: n, level: lc, capacity: capacity, vp) }
                entries = found
                lc -= 1
            }
        }
        if level > maxLevel {
            maxLevel = level
            entryPoint = n
        }
    }

    /// Keeps a candidate only if it is closer to the base than to every already kept candidate,
    /// which spreads links over directions (vital on clustered data: plain "closest M" links stay
    /// inside one cluster and strand the others). `candidates` must be in ascending distance.
    func selectNeighbours(_ candidates: [NodeDistance], keep: Int, _ vp: UnsafePointer<Float>) -> [NodeDistance] {
        guard candidates.count > keep else { return candidates }
        var kept: [NodeDistance] = []
        kept.reserveCapacity(keep)
        for c in candidates {
            if kept.count >= keep { break }
            let cp = vp + Int(c.node) * dimensions
            var good = true
            for r in kept where distance(cp, r.node, vp) < c.distance {
                good = false
                break
            }
            if good { kept.append(c) }
        }
        return kept
    }

    mutating func setNeighbours(of node: Int32, level: Int32, _ list: [Int32]) {
        if level == 0 {
            let base = Int(node) * stride0
            links0[base] = Int32(list.count)
            for (j, m) in list.enumerated() { links0[base + 1 + j] = m }
        } else {
            let base = Int(level - 1) * strideUpper
            upperLinks[Int(node)][base] = Int32(list.count)
            for (j, m) in list.enumerated() { upperLinks[Int(node)][base + 1 + j] = m }
        }
    }

    /// Adds the back link `node → newNode`; a full list is re-pruned with the heuristic.
    mutating func link(_ node: Int32, to newNode: Int32, level: Int32, capacity: Int, _ vp: UnsafePointer<Float>) {
        var list = neighbours(of: node, level: level)
        if list.count < capacity {
            list.append(newNode)
            setNeighbours(of: node, level: level, list)
            return
        }
        let base = vp + Int(node) * dimensions
        list.append(newNode)
        var scored = list.map { NodeDistance(distance: distance(base, $0, vp), node: $0) }
        scored.sort { $0.distance != $1.distance ? $0.distance < $1.distance : $0.node < $1.node }
        setNeighbours(of: node, level: level, selectNeighbours(scored, keep: capacity, vp).map(\.node))
    }
}
