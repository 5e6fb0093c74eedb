/// HNSW construction and search parameters (Malkov & Yashunin 2018, names as in the paper and
/// hnswlib).
public struct HNSWParameters: Sendable, Codable, Equatable {
    /// Links per node on layers above 0; layer 0 keeps up to `2·M`.
    public var m: Int = 16
    /// Candidate list size while inserting (quality of the graph).
    public var efConstruction: Int = 200
    /// Candidate list size while searching (recall/latency trade-off; at least k is used).
    public var efSearch: Int = 96
    /// Seed of the level generator: the same seed and insertion order give the same graph.
    public var seed: UInt64 = 0x5EED_CAC4E
    /// Rebuild the graph once tombstones exceed this fraction of the nodes.
    public var maxTombstoneFraction: Double = 0.25

    public init(m: Int = 16, efConstruction: Int = 200, efSearch: Int = 96, seed: UInt64 = 0x5EED_CAC4E,
                maxTombstoneFraction: Double = 0.25) {
        self.m = m
        self.efConstruction = efConstruction
        self.efSearch = efSearch
        self.seed = seed
        self.maxTombstoneFraction = maxTombstoneFraction
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = HNSWParameters()
        m = try c.decodeIfPresent(Int.self, forKey: .m) ?? d.m
        efConstruction = try c.decodeIfPresent(Int.self, forKey: .efConstruction) ?? d.efConstruction
        efSearch = try c.decodeIfPresent(Int.self, forKey: .efSearch) ?? d.efSearch
        seed = try c.decodeIfPresent(UInt64.self, forKey: .seed) ?? d.seed
        maxTombstoneFraction = try c.decodeIfPresent(Double.self, forKey: .maxTombstoneFraction) ?? d.maxTombstoneFraction
    }

    public func validate() throws(CacheError) {
        guard m >= 2, m <= 128 else { throw .invalidConfig(parameter: "hnsw.m", value: "\(m)", allowed: "2...128") }
        guard efConstruction >= 1 else {
            throw .invalidConfig(parameter: "hnsw.efConstruction", value: "\(efConstruction)", allowed: ">= 1")
        }
        guard efSearch >= 1 else { throw .invalidConfig(parameter: "hnsw.efSearch", value: "\(efSearch)", allowed: ">= 1") }
        guard maxTombstoneFraction > 0, maxTombstoneFraction <= 1 else {
            throw .invalidConfig(parameter: "hnsw.maxTombstoneFraction", value: "\(maxTombstoneFraction)", allowed: "(0, 1]")
        }
    }
}
