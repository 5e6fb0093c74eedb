import CacheStores
import Foundation
import SummaryCache

/// Entries and temporary paths shared by the store tests.
enum StoreFixtures {
    static let fingerprint = EmbedderFingerprint(modelID: "test-embedder", dimensions: 8, normalized: true, maxLength: 128)

    /// A distinct, deterministic entry; vectors include values whose bytes are easy to get wrong
    /// (negative zero, subnormal, large and tiny magnitudes).
    static func entry(_ id: UInt64, tenant: String = "acme", document: String = "doc-1", version: String = "v1",
                      query: String? = nil) -> CacheEntry {
        let base = Float(id)
        let vector: [Float] = [base, -0.0, .leastNonzeroMagnitude, -1e30, 0.1, -base / 3, 1, .ulpOfOne]
        return CacheEntry(id: EntryID(id), tenant: TenantID(tenant),
                          document: DocumentKey(documentID: DocumentID(document), version: version),
                          fingerprint: fingerprint, queryText: query ?? "What about item \(id)? — ünïcödé 漢字 🚀",
                          queryVector: vector, summaryText: "Summary \(id)\nwith newline and 'quotes'",
                          summaryTokenCost: Int(id % 1000) * 10 + 1, createdAt: 1000 + Double(id) + 0.25,
                          lastUsedAt: 2000 + Double(id), hits: Int(id % 4))
    }

    /// A fresh directory under the system temp dir (the caller removes it).
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("cachestores-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Compares entries ignoring ids (a shared store may renumber them); bit-exact vectors.
    static func sameContent(_ a: CacheEntry, _ b: CacheEntry) -> Bool {
        var b2 = b
        b2.id = a.id
        return a == b2 && a.queryVector.map(\.bitPattern) == b.queryVector.map(\.bitPattern)
    }
}
