/// Size limits of the summary-cache API: request bodies beyond them are refused with 413, other
/// values with 400, before any work is done.
public struct CacheAPILimits: Sendable, Equatable {
    public var maxCacheBodyBytes = 1 << 20
    public var maxQABodyBytes = 4 << 20
    public var maxCorpusBodyBytes = 16 << 20
    public var maxVectorDimensions = 4096
    public var maxQueryCharacters = 8192
    public var maxSummaryCharacters = 64 * 1024
    /// Documents one `/v1/qa` request may bring or retrieve.
    public var maxDocumentsPerQuestion = 32
    public var maxCorpusDocuments = 10_000

    public init() {}
}
