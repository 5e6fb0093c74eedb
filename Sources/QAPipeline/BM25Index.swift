import Foundation
import SummaryCache

/// Okapi BM25 over an in-memory corpus (no I/O) (Robertson & Zaragoza's formulation with Lucene's
/// non-negative idf: log(1 + (N − df + 0.5)/(df + 0.5))). Pure and deterministic: ties are broken
/// by document id.
public struct BM25Index: Sendable {
    public var k1: Double
    public var b: Double
    private var termFrequencies: [DocumentID: [String: Int]] = [:]
    private var lengths: [DocumentID: Int] = [:]
    private var documentFrequency: [String: Int] = [:]
    private var totalLength = 0

    public init(k1: Double = 1.2, b: Double = 0.75) {
        self.k1 = k1
        self.b = b
    }

    public var count: Int { lengths.count }

    /// Adds (or replaces) a document.
    public mutating func add(_ id: DocumentID, text: String) {
        remove(id)
        let terms = Self.terms(text)
        var tf: [String: Int] = [:]
        for t in terms { tf[t, default: 0] += 1 }
        for t in tf.keys { documentFrequency[t, default: 0] += 1 }
        termFrequencies[id] = tf
        lengths[id] = terms.count
        totalLength += terms.count
    }

    public mutating func remove(_ id: DocumentID) {
        guard let tf = termFrequencies.removeValue(forKey: id), let length = lengths.removeValue(forKey: id) else { return }
        for t in tf.keys {
            documentFrequency[t, default: 1] -= 1
            if documentFrequency[t] == 0 { documentFrequency.removeValue(forKey: t) }
        }
        totalLength -= length
    }

    /// The `k` best documents for `query` with a positive score, best first.
    public func search(_ query: String, k: Int) -> [(id: DocumentID, score: Double)] {
        guard k > 0, !lengths.isEmpty else { return [] }
        let n = Double(lengths.count)
        let averageLength = max(Double(totalLength) / n, 1)
        let queryTerms = Set(Self.terms(query))
        var scored: [(id: DocumentID, score: Double)] = []
        for (id, tf) in termFrequencies {
            let length = Double(lengths[id] ?? 0)
            var score = 0.0
            for t in queryTerms {
                guard let f = tf[t], let df = documentFrequency[t] else { continue }
                let idf = log(1 + (n - Double(df) + 0.5) / (Double(df) + 0.5))
                let freq = Double(f)
                score += idf * freq * (k1 + 1) / (freq + k1 * (1 - b + b * length / averageLength))
            }
            if score > 0 { scored.append((id, score)) }
        }
        scored.sort { $0.score != $1.score ? $0.score > $1.score : $0.id < $1.id }
        return Array(scored.prefix(k))
    }

    /// Lower-cased alphanumeric words minus a few English stop words (the ones that would
    /// otherwise dominate short questions).
    static func terms(_ text: String) -> [String] {
        text.lowercased().split { !($0.isLetter || $0.isNumber) }.map(String.init).filter { !stopWords.contains($0) }
    }

    static let stopWords: Set<String> = ["a", "an", "the", "of", "in", "on", "at", "to", "for", "is", "was", "were", "are",
                                         "be", "by", "and", "or", "what", "which", "who", "whom", "when", "where", "how",
                                         "did", "do", "does", "it", "its", "that", "this", "with", "as", "from"]
}
