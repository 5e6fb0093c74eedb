import ServeCore

/// Interns adapter names into small integer slots (0 = base model) once per request, so the
/// per-step paths index arrays instead of hashing strings: with hundreds of adapter lanes the
/// round-robin walk would otherwise spend most of its time in `Hasher`.
struct AdapterTable: Sendable {
    private var slotOf: [AdapterID: Int] = [:]
    /// Adapter per slot; slot 0 is the base model (`nil`).
    private(set) var names: [AdapterID?] = [nil]

    var count: Int { names.count }

    /// The slot of `adapter`, creating one on first sight. Slots are never reused.
    mutating func intern(_ adapter: AdapterID?) -> Int {
        guard let adapter else { return 0 }
        if let slot = slotOf[adapter] { return slot }
        names.append(adapter)
        slotOf[adapter] = names.count - 1
        return names.count - 1
    }

    func name(_ slot: Int) -> AdapterID? { slot < names.count ? names[slot] : nil }
}
