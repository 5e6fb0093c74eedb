/// Settings of the document-focus guard (see `DocumentFocus`, docs/summary-cache.md).
///
/// Decoding accepts partial JSON: a missing key keeps its default.
public struct FocusGuardConfig: Sendable, Codable, Equatable {
    /// Veto a hit when the focus distributions of the two questions overlap less than this
    /// (Bhattacharyya coefficient, 0…1). 0 turns the guard off.
    public var minimumOverlap: Float = 0.5
    /// Softmax temperature over unit cosines: lower = sharper focus (the top unit dominates).
    public var temperature: Float = 0.02
    /// With fewer units than this the document has no "where" to compare (a one-sentence
    /// paragraph): the guard passes.
    public var minimumUnits: Int = 2

    public init() {}

    public init(minimumOverlap: Float, temperature: Float = 0.02, minimumUnits: Int = 2) {
        self.minimumOverlap = minimumOverlap
        self.temperature = temperature
        self.minimumUnits = minimumUnits
    }

    /// The guard never vetoes.
    public static let off = FocusGuardConfig(minimumOverlap: 0)

    public var isEnabled: Bool { minimumOverlap > 0 }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = FocusGuardConfig()
        minimumOverlap = try c.decodeIfPresent(Float.self, forKey: .minimumOverlap) ?? d.minimumOverlap
        temperature = try c.decodeIfPresent(Float.self, forKey: .temperature) ?? d.temperature
        minimumUnits = try c.decodeIfPresent(Int.self, forKey: .minimumUnits) ?? d.minimumUnits
    }

    public func validate() throws(CacheError) {
        guard minimumOverlap.isFinite, minimumOverlap >= 0, minimumOverlap <= 1 else {
            throw .invalidConfig(parameter: "focus.minimumOverlap", value: "\(minimumOverlap)", allowed: "[0, 1]")
        }
        guard temperature.isFinite, temperature > 0 else {
            throw .invalidConfig(parameter: "focus.temperature", value: "\(temperature)", allowed: "> 0, finite")
        }
        guard minimumUnits >= 1 else {
            throw .invalidConfig(parameter: "focus.minimumUnits", value: "\(minimumUnits)", allowed: ">= 1")
        }
    }
}

/// The document-focus guard: vetoes a hit whose cached question points at other parts of the
/// document than the new one.
public struct FocusGuard: Sendable {
    public var config: FocusGuardConfig

    public init(config: FocusGuardConfig = FocusGuardConfig()) {
        self.config = config
    }

    /// How the two questions' focus compares.
    public struct Comparison: Sendable, Equatable {
        /// Bhattacharyya coefficient of the two focus distributions.
        public var overlap: Float
        /// Index of the unit each question points at most.
        public var cachedTop: Int
        public var queryTop: Int
    }

    public func compare(cached: [Float], query: [Float], in focus: DocumentFocus) throws(CacheError) -> Comparison {
        let p = try focus.distribution(cached, temperature: config.temperature)
        let q = try focus.distribution(query, temperature: config.temperature)
        return Comparison(overlap: DocumentFocus.overlap(p, q), cachedTop: Self.argmax(p), queryTop: Self.argmax(q))
    }

    /// nil when the hit may be used (guard off, too few units, or enough overlap); else the
    /// finding naming the units each question points at.
    public func check(cached: [Float], query: [Float], in focus: DocumentFocus) throws(CacheError) -> GuardFinding? {
        guard config.isEnabled, focus.count >= config.minimumUnits else { return nil }
        let c = try compare(cached: cached, query: query, in: focus)
        guard c.overlap < config.minimumOverlap else { return nil }
        let overlap = (c.overlap * 100).rounded() / 100
        return GuardFinding(kind: .focus, detail: "points at unit \(c.cachedTop + 1) vs \(c.queryTop + 1) of \(focus.count) (overlap \(overlap) < \(config.minimumOverlap))")
    }

    static func argmax(_ x: [Float]) -> Int {
        var best = 0
        for i in x.indices where x[i] > x[best] { best = i }
        return best
    }
}
