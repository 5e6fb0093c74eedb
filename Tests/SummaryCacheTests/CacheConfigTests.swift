import Foundation
import SummaryCache
import Testing

@Suite("CacheConfig")
struct CacheConfigTests {
    @Test func defaultsAreValid() throws {
        try CacheConfig().validate()
        try HNSWParameters().validate()
    }

    @Test func partialJSONKeepsDefaults() throws {
        let json = #"{"similarityThreshold": 0.9, "guards": {"entities": false}, "hnsw": {"efSearch": 200}}"#
        let c = try JSONDecoder().decode(CacheConfig.self, from: Data(json.utf8))
        #expect(c.similarityThreshold == 0.9)
        #expect(c.guards.entities == false && c.guards.negation == true)
        #expect(c.hnsw.efSearch == 200 && c.hnsw.m == 16)
        #expect(c.ttlSeconds == CacheConfig().ttlSeconds)
    }

    @Test func roundTripsThroughJSON() throws {
        var c = CacheConfig()
        c.maxEntries = 7
        c.guards = .none
        let back = try JSONDecoder().decode(CacheConfig.self, from: JSONEncoder().encode(c))
        #expect(back == c)
    }

    @Test("validate rejects out-of-range values", arguments: [
        "similarityThreshold", "ttlSeconds", "maxEntries", "maxBytes", "candidateCount", "hnsw.m", "hnsw.efSearch",
    ])
    func rejects(parameter: String) {
        var c = CacheConfig()
        switch parameter {
        case "similarityThreshold": c.similarityThreshold = 1.5
        case "ttlSeconds": c.ttlSeconds = 0
        case "maxEntries": c.maxEntries = 0
        case "maxBytes": c.maxBytes = -1
        case "candidateCount": c.candidateCount = 0
        case "hnsw.m": c.hnsw.m = 1
        default: c.hnsw.efSearch = 0
        }
        #expect(throws: CacheError.self) { try c.validate() }
        #expect(throws: CacheError.self) { try SummaryCachePolicy(config: c) }
    }
}
