import SummaryCache

/// The deterministic entries `CacheStoreCrashWriter` writes, so the crash test can check that a
/// surviving row is exactly what was committed (not just present).
public enum CrashWriterEntries {
    public static let fingerprint = EmbedderFingerprint(modelID: "crash-writer", dimensions: 384,
                                                        normalized: true, maxLength: 256)

    public static func entry(id: UInt64) -> CacheEntry {
        let vector = (0..<fingerprint.dimensions).map { Float(Int(id % 1000) - $0) / 512 }
        let summary = String(repeating: "summary of entry \(id). ", count: 200)
        return CacheEntry(id: EntryID(id), tenant: TenantID("tenant-\(id % 3)"),
                          document: DocumentKey(documentID: DocumentID("doc-\(id % 17)"), version: "v\(id % 5)"),
                          fingerprint: fingerprint, queryText: "question \(id)?", queryVector: vector,
                          summaryText: summary, summaryTokenCost: Int(id % 500) + 1,
                          createdAt: Double(id), lastUsedAt: Double(id) + 0.5, hits: Int(id % 7))
    }
}
