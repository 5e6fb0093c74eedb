import Foundation
import SummaryCache

/// `cache calibrate` input: labelled question pairs (JSONL: `question_a`, `question_b`,
/// `same_answer`), turned into `LabelledPair`s with the real embedder and guards.
public struct QuestionPair: Sendable, Codable, Equatable {
    public var question_a: String
    public var question_b: String
    public var same_answer: Bool

    public init(question_a: String, question_b: String, same_answer: Bool) {
        self.question_a = question_a
        self.question_b = question_b
        self.same_answer = same_answer
    }

    /// Parses JSONL (blank lines skipped); errors name the line.
    public static func parseJSONL(_ data: Data, path: String) throws -> [QuestionPair] {
        var out: [QuestionPair] = []
        for (n, line) in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated()
        where !line.allSatisfy({ $0 == 32 || $0 == 13 || $0 == 9 }) {
            do { out.append(try JSONDecoder().decode(QuestionPair.self, from: Data(line))) } catch {
                throw QAPipelineError.invalidDataset(path: path, reason: "line \(n + 1): \(error)")
            }
        }
        return out
    }

    /// (original, paraphrase) pairs labelled same, (original, near-miss) pairs labelled different.
    public static func fromFamilies(_ families: [QADataset.Family]) -> [QuestionPair] {
        families.flatMap { f in
            f.paraphrases.map { QuestionPair(question_a: f.question, question_b: $0, same_answer: true) }
                + f.near_misses.map { QuestionPair(question_a: f.question, question_b: $0.question, same_answer: false) }
        }
    }

    /// Embeds both sides (each distinct text once) and runs the guards, the cached side being
    /// `question_a`.
    public static func label(_ pairs: [QuestionPair], embedder: any Embedder, guards: QuestionGuards = QuestionGuards()) async throws -> [LabelledPair] {
        let texts = Array(Set(pairs.flatMap { [$0.question_a, $0.question_b] })).sorted()
        let pre = try await PrecomputedEmbedder.precompute(texts, base: embedder)
        return pairs.map { p in
            let a = pre.vectors[p.question_a] ?? [], b = pre.vectors[p.question_b] ?? []
            return LabelledPair(similarity: cosine(a, b), guardsPassed: guards.check(cached: p.question_a, query: p.question_b).passed,
                                isSameAnswer: p.same_answer)
        }
    }

    static func cosine(_ a: [Float], _ b: [Float]) -> Float {
        var dot: Float = 0, na: Float = 0, nb: Float = 0
        for (x, y) in zip(a, b) { dot += x * y; na += x * x; nb += y * y }
        let d = (na * nb).squareRoot()
        return d > 0 ? dot / d : 0
    }

    /// Replaces each pair's score by a verifier's P(same) where the pair reaches the similarity
    /// `floor` (below it the pair can never hit: score −1), so `ThresholdCalibrator` sweeps the
    /// verifier's threshold the way the cache applies it (floor, then guards, then verifier).
    /// `probabilities` is parallel to `labelled`; a nil (pair the verifier could not read) never hits.
    public static func rescored(_ labelled: [LabelledPair], probabilities: [Double?], floor: Float) -> [LabelledPair] {
        zip(labelled, probabilities).map { pair, p in
            var out = pair
            out.similarity = pair.similarity >= floor ? p.map(Float.init) ?? -1 : -1
            return out
        }
    }
}

