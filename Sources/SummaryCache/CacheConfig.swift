/// Configuration of `SummaryCachePolicy`, shared by the controller and the simulator.
///
/// Decoding accepts partial JSON: a missing key keeps its default.
public struct CacheConfig: Sendable, Codable, Equatable {
    /// Minimum cosine similarity between a new question and a cached one for a hit. Calibrate it
    /// with `ThresholdCalibrator`; the default suits all-MiniLM-L6-v2 on question paraphrases.
    public var similarityThreshold: Float = 0.80
    /// Absolute lifetime of an entry in seconds from its creation; hits never extend it.
    public var ttlSeconds: Double = 7 * 24 * 3600
    /// At most this many live entries (all tenants together); eviction keeps the limit.
    public var maxEntries: Int = 100_000
    /// At most this many bytes (`CacheEntry.bytes`, all tenants together).
    public var maxBytes: Int = 512 * 1024 * 1024
    /// How many nearest cached questions above the threshold are tried against the guards before
    /// giving up (a vetoed nearest neighbour may be followed by a valid paraphrase).
    public var candidateCount: Int = 4
    /// Which guards may veto a hit.
    public var guards: GuardSwitches = GuardSwitches()
    /// The document-focus guard, used when a lookup brings the document's unit vectors.
    public var focus: FocusGuardConfig = FocusGuardConfig()
    /// A partition switches from the exact index to HNSW once it holds this many entries.
    public var hnswMinimumEntries: Int = 4096
    public var hnsw: HNSWParameters = HNSWParameters()
    /// Storing a summary for a new version of a document drops the entries of its other versions
    /// (the caller summarises the content it currently has, so older versions are stale).
    public var dropOtherVersionsOnStore: Bool = true

    public init() {}

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = CacheConfig()
        similarityThreshold = try c.decodeIfPresent(Float.self, forKey: .similarityThreshold) ?? d.similarityThreshold
        ttlSeconds = try c.decodeIfPresent(Double.self, forKey: .ttlSeconds) ?? d.ttlSeconds
        maxEntries = try c.decodeIfPresent(Int.self, forKey: .maxEntries) ?? d.maxEntries
        maxBytes = try c.decodeIfPresent(Int.self, forKey: .maxBytes) ?? d.maxBytes
        candidateCount = try c.decodeIfPresent(Int.self, forKey: .candidateCount) ?? d.candidateCount
        guards = try c.decodeIfPresent(GuardSwitches.self, forKey: .guards) ?? d.guards
        focus = try c.decodeIfPresent(FocusGuardConfig.self, forKey: .focus) ?? d.focus
        hnswMinimumEntries = try c.decodeIfPresent(Int.self, forKey: .hnswMinimumEntries) ?? d.hnswMinimumEntries
        hnsw = try c.decodeIfPresent(HNSWParameters.self, forKey: .hnsw) ?? d.hnsw
        dropOtherVersionsOnStore = try c.decodeIfPresent(Bool.self, forKey: .dropOtherVersionsOnStore) ?? d.dropOtherVersionsOnStore
    }

    /// Throws on values the policy cannot work with.
    public func validate() throws(CacheError) {
        guard similarityThreshold.isFinite, similarityThreshold >= -1, similarityThreshold <= 1 else {
            throw .invalidConfig(parameter: "similarityThreshold", value: "\(similarityThreshold)", allowed: "[-1, 1]")
        }
        guard ttlSeconds.isFinite, ttlSeconds > 0 else {
            throw .invalidConfig(parameter: "ttlSeconds", value: "\(ttlSeconds)", allowed: "> 0, finite")
        }
        guard maxEntries >= 1 else {
            throw .invalidConfig(parameter: "maxEntries", value: "\(maxEntries)", allowed: ">= 1")
        }
        guard maxBytes >= 1 else {
            throw .invalidConfig(parameter: "maxBytes", value: "\(maxBytes)", allowed: ">= 1")
        }
        guard candidateCount >= 1, candidateCount <= 64 else {
            throw .invalidConfig(parameter: "candidateCount", value: "\(candidateCount)", allowed: "1...64")
        }
        guard hnswMinimumEntries >= 1 else {
            throw .invalidConfig(parameter: "hnswMinimumEntries", value: "\(hnswMinimumEntries)", allowed: ">= 1")
        }
        try hnsw.validate()
        try focus.validate()
    }
}

/// Switches for the individual question guards (all on by default).
public struct GuardSwitches: Sendable, Codable, Equatable {
    public var negation: Bool = true
    public var numbers: Bool = true
    public var dates: Bool = true
    public var entities: Bool = true
    public var questionType: Bool = true
    /// Opposite-direction words (before/after, import/export, bought/sold, most/least...).
    public var opposites: Bool = true

    public init() {}

    /// All guards off: the cache decides on similarity alone (for ablations and calibration).
    public static let none: GuardSwitches = {
        var g = GuardSwitches()
        g.negation = false; g.numbers = false; g.dates = false
        g.entities = false; g.questionType = false; g.opposites = false
        return g
    }()

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        negation = try c.decodeIfPresent(Bool.self, forKey: .negation) ?? true
        numbers = try c.decodeIfPresent(Bool.self, forKey: .numbers) ?? true
        dates = try c.decodeIfPresent(Bool.self, forKey: .dates) ?? true
        entities = try c.decodeIfPresent(Bool.self, forKey: .entities) ?? true
        questionType = try c.decodeIfPresent(Bool.self, forKey: .questionType) ?? true
        opposites = try c.decodeIfPresent(Bool.self, forKey: .opposites) ?? true
    }
}
