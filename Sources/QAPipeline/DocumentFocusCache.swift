import SummaryCache

/// Unit embeddings per document version for the focus guard: a document is segmented
/// (`DocumentSegmenter.units`) and embedded once per (content hash, embedder fingerprint); later
/// questions about it reuse the vectors. Bounded (least recently used document dropped first).
///
/// The cost is one embedding batch per new document version (a paragraph is 2–12 units), paid
/// by the first question about it, against LLM summaries of hundreds of tokens.
public actor DocumentFocusCache {
    struct Key: Hashable {
        var version: String
        var fingerprint: EmbedderFingerprint
    }

    public nonisolated let capacity: Int
    public nonisolated let maxWords: Int
    private var entries: [Key: (focus: DocumentFocus, lastUsed: UInt64)] = [:]
    private var clock: UInt64 = 0
    /// Documents embedded / served from memory.
    public private(set) var computed = 0
    public private(set) var reused = 0

    /// `capacity`: documents kept; `maxWords`: sentences longer than this are split into clauses
    /// (default: never; on the dev families clause units lost paraphrases on the Normans article).
    public init(capacity: Int = 4096, maxWords: Int = 10_000) {
        self.capacity = max(1, capacity)
        self.maxWords = maxWords
    }

    /// The focus context of `document`, embedding its units with `embedder` on first use.
    public func focus(of document: QADocument, embedder: any Embedder) async throws -> DocumentFocus {
        let fingerprint = embedder.fingerprint
        let key = Key(version: document.version, fingerprint: fingerprint)
        clock += 1
        if let e = entries[key] {
            entries[key] = (e.focus, clock)
            reused += 1
            return e.focus
        }
        var units = DocumentSegmenter.units(document.text, maxWords: maxWords)
        if units.isEmpty { units = [document.text] }
        let vectors = try await embedder.embed(units)
        let focus: DocumentFocus
        do { focus = try DocumentFocus(unitVectors: vectors, dimensions: fingerprint.dimensions, units: units) } catch {
            throw QAPipelineError.embedding("document \(document.id.rawValue): \(error)")
        }
        // Another task may have embedded the same document meanwhile: keep either, both are equal.
        entries[key] = (focus, clock)
        computed += 1
        if entries.count > capacity, let oldest = entries.min(by: { $0.value.lastUsed < $1.value.lastUsed })?.key {
            entries[oldest] = nil
        }
        return focus
    }
}
