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
/// The shipped verifier is an ensemble of three such classifiers (logits averaged with weights
/// ½ ¼ ¼), all made by `Scripts/train_reuse_verifier.py` without the dev families the evaluation
/// reports on: M1 over all-mpnet-base-v2 and A* over MiniLM on the held-out SQuAD families
/// (`Data/qa-heldout/`, with what shares a cache partition as extra negatives:
/// `--partition-negatives`), B over MiniLM also on the general-topic families
/// (`Data/qa-verifier-train/`); see docs/summary-cache.md, "The reuse verifier".
public struct ReuseVerifier: Sendable {
    /// One classifier, or several whose logits are averaged (an ensemble).
    public let classifiers: [BertPairClassifier]
    /// Each classifier's weight in the average (1 each, unless a file was listed several times).
    public let weights: [Double]
    /// The first classifier (tokenizer and pair layout are the same for all).
    public var classifier: BertPairClassifier { classifiers[0] }
    /// Identifies the weights (the classifiers' digests joined by " + ") and the reading.
    public var digest: String {
        zip(classifiers, weights).map { $1 == 1 ? $0.digest : "\($1)×\($0.digest)" }.joined(separator: " + ")
            + (bothOrders ? " (both orders)" : "")
    }
    /// Minimum probability of "same question" for a reuse.
    public var threshold: Double
    /// Remembers probabilities by pair (an evaluation sweep asks the same pairs at every threshold).
    public let memo: Memo?
    /// Also reads each pair as (new, cached) and averages the logits of both orders (experiment S,
    /// reports/qa/verifier-symmetric/). Evidence readers read one order (the evidence belongs to
    /// the cached question), so in a mixed ensemble each question-pair classifier weighs twice.
    public var bothOrders = false

    /// The memo key of a pair under this verifier's reading (a memo shared with a verifier that
    /// reads one order never hands back a both-orders probability, or the reverse).
    func memoKey(_ cached: String, _ query: String, _ evidence: String?) -> String {
        (bothOrders ? "\u{1E}" : "") + Memo.key(cached: cached, query: query, evidence: evidence)
    }

    public init(classifier: BertPairClassifier, threshold: Double = ReuseVerifier.defaultThreshold, memo: Memo? = nil) {
        self.init(ensemble: classifier, [], threshold: threshold, memo: memo)
    }

    /// `weights`: one positive weight per classifier (nil: equal weights).
    public init(ensemble first: BertPairClassifier, _ rest: [BertPairClassifier], weights: [Double]? = nil,
                threshold: Double = ReuseVerifier.defaultThreshold, memo: Memo? = nil) {
        self.classifiers = [first] + rest
        let given = weights ?? []
        self.weights = given.count == rest.count + 1 && given.allSatisfy({ $0 > 0 && $0.isFinite })
            ? given : Array(repeating: 1, count: rest.count + 1)
        self.threshold = threshold
        self.memo = memo
    }

    /// A shared pair → probability table.
    public final class Memo: Sendable {
        private let table = Mutex<[String: Double]>([:])
        public init() {}
        func value(_ key: String, _ compute: () -> Double?) -> Double? {
            if let v = self[key] { return v }
            guard let v = compute() else { return nil }
            store(v, for: key)
            return v
        }
        /// The remembered probability for `key` (see `key(cached:query:)`).
        public subscript(key: String) -> Double? { table.withLock { $0[key] } }
        func store(_ value: Double, for key: String) { table.withLock { $0[key] = value } }
        public static func key(cached: String, query: String, evidence: String? = nil) -> String {
            cached + "\u{1F}" + query + (evidence.map { "\u{1F}" + $0 } ?? "")
        }
    }

    /// The serving default: the lowest swept P(same) whose near-miss false-hit rate is ≤ 2% over
    /// every question set pooled. Session 10 chose 0.80 on four sets; the third reserved set moved
    /// it to 0.85 (six sets: 2.05% at 0.80). Session 12's guard additions (docs/summary-cache.md)
    /// and a fourth reserved set (2 of 120 served at 0.73) gave 17 of 852 = 1.995% at 0.73 over
    /// seven sets (reports/qa/guards-contrast/). Session 13's guard additions give 15 of 852 =
    /// 1.8% at 0.70, 47.9–59.0% of summary tokens saved (reports/qa/guards-aliases/, checked on
    /// the fifth reserved set; docs/qa-pipeline.md "The fifth reserved set"). The sixth and
    /// seventh reserved sets served 5 and 8 of 120 at 0.70; ten sets pooled give 29 of 1,212
    /// (2.4%) there, 25 (2.06%) at 0.73 and 21 (1.7%) at 0.75, so session 15 moved it to 0.75
    /// (reports/qa/verifier-indomain/ten-sets.md). An eighth set, run once on this configuration
    /// in session 16, served 3 of 120 there; eleven sets give 24 of 1,332 (1.8%) at 0.75 and 27
    /// (2.03%) at 0.73, so it stays (reports/qa/served-reserve8/eleven-sets.md).
    public static let defaultThreshold = 0.75
    /// The similarity threshold to pair with the verifier: a candidate floor, not the decision. It
    /// only bounds the verifier's work, so it should drop almost no reusable pair: 0.40 keeps
    /// 99.5% of the held-out same-answer pairs (`loraserve cache calibrate --pairs
    /// reports/qa/heldout-pairs.jsonl`, "candidate floor"; 0.5 dropped 1.7% of them).
    public static let defaultSimilarityFloor: Float = 0.4

