/// A binary min-heap (smallest element first). Used with lazy deletion: callers push a new item
/// when an element's key changes and skip stale items when they surface.
struct PriorityQueue<Element: Comparable> {
    private(set) var items: [Element] = []

    var count: Int { items.count }
    var isEmpty: Bool { items.isEmpty }
    var min: Element? { items.first }

    init() {}

    /// Builds a heap from arbitrary items in O(n).
    init(_ elements: [Element]) {
        items = elements
        var i = items.count / 2 - 1
        while i >= 0 { siftDown(i); i -= 1 }
    }

    mutating func push(_ x: Element) {
        items.append(x)
        var i = items.count - 1
        while i > 0 {
            let p = (i - 1) / 2
            guard items[i] < items[p] else { break }
            items.swapAt(i, p)
            i = p
        }
    }

    @discardableResult
    mutating func popMin() -> Element? {
        guard !items.isEmpty else { return nil }
        items.swapAt(0, items.count - 1)
        let out = items.removeLast()
        siftDown(0)
        return out
    }

    private mutating func siftDown(_ start: Int) {
        var i = start
        let n = items.count
        while true {
            let l = 2 * i + 1, r = l + 1
            var m = i
            if l < n, items[l] < items[m] { m = l }
            if r < n, items[r] < items[m] { m = r }
            if m == i { return }
            items.swapAt(i, m)
            i = m
        }
    }
}

extension PriorityQueue: Sendable where Element: Sendable {}
