import ServeCore

/// Applies BPE merges to one pre-tokenised word.
///
/// Same result as llama.cpp's `llm_tokenizer_bpe_session`: repeatedly merge the adjacent pair
/// with the lowest merge rank, the leftmost one on ties, until no pair has a rule. Symbols live
/// in a doubly linked list over arrays; candidate pairs sit in a binary min-heap keyed by
/// `rank << 32 | leftIndex`, and entries made stale by earlier merges are skipped when popped
/// (a pair is still live iff its current ids still map to the popped rank). Scratch arrays are
/// reused across words.
struct WordMerger {
    private var ids: [TokenID] = []
    private var next: [Int32] = []
    private var prev: [Int32] = []
    private var heap: [UInt64] = []

    /// Appends the tokens of `word` (initial symbols: one byte token per byte) to `output`.
    /// `unknownByte` marks a byte whose token is missing; such symbols never merge and are
    /// emitted as `unknownID` when there is one.
    mutating func merge(
        byteTokens: [TokenID], word: ArraySlice<UInt8>, merges: MergeTable,
        unknownID: TokenID?, into output: inout [TokenID]
    ) {
        let count = word.count
        if count == 1, let first = word.first {
            appendToken(byteTokens[Int(first)], unknownID: unknownID, into: &output)
            return
        }
        ids.removeAll(keepingCapacity: true)
        next.removeAll(keepingCapacity: true)
        prev.removeAll(keepingCapacity: true)
        heap.removeAll(keepingCapacity: true)
        for (index, byte) in word.enumerated() {
            ids.append(byteTokens[Int(byte)])
            prev.append(Int32(index - 1))
            next.append(index + 1 < count ? Int32(index + 1) : -1)
        }
        for left in 0..<(count - 1) { pushPair(left: left, merges: merges) }

        while let top = popMin() {
            let left = Int(top & 0xFFFF_FFFF)
            let rank = UInt32(truncatingIfNeeded: top >> 32)
            let rightLink = next[left]
            guard ids[left] >= 0, rightLink >= 0 else { continue }
            let right = Int(rightLink)
            guard let rule = merges.lookup(ids[left], ids[right]), rule.rank == rank else { continue }
            // Merge right into left and unlink right.
            ids[left] = rule.merged
            ids[right] = -1
            next[left] = next[right]
            if next[right] >= 0 { prev[Int(next[right])] = Int32(left) }
            if prev[left] >= 0 { pushPair(left: Int(prev[left]), merges: merges) }
            if next[left] >= 0 { pushPair(left: left, merges: merges) }
        }
        var index = 0
        while index >= 0 {
            appendToken(ids[index], unknownID: unknownID, into: &output)
            index = Int(next[index])
        }
    }

    @inline(__always)
    private func appendToken(_ id: TokenID, unknownID: TokenID?, into output: inout [TokenID]) {
        if id >= 0 {
            output.append(id)
        } else if let unknownID {
            output.append(unknownID)
        }
    }

    private mutating func pushPair(left: Int, merges: MergeTable) {
        let right = Int(next[left])
        guard right >= 0, ids[left] >= 0, ids[right] >= 0,
              let rule = merges.lookup(ids[left], ids[right]) else { return }
        heap.append(UInt64(rule.rank) << 32 | UInt64(left))
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child] < heap[parent] else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    private mutating func popMin() -> UInt64? {
        guard let last = heap.popLast() else { return nil }
        guard !heap.isEmpty else { return last }
        let top = heap[0]
        heap[0] = last
        var parent = 0
        let count = heap.count
        while true {
            let l = 2 * parent + 1, r = l + 1
            var smallest = parent
            if l < count, heap[l] < heap[smallest] { smallest = l }
            if r < count, heap[r] < heap[smallest] { smallest = r }
            if smallest == parent { break }
            heap.swapAt(parent, smallest)
            parent = smallest
        }
        return top
    }
}
