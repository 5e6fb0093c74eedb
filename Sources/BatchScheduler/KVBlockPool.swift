/// Paged KV accounting: a fixed pool of block ids handed out to sequences as they grow.
///
/// Block ids are real (an engine with a paged cache can index its storage with them); the free
/// list is a LIFO stack, so allocation order is deterministic for a given history.
struct KVBlockPool: Sendable {
    let blockTokens: Int
    let totalBlocks: Int
    private var free: [Int32]

    init(blockTokens: Int, totalBlocks: Int) {
        self.blockTokens = blockTokens
        self.totalBlocks = totalBlocks
        // Reversed so that the first allocation gets block 0.
        free = (0 ..< Int32(clamping: totalBlocks)).reversed()
    }

    var freeCount: Int { free.count }
    var usedCount: Int { totalBlocks - free.count }

    /// Blocks needed to hold `tokens` KV entries.
    func blocks(forTokens tokens: Int) -> Int {
        tokens <= 0 ? 0 : (tokens + blockTokens - 1) / blockTokens
    }

    /// Takes `count` blocks, or returns nil (and takes none) when the pool lacks them.
    mutating func allocate(_ count: Int) -> [Int32]? {
        guard count > 0 else { return [] }
        guard count <= free.count else { return nil }
        let taken = Array(free.suffix(count).reversed())
        free.removeLast(count)
        return taken
    }

    /// `allocate(1)` without building an array: the same block id, or nil when none is free.
    mutating func allocateOne() -> Int32? { free.popLast() }

    /// Returns a sequence's blocks to the pool.
    mutating func release(_ blocks: [Int32]) {
        // Reversed so a sequence that grows again right away gets the same ids back, in order.
        free.append(contentsOf: blocks.reversed())
    }
}
