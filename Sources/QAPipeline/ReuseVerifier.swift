import BertModel
import Foundation
import ModelStore
import Safetensors
import SummaryCache
import Synchronization

/// The learned last check before a cached summary is reused: a cross-encoder (all-MiniLM-L6-v2 +
/// a LoRA delta + one linear unit, `BertPairClassifier`) reads the cached and the new question
/// together and estimates the probability that they ask for the same information. Below
/// `threshold` the hit is vetoed (guard kind `verifier`).
///
/// Trained only on the held-out families (`Data/qa-heldout/`, other SQuAD articles than the dev
/// families the evaluation reports on) by `Scripts/train_reuse_verifier.py`; see
/// docs/summary-cache.md, "Reuse verifier".
public struct ReuseVerifier: Sendable {
    public let classifier: BertPairClassifier
    /// Minimum probability of "same question" for a reuse.
    public var threshold: Double
    /// Remembers probabilities by pair (an evaluation sweep asks the same pairs at every threshold).
    public let memo: Memo?

    public init(classifier: BertPairClassifier, threshold: Double = ReuseVerifier.defaultThreshold, memo: Memo? = nil) {
        self.classifier = classifier
        self.threshold = threshold
        self.memo = memo
    }

    /// A shared pair → probability table.
    public final class Memo: Sendable {
        private let table = Mutex<[String: Double]>([:])
        public init() {}
        func value(_ key: String, _ compute: () -> Double?) -> Double? {
            if let v = table.withLock({ $0[key] }) { return v }
            guard let v = compute() else { return nil }
            table.withLock { $0[key] = v }
            return v
        }
    }

    /// The `eval qa` recommendation on the dev families for the shipped verifier
    /// (docs/qa-pipeline.md, Results): the lowest swept P(same) with ≤ 2% near-miss false hits.
    public static let defaultThreshold = 0.9
    /// The similarity threshold to pair with the verifier: a candidate floor, not the decision.
    public static let defaultSimilarityFloor: Float = 0.5

    /// P(same information need) for (cached, query); nil when the classifier cannot run on them.
    public func probability(cached: String, query: String) -> Double? {
        guard let memo else { return compute(cached: cached, query: query) }
        return memo.value(cached + "\u{1F}" + query) { compute(cached: cached, query: query) }
    }

    func compute(cached: String, query: String) -> Double? {
        guard let logit = try? classifier.logits([(cached, query)]).first else { return nil }
        return 1 / (1 + exp(-Double(logit)))
    }

    /// A finding when the pair is judged different (or cannot be judged: never reuse blindly).
    public func veto(cached: String, query: String) -> GuardFinding? {
        guard let p = probability(cached: cached, query: query) else {
            return GuardFinding(kind: .verifier, detail: "the verifier could not read the pair")
        }
        guard p < threshold else { return nil }
        return GuardFinding(kind: .verifier, detail: "p(same) \(String(format: "%.3f", p)) < \(threshold)")
    }

    /// The verifier shipped with LoRAServe (a resource of this module).
    public static var bundledPath: String? {
        Bundle.module.path(forResource: "reuse-verifier", ofType: "safetensors")
    }

    /// Loads the classifier file (LoRA delta + head) on top of all-MiniLM-L6-v2 from `directory`.
    public static func load(classifierPath: String, miniLMDirectory: String, threshold: Double = defaultThreshold,
                            threadCount: Int = 1, memo: Memo? = nil) throws -> ReuseVerifier {
        let base = try SafetensorsFile(bytes: MappedFile.map(path: miniLMDirectory + "/model.safetensors"))
        let tuned = try SafetensorsFile(bytes: MappedFile.map(path: classifierPath))
        guard let vocabulary = FileManager.default.contents(atPath: miniLMDirectory + "/vocab.txt") else {
            throw QAPipelineError.embedding("cannot read \(miniLMDirectory)/vocab.txt")
        }
        let classifier = try BertPairClassifier(base: base, vocabulary: BertEmbedder.parseVocabulary(String(decoding: vocabulary, as: UTF8.self)),
                                                classifier: tuned, threadCount: threadCount)
        return ReuseVerifier(classifier: classifier, threshold: threshold, memo: memo)
    }
}
