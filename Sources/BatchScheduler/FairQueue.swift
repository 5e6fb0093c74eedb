import ServeCore

/// Waiting requests, one FIFO lane per adapter slot (0 = base model), served by deficit round
/// robin (Shreedhar & Varghese) with prompt tokens as the cost.
///
/// The ring is an array, never a dictionary walk: Swift seeds `Hasher` per process, so
/// iterating a dictionary would make decisions differ between engine and simulator.
struct FairQueue: Sendable {
    struct Item: Sendable {
        var id: RequestID
        /// Index into `BatchScheduler.table`.
        var handle: Int
        var priority: PriorityKey
    }

    struct Lane: Sendable {
        var items: [Item] = []
        /// Index of the head in `items`; consumed items before it are compacted lazily.
        var head = 0
        var deficit = 0
        var isEmpty: Bool { head >= items.count }
        var count: Int { items.count - head }
    }

    /// Slots with waiting requests, in round-robin order.
    private(set) var ring: [Int] = []
    /// Indexed by adapter slot; an empty lane is not in the ring.
    private var lanes: [Lane] = []
    /// Ring position whose turn it is.
    private(set) var cursor = 0
    /// Where the next search for a lane to reserve an adapter slot for starts: reservations go
    /// round the ring too, so no adapter waits for more than one reservation per other lane.
    private(set) var reservationCursor = 0
    /// Whether the lane at `cursor` already got its quantum for the current turn.
    private var charged = false
    private(set) var count = 0

    var isEmpty: Bool { count == 0 }
    var laneCount: Int { ring.count }

    /// Adds a request to its lane, keeping the lane sorted by priority (arrival order then id;
    /// submissions normally arrive in order, so this appends).
    mutating func insert(_ item: Item, slot: Int) {
        if slot >= lanes.count { lanes.append(contentsOf: repeatElement(Lane(), count: slot + 1 - lanes.count)) }
        if lanes[slot].isEmpty {
            lanes[slot] = Lane()
            // A lane that becomes active joins just before the cursors: the tail of the round.
            let at = cursor
            ring.insert(slot, at: at)
            if ring.count > 1 {
                cursor += 1
                if reservationCursor >= at { reservationCursor += 1 }
            }
        }
        var at = lanes[slot].items.count
        while at > lanes[slot].head, item.priority < lanes[slot].items[at - 1].priority { at -= 1 }
        lanes[slot].items.insert(item, at: at)
        count += 1
    }

    /// Removes a request anywhere in its lane (cancellation). Returns false if absent.
    mutating func remove(_ id: RequestID, slot: Int) -> Bool {
        guard slot < lanes.count,
              let at = lanes[slot].items[lanes[slot].head...].firstIndex(where: { $0.id == id }) else { return false }
        lanes[slot].items.remove(at: at)
        count -= 1
        tidy(slot)
        return true
    }

    /// The lane whose turn it is, with its head request.
    var current: (slot: Int, head: Item)? {
        guard cursor < ring.count else { return nil }
        let slot = ring[cursor]
        guard let head = head(of: slot) else { return nil }
        return (slot, head)
    }

    /// The head of one lane, whoever's turn it is.
    func head(of slot: Int) -> Item? {
        guard slot < lanes.count, !lanes[slot].isEmpty else { return nil }
        return lanes[slot].items[lanes[slot].head]
    }

    /// Requests waiting in one lane.
    func waiting(in slot: Int) -> Int { slot < lanes.count ? lanes[slot].count : 0 }

    /// Credits the current lane its quantum once per turn; returns its deficit.
    mutating func chargeCurrent(quantum: Int) -> Int {
        guard cursor < ring.count else { return 0 }
        let slot = ring[cursor]
        if !charged {
            // Saturating: a lane passed over for cost many times cannot overflow.
            let d = lanes[slot].deficit
            lanes[slot].deficit = d > Int.max - quantum ? Int.max : d + quantum
            charged = true
        }
        return lanes[slot].deficit
    }

    /// Pops the current lane's head, paying `cost` from its deficit. The turn stays with the
    /// lane while its deficit lasts.
    mutating func popCurrent(cost: Int) {
        guard let (slot, _) = current else { return }
        lanes[slot].deficit -= cost
        popHead(of: slot)
    }

    /// Pops one lane's head (out of turn for a reserved admission; deficit untouched).
    mutating func popHead(of slot: Int) {
        guard slot < lanes.count, !lanes[slot].isEmpty else { return }
        lanes[slot].head += 1
        count -= 1
        tidy(slot)
    }

    /// How many lanes from the cursor on (0 = the current one) come before the first one that
    /// `eligible` accepts; nil when none does.
    func lanesBeforeEligible(_ eligible: (Int) -> Bool) -> Int? {
        let n = ring.count
        for k in 0 ..< n where eligible(ring[(cursor + k) % n]) { return k }
        return nil
    }

    /// Ends the turns of the next `count` lanes (those `lanesBeforeEligible` passed over).
    mutating func skip(_ count: Int) {
        guard count > 0, !ring.isEmpty else { return }
        cursor = (cursor + count) % ring.count
        charged = false
    }

    /// Ends the current lane's turn without serving it further.
    mutating func advance() {
        guard !ring.isEmpty else { return }
        cursor = (cursor + 1) % ring.count
        charged = false
    }

    /// The first lane from `reservationCursor` on whose head satisfies `wants`, as a ring index
    /// and slot. Pass the index to `reservationFound` to move the search past it.
    func findReservation(_ wants: (Int, Item) -> Bool) -> (index: Int, slot: Int)? {
        for k in 0 ..< ring.count {
            let r = (reservationCursor + k) % ring.count
            if let head = head(of: ring[r]), wants(ring[r], head) { return (r, ring[r]) }
        }
        return nil
    }

    /// The next reservation search starts with the lane after ring index `index`.
    mutating func reservationFound(at index: Int) {
        guard !ring.isEmpty else { return }
        reservationCursor = (index + 1) % ring.count
    }

    /// Drops an emptied lane from the ring (deficit reset, as DRR does for an idle flow) and
    /// compacts consumed items.
    private mutating func tidy(_ slot: Int) {
        guard lanes[slot].isEmpty else {
            let head = lanes[slot].head
            if head >= 32, head * 2 >= lanes[slot].items.count {
                lanes[slot].items.removeFirst(head)
                lanes[slot].head = 0
            }
            return
        }
        lanes[slot] = Lane()
        guard let r = ring.firstIndex(of: slot) else { return }
        ring.remove(at: r)
        if r < cursor {
            cursor -= 1
        } else if r == cursor {
            charged = false
        }
        if cursor >= ring.count { cursor = 0 }
        if r < reservationCursor { reservationCursor -= 1 }
        if reservationCursor >= ring.count { reservationCursor = 0 }
    }
}