    /// Some classifier reads the document sentence the cached question was answered from
    /// (`BertPairClassifier.readsEvidence`; experiment E, reports/qa/verifier-evidence/).
    public var readsEvidence: Bool { classifiers.contains(where: \.readsEvidence) }

    /// P(same information need) for (cached, query); nil when the classifier cannot run on them.
    /// The same question asked again (`isRepeat`) is 1 without running the classifiers: they were
    /// trained on pairs of different wordings and give an exact repeat as little as 0.6.
    /// `evidence`: the document unit closest to the cached question, for classifiers that read it;
    /// without it they sit out and the others decide (nil when none is left).
    public func probability(cached: String, query: String, evidence: String? = nil) -> Double? {
        if Self.isRepeat(cached, query) { return 1 }
        let evidence = readsEvidence ? evidence : nil
        guard let memo else { return compute(cached: [cached], query: query, evidence: [evidence])?.first }
        return memo.value(memoKey(cached, query, evidence)) {
            compute(cached: [cached], query: query, evidence: [evidence])?.first
        }
    }

    /// The ensemble's P(same) for each of `cached` against `query`: one batch per classifier, the
    /// logistic of the mean logit of the classifiers that could read the pair (an evidence reader
    /// only where `evidence[i]` is given). Nil when a classifier rejects the batch or a pair has
    /// no classifier left.
    func compute(cached: [String], query: String, evidence: [String?]) -> [Double]? {
        var sums = [Double](repeating: 0, count: cached.count)
        var counts = [Double](repeating: 0, count: cached.count)
        for (classifier, weight) in zip(classifiers, weights) {
            let rows = classifier.readsEvidence ? cached.indices.filter { evidence[$0] != nil } : Array(cached.indices)
            guard !rows.isEmpty else { continue }
            var passes: [[Float]?] = []
            if classifier.readsEvidence {
                passes.append(try? classifier.logits(rows.map { (cached[$0], query, evidence[$0] ?? "") }))
            } else {
                passes.append(try? classifier.logits(rows.map { (cached[$0], query) }))
                if bothOrders { passes.append(try? classifier.logits(rows.map { (query, cached[$0]) })) }
            }
            for logits in passes {
                guard let logits, logits.count == rows.count else { return nil }
                for (i, logit) in zip(rows, logits) {
                    sums[i] += weight * Double(logit)
                    counts[i] += weight
                }
            }
        }
        guard !counts.contains(0) else { return nil }
        return zip(sums, counts).map { 1 / (1 + exp(-$0 / $1)) }
    }

    /// P(same) of `query` against each of `cached`, computed off the caller's actor (a detached
    /// task), so an actor holding a cache keeps serving while the encoder runs. The pairs not yet
    /// in the memo go through each classifier as one batch (one encoder pass for all candidates
    /// of a lookup instead of one per candidate; batched logits equal single ones within 1e-4).
    /// `evidence`: cached question → its evidence unit (see `probability`).
    public func probabilities(cached: [String], query: String, evidence: [String: String] = [:]) async -> [String: Double] {
        guard !cached.isEmpty else { return [:] }
        let verifier = self
        return await Task.detached { verifier.batchProbabilities(cached: cached, query: query, evidence: evidence) }.value
    }

    /// `probabilities` on the calling thread (benchmarks; callers on an actor use `probabilities`).
    public func batchProbabilities(cached: [String], query: String, evidence: [String: String] = [:]) -> [String: Double] {
        let evidence = readsEvidence ? evidence : [:]
        var out: [String: Double] = [:]
        var todo: [String] = []
        for c in cached where out[c] == nil && !todo.contains(c) {
            if Self.isRepeat(c, query) {
                out[c] = 1
            } else if let known = memo?[memoKey(c, query, evidence[c])] {
                out[c] = known
            } else {
                todo.append(c)
            }
        }
        guard !todo.isEmpty else { return out }
        guard let batch = compute(cached: todo, query: query, evidence: todo.map { evidence[$0] }) else {
            // A pair the encoder rejects must not sink the others: one at a time.
            for c in todo { out[c] = probability(cached: c, query: query, evidence: evidence[c]) }
            return out
        }
        for (c, p) in zip(todo, batch) {
            memo?.store(p, for: memoKey(c, query, evidence[c]))
            out[c] = p
        }
        return out
    }

    /// The same question up to case, punctuation and spacing ("Who led the raiders?" and
    /// "who led the raiders"): a repeat needs no judgement.
    public static func isRepeat(_ a: String, _ b: String) -> Bool {
        func words(_ s: String) -> [Substring] {
            s.lowercased().split { !($0.isLetter || $0.isNumber) }
        }
        let wa = words(a)
        return !wa.isEmpty && wa == words(b)
    }

