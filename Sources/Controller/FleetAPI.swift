/// `POST /v1/loras` body.
public struct RegisterLoRARequest: Codable, Sendable {
    public var name: String
    public var path: String
    public var rank: Int?
    public var bytes: Int?
    public var pinned: Bool?
    public var tenant: String?
    public init(name: String, path: String, rank: Int? = nil, bytes: Int? = nil, pinned: Bool? = nil, tenant: String? = nil) {
        self.name = name
        self.path = path
        self.rank = rank
        self.bytes = bytes
        self.pinned = pinned
        self.tenant = tenant
    }
}

/// One adapter in `GET /v1/loras`: registry entry, where placement put it, what workers report.
public struct LoRAInfo: Codable, Sendable, Equatable {
    public struct Residency: Codable, Sendable, Equatable {
        public var worker: String
        public var residency: String
        public var up: Bool
    }
    public var name: String
    public var path: String
    public var rank: Int
    public var bytes: Int
    public var pinned: Bool
    public var tenant: String?
    /// Workers the router sends this adapter to.
    public var placement: [String]
    /// Workers whose last scrape showed the adapter, with its residency there.
    public var residency: [Residency]
    public var requests: Int
    public var request_rate: Double
}

public struct LoRAList: Codable, Sendable { public var object = "list"; public var data: [LoRAInfo] }

public struct WorkerInfo: Codable, Sendable {
    public var url: String
    public var origin: String
    public var up: Bool
    public var in_flight: Int
    public var running: Int
    public var waiting: Int
    public var routed: Int
    public var adapters: [String]
}

public struct RegisterWorkerRequest: Codable, Sendable { public var url: String }
