/// One search result: an entry and its cosine similarity to the query.
public struct SearchHit: Sendable, Equatable {
    public var id: EntryID
    public var similarity: Float
    public init(id: EntryID, similarity: Float) {
        self.id = id
        self.similarity = similarity
    }
}

/// A nearest-neighbour index over L2-normalised vectors, ranked by cosine similarity (= dot
/// product). Implementations: `ExactIndex` (brute force, exact) and `HNSWIndex` (approximate).
///
/// Callers pass normalised vectors (`VectorMath.normalized`); the index does not renormalise.
public protocol VectorIndex: Sendable {
    var dimensions: Int { get }
    /// Live (searchable) entries.
    var count: Int { get }
    /// Adds a vector; throws on a wrong length or an id already present.
    mutating func add(_ id: EntryID, vector: [Float]) throws(CacheError)
    /// Removes an id; returns false if it was not present.
    @discardableResult mutating func remove(_ id: EntryID) -> Bool
    /// Whether `id` is live in the index.
    func contains(_ id: EntryID) -> Bool
    /// The k most similar live entries, most similar first (ties by smaller id).
    func search(_ query: [Float], k: Int) throws(CacheError) -> [SearchHit]
    /// Replaces the whole content (e.g. after loading a store).
    mutating func rebuild(from entries: [(id: EntryID, vector: [Float])]) throws(CacheError)
}

extension SearchHit {
    /// Result order: higher similarity first, then smaller id (deterministic ties).
    @inlinable
    static func ranksBefore(_ a: SearchHit, _ b: SearchHit) -> Bool {
        a.similarity != b.similarity ? a.similarity > b.similarity : a.id < b.id
    }
}

/// Keeps the k best hits seen so far in a sorted buffer (k is small: a handful to a few hundred).
struct TopK {
    let k: Int
    private(set) var hits: [SearchHit] = []

    init(k: Int) {
        self.k = k
        hits.reserveCapacity(k + 1)
    }

    /// The similarity a new hit must beat to enter (−∞ until full).
    var floor: Float { hits.count < k ? -.infinity : hits[hits.count - 1].similarity }

    mutating func offer(_ hit: SearchHit) {
        guard k > 0 else { return }
        if hits.count == k {
            guard let last = hits.last, SearchHit.ranksBefore(hit, last) else { return }
            hits.removeLast()
        }
        // Insertion into the sorted buffer; k is small so a linear scan beats a heap here.
        var i = hits.count
        while i > 0, SearchHit.ranksBefore(hit, hits[i - 1]) { i -= 1 }
        hits.insert(hit, at: i)
    }
}
