/// Chooses which entry to evict when the cache is over its limits: GreedyDual-Size-Frequency
/// (Cherkasova 1998), the web-cache policy that keeps what is expensive to refetch, small, and
/// often used, and ages everything else.
///
/// priority(e) = L + frequency(e) · cost(e) / size(e)
///
/// - cost: tokens the LLM spent to produce the summary (what a future hit saves);
/// - size: the entry's bytes (keeping two small summaries beats keeping one big one of equal cost);
/// - frequency: hits + 1;
/// - L (the "inflation" clock): the priority of the last evicted entry. Every hit recomputes the
///   entry's priority with the current L, so recently used entries rank above ones last used long
///   ago with the same value: that is the recency part.
///
/// The lowest priority is evicted first; ties go to the older (smaller sequence) item.
struct EvictionQueue: Sendable {
    struct Item: Comparable, Sendable {
        var priority: Double
        var sequence: UInt64
        var id: EntryID
        static func < (a: Item, b: Item) -> Bool {
            a.priority != b.priority ? a.priority < b.priority : a.sequence < b.sequence
        }
    }

    private var heap = PriorityQueue<Item>()
    /// The current item of each live entry; heap items that differ are stale.
    private var current: [EntryID: Item] = [:]
    private var sequence: UInt64 = 0
    /// The inflation clock L.
    private(set) var clock: Double = 0

    var count: Int { current.count }

    static func value(cost: Int, bytes: Int, hits: Int) -> Double {
        Double(hits + 1) * Double(max(cost, 1)) / Double(max(bytes, 1))
    }

    /// Inserts or re-prioritises an entry (on store and on every hit).
    mutating func update(_ entry: CacheEntry) {
        sequence += 1
        let item = Item(priority: clock + Self.value(cost: entry.summaryTokenCost, bytes: entry.bytes, hits: entry.hits),
                        sequence: sequence, id: entry.id)
        current[entry.id] = item
        heap.push(item)
        compactIfNeeded()
    }

    mutating func remove(_ id: EntryID) {
        current.removeValue(forKey: id)
        compactIfNeeded()
    }

    /// Removes and returns the entry to evict, advancing the clock to its priority.
    mutating func popVictim() -> EntryID? {
        while let top = heap.popMin() {
            guard current[top.id] == top else { continue }
            current.removeValue(forKey: top.id)
            clock = max(clock, top.priority)
            return top.id
        }
        return nil
    }

    /// Drops stale heap items once they outnumber live ones (bounds memory under many hits).
    private mutating func compactIfNeeded() {
        if heap.count > 2 * current.count + 64 { heap = PriorityQueue(Array(current.values)) }
    }
}