    /// A finding when the pair is judged different (or cannot be judged: never reuse blindly).
    /// `known`: P(same) computed beforehand (`probabilities`); computed now when nil.
    public func veto(cached: String, query: String, known: Double? = nil) -> GuardFinding? {
        guard let p = known ?? probability(cached: cached, query: query) else {
            return GuardFinding(kind: .verifier, detail: "the verifier could not read the pair")
        }
        guard p < threshold else { return nil }
        return GuardFinding(kind: .verifier, detail: "p(same) \(String(format: "%.3f", p)) < \(threshold)")
    }

    /// The resource names of the shipped ensemble's files, a name listed twice weighing twice:
    /// ½ M1 (all-mpnet-base-v2 + delta, experiment M1) + ¼ A* + ¼ B (all-MiniLM-L6-v2 + delta).
    public static let bundledNames = ["reuse-verifier-mpnet", "reuse-verifier-mpnet", "reuse-verifier", "reuse-verifier-general"]

    /// The files of the verifier shipped with LoRAServe (resources of this module); nil when
    /// one is missing.
    public static var bundledPaths: [String]? {
        let paths = bundledNames.compactMap { Bundle.module.path(forResource: $0, ofType: "safetensors") }
        return paths.count == bundledNames.count ? paths : nil
    }

    /// The base encoder a classifier file names in its `base_model` metadata that is not
    /// all-MiniLM-L6-v2, and its directory next to MiniLM's in the models directory.
    public static let otherBases = ["sentence-transformers/all-mpnet-base-v2": "all-mpnet-base-v2"]

    /// Loads classifier files (LoRA delta + head each) on top of their base encoder:
    /// all-MiniLM-L6-v2 from `miniLMDirectory`, or the one a file's `base_model` metadata names
    /// (`otherBases`, read from the sibling directory); several files form an ensemble (their
    /// logits are averaged).
    public static func load(classifierPaths: [String], miniLMDirectory: String, threshold: Double = defaultThreshold,
                            threadCount: Int = 1, memo: Memo? = nil) throws -> ReuseVerifier {
        guard !classifierPaths.isEmpty else { throw QAPipelineError.embedding("no reuse verifier file given") }
        struct Base { let file: SafetensorsFile, vocabulary: [String], config: BertConfig }
        var bases: [String: Base] = [:]
        func base(_ directory: String, miniLM: Bool) throws -> Base {
            if let loaded = bases[directory] { return loaded }
            let file = try SafetensorsFile(bytes: MappedFile.map(path: directory + "/model.safetensors"))
            guard let vocabulary = FileManager.default.contents(atPath: directory + "/vocab.txt") else {
                throw QAPipelineError.embedding("cannot read \(directory)/vocab.txt")
            }
            var config = BertConfig.miniLML6v2
            if !miniLM {
                guard let json = FileManager.default.contents(atPath: directory + "/config.json") else {
                    throw QAPipelineError.embedding("cannot read \(directory)/config.json")
                }
                config = try BertConfig(huggingFaceConfigJSON: Array(json), maxSequenceLength: 512)
            }
            let loaded = Base(file: file, vocabulary: BertEmbedder.parseVocabulary(String(decoding: vocabulary, as: UTF8.self)), config: config)
            bases[directory] = loaded
            return loaded
        }
        func one(_ path: String) throws -> BertPairClassifier {
            let tuned = try SafetensorsFile(bytes: MappedFile.map(path: path))
            let b: Base
            if let name = tuned.metadata["base_model"], name != BertEmbedder.miniLMModelID {
                guard let dir = otherBases[name] else {
                    throw QAPipelineError.embedding("\(path) was trained on \(name), which this build cannot load")
                }
                let parent = (miniLMDirectory as NSString).deletingLastPathComponent
                b = try base(parent + "/" + dir, miniLM: false)
            } else {
                b = try base(miniLMDirectory, miniLM: true)
            }
            return try BertPairClassifier(base: b.file, vocabulary: b.vocabulary, config: b.config, classifier: tuned,
                                          threadCount: threadCount)
        }
        // A file listed n times is loaded once and weighs n times in the average.
        let files = weighted(classifierPaths)
        let first = try one(files[0].item)
        let rest = try files.dropFirst().map { try one($0.item) }
        return ReuseVerifier(ensemble: first, rest, weights: files.map { Double($0.weight) }, threshold: threshold, memo: memo)
    }

    /// The distinct entries of `items` in first-listed order, each with how often it is listed:
    /// how `load` turns a list of files into classifiers and their ensemble weights.
    public static func weighted<T: Hashable>(_ items: [T]) -> [(item: T, weight: Int)] {
        var order: [T] = []
        var counts: [T: Int] = [:]
        for item in items {
            if counts[item] == nil { order.append(item) }
            counts[item, default: 0] += 1
        }
        return order.map { ($0, counts[$0] ?? 1) }
    }
}
