import ArgumentParser
import BertModel
import Engine
import Foundation
import Synchronization
import QAPipeline
import SummaryCache

/// The QA-pipeline subcommands, for `subcommands` in Subcommands.swift.
public let qaSubcommands: [any ParsableCommand.Type] = [EmbedCommand.self, CacheCommand.self, EvalCommand.self]

/// `--embedder DIR` shared by the commands that embed questions.
struct EmbedderOptions: ParsableArguments {
    @Option(name: .customLong("embedder"), help: "all-MiniLM-L6-v2 directory (default: ~/.cache/loraserve/models/all-MiniLM-L6-v2).")
    var embedderDirectory: String?

    var directory: String { embedderDirectory ?? EmbedderAdapter.defaultMiniLMDirectory }

    /// The reuse verifier named by a `--verifier`/`--reuse-verifier` value ('bundled', a file, or files joined by commas),
    /// on top of this MiniLM.
    func loadVerifier(_ choice: String, threadCount: Int = 1, memo: ReuseVerifier.Memo? = nil) throws -> ReuseVerifier {
        // "bundled", a file, or files joined by commas (an ensemble: logits averaged).
        var paths: [String] = []
        for part in choice.split(separator: ",").map(String.init) {
            guard part == "bundled" else { paths.append(part); continue }
            guard let bundled = ReuseVerifier.bundledPaths else {
                throw CLIError("the bundled reuse verifier is missing from this build's resources")
            }
            paths += bundled
        }
        do { return try ReuseVerifier.load(classifierPaths: paths, miniLMDirectory: directory, threadCount: threadCount, memo: memo) } catch {
            throw CLIError("cannot load the reuse verifier \(paths.joined(separator: ", ")): \(error)")
        }
    }

    func load() throws -> EmbedderAdapter {
        let dir = directory
        do { return try EmbedderAdapter.loadMiniLM(directory: dir) } catch {
            throw CLIError("cannot load the embedder from \(dir): \(error) (run `loraserve models fetch all-MiniLM-L6-v2`)")
        }
    }
}

/// `loraserve embed`: embeds each line of stdin with all-MiniLM-L6-v2.
struct EmbedCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "embed",
        abstract: "Embed each line of stdin (an empty line is an empty input).",
        discussion: "Without --json: one line of space-separated floats per input. With --json: {\"token_ids\": [...], \"embedding\": [...]} per input."
    )

    @Flag(help: "One JSON object per input line.")
    var json = false

    @Option(name: .customLong("batch-size"), help: "Lines embedded per batch.")
    var batchSize = 32

    @OptionGroup var embedderOptions: EmbedderOptions

    func validate() throws {
        if batchSize < 1 { throw ValidationError("--batch-size must be at least 1") }
    }

    struct Line: Encodable {
        let token_ids: [Int32]
        let embedding: [Float]
    }

    func run() async throws {
        let adapter = try embedderOptions.load()
        var lines: [String] = []
        while let line = readLine(strippingNewline: true) {
            lines.append(line.hasSuffix("\r") ? String(line.dropLast()) : line)
        }
        let encoder = JSONEncoder()
        var start = 0
        while start < lines.count {
            let batch = Array(lines[start..<min(start + batchSize, lines.count)])
            let vectors: [[Float]]
            do { vectors = try adapter.embedder.embed(batch) } catch { throw CLIError("embedding failed: \(error)") }
            for (text, v) in zip(batch, vectors) {
                if json {
                    let data = try encoder.encode(Line(token_ids: adapter.embedder.tokenize(text).map { Int32($0) }, embedding: v))
                    print(String(decoding: data, as: UTF8.self))
                } else {
                    print(v.map { "\($0)" }.joined(separator: " "))
                }
            }
            start += batch.count
        }
    }
}

/// `loraserve cache …`: summary-cache tools.
struct CacheCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cache", abstract: "Summary-cache tools.", subcommands: [CacheCalibrateCommand.self, CacheServeCommand.self]
    )
}

/// `loraserve cache calibrate`: precision/recall/false-hit rate against the threshold.
struct CacheCalibrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calibrate",
        abstract: "Sweep the similarity threshold on labelled question pairs and recommend one.",
        discussion: "FILE is JSONL: {\"question_a\": …, \"question_b\": …, \"same_answer\": true|false}; question_a is the cached side. Pairs are embedded with all-MiniLM-L6-v2 and checked by the question guards."
    )

    @Option(help: "Labelled pairs (JSONL).")
    var pairs: String

    @Option(name: .customLong("target-false-hit-rate"), help: "Highest acceptable false hits / different-answer pairs.")
    var targetFalseHitRate = 0.02

    @Flag(name: .customLong("no-guards"), help: "Similarity alone (to see what the guards buy).")
    var noGuards = false

    @Option(name: .customLong("pairs-out"), help: "Also write every pair with its similarity and guard findings here (JSONL).")
    var pairsOut: String?

    @Option(help: "Calibrate the reuse verifier instead ('bundled', or files joined by commas): the swept score is its P(same question) on pairs reaching --similarity-floor.")
    var verifier: String?

    @Option(name: .customLong("similarity-floor"), help: "With --verifier: the similarity a pair must reach before the verifier is asked.")
    var similarityFloor: Float = ReuseVerifier.defaultSimilarityFloor

    @Option(name: .customLong("floor-keep"), help: "Also report the similarity floor (for --similarity-floor with a verifier) that keeps at least this share of the same-answer pairs.")
    var floorKeep = 0.995

    @Flag(help: "Print one JSON object.")
    var json = false

    @OptionGroup var embedderOptions: EmbedderOptions

    func validate() throws {
        if !(0...1).contains(targetFalseHitRate) { throw ValidationError("--target-false-hit-rate must be in [0, 1]") }
        if !(floorKeep > 0 && floorKeep <= 1) { throw ValidationError("--floor-keep must be in (0, 1]") }
    }

    func run() async throws {
        guard let data = FileManager.default.contents(atPath: pairs) else { throw CLIError("cannot read \(pairs)") }
        let parsed = try QuestionPair.parseJSONL(data, path: pairs)
        guard !parsed.isEmpty else { throw CLIError("\(pairs) holds no pairs") }
        let adapter = try embedderOptions.load()
        var labelled = try await QuestionPair.label(parsed, embedder: adapter)
        // From the raw similarities (the verifier's rescoring below replaces them).
        let candidateFloor = try? ThresholdCalibrator.candidateFloor(labelled, keep: floorKeep)
        if let verifier {
            let v = try embedderOptions.loadVerifier(verifier, threadCount: 2)
            let probabilities = parsed.map { v.probability(cached: $0.question_a, query: $0.question_b) }
            labelled = QuestionPair.rescored(labelled, probabilities: probabilities, floor: similarityFloor)
        }
        if let pairsOut {
            struct Row: Encodable { let question_a: String, question_b: String, same_answer: Bool, similarity: Float, findings: [String] }
            let guards = QuestionGuards()
            var text = ""
            for (p, l) in zip(parsed, labelled) {
                let findings = guards.check(cached: p.question_a, query: p.question_b).findings.map(\.description)
                let row = Row(question_a: p.question_a, question_b: p.question_b, same_answer: p.same_answer, similarity: l.similarity, findings: findings)
                text += String(decoding: try JSONEncoder().encode(row), as: UTF8.self) + "\n"
            }
            do { try text.write(toFile: pairsOut, atomically: true, encoding: .utf8) } catch { throw CLIError("cannot write \(pairsOut): \(error)") }
        }
        let report: CalibrationReport
        do {
            // A fixed grid keeps the output readable; the calibrator adds the "hit nothing" point.
            let grid = stride(from: Float(verifier == nil ? 0.40 : 0.01), through: 0.99, by: 0.01).map { ($0 * 100).rounded() / 100 }
            report = try ThresholdCalibrator.calibrate(labelled, target: targetFalseHitRate, thresholds: grid, useGuards: !noGuards)
        } catch { throw CLIError(error.description) }
        if json {
            var out = CalibrationOutput(report, pairs: parsed.count, score: verifier == nil ? "similarity" : "verifier")
            out.candidate_floor = candidateFloor
            out.floor_keep = floorKeep
            try Console.printJSON(out)
            return
        }
        print("pairs: \(parsed.count) (\(report.recommended.positives) same-answer, \(report.recommended.negatives) different-answer), guards \(noGuards ? "off" : "on")"
              + (verifier.map { "; threshold = reuse verifier P(same) (\($0)), similarity floor \(similarityFloor)" } ?? ""))
        print("threshold  hits  true  false  precision  recall  false-hit-rate")
        for p in report.points where (Int((p.threshold * 100).rounded()) % 5 == 0) || p.threshold == report.recommended.threshold {
            let mark = p.threshold == report.recommended.threshold ? "  <- recommended" : ""
            print(String(format: "%9.2f %5d %5d %6d %10.3f %7.3f %15.3f", p.threshold, p.hits, p.trueHits, p.falseHits,
                         p.precision, p.recall, p.falseHitRate) + mark)
        }
        let ci = report.recommended.falseHitRateInterval
        print(String(format: "recommended threshold %.2f (false-hit rate %.3f <= %.3f, 95%% interval %.3f-%.3f; recall %.3f)", report.recommended.threshold,
                     report.recommended.falseHitRate, targetFalseHitRate, ci.lower, ci.upper, report.recommended.recall))
        if let candidateFloor {
            print(String(format: "candidate floor %.2f: similarity below which at most %.1f%% of the same-answer pairs fall (--similarity-floor with a verifier)",
                         candidateFloor, (1 - floorKeep) * 100))
        }
    }

    struct CalibrationOutput: Encodable {
        struct Point: Encodable {
            let threshold: Float, hits: Int, true_hits: Int, false_hits: Int, precision: Double, recall: Double, false_hit_rate: Double
            /// 95% Wilson interval of `false_hit_rate`.
            let false_hit_rate_interval: WilsonInterval
            init(_ p: ThresholdPoint) {
                threshold = p.threshold; hits = p.hits; true_hits = p.trueHits; false_hits = p.falseHits
                precision = p.precision; recall = p.recall; false_hit_rate = p.falseHitRate
                false_hit_rate_interval = p.falseHitRateInterval
            }
        }
        let pairs: Int, positives: Int, negatives: Int, used_guards: Bool, target_false_hit_rate: Double
        let recommended_threshold: Float, recommended: Point, points: [Point]
        /// "similarity", or "verifier" (the threshold is the reuse verifier's P(same)).
        let score: String
        /// The similarity floor keeping ≥ `floor_keep` of the same-answer pairs (nil: none labelled).
        var candidate_floor: Float?
        var floor_keep: Double?
        init(_ r: CalibrationReport, pairs: Int, score: String = "similarity") {
            self.pairs = pairs
            self.score = score
            positives = r.recommended.positives
            negatives = r.recommended.negatives
            used_guards = r.usedGuards
            target_false_hit_rate = r.target
            recommended_threshold = r.recommended.threshold
            recommended = Point(r.recommended)
            points = r.points.map(Point.init)
        }
    }
}

/// `loraserve eval …`: evaluations.
struct EvalCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval", abstract: "Evaluations.", subcommands: [EvalQACommand.self]
    )
}

/// `loraserve eval qa`: the QA pipeline with vs without the summary cache, same LLM.
struct EvalQACommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "qa",
        abstract: "Evaluate the summary cache on SQuAD-format data with paraphrase families.",
        discussion: "Per family: the original question (miss, summary cached), its paraphrases (should hit), its near-misses (must not hit); once without the cache and once per threshold with it, on the same LLM."
    )

    @Option(help: "Directory with a SQuAD-format .json and paraphrase-families*.jsonl.")
    var dataset: String

    @Option(help: "Similarity threshold (default: the cache's default).")
    var threshold: Float?

    @Flag(help: "Evaluate several thresholds (reusing every LLM output) and recommend one.")
    var sweep = false

    @Option(name: .customLong("thresholds"), help: "Comma-separated thresholds for --sweep.")
    var thresholdList = "0.70,0.75,0.80,0.85,0.90,0.95,0.97,0.99"

    @Option(help: "OpenAI-compatible server root (default: the base model in process).")
    var llm: String?

    @Option(name: .customLong("llm-model"), help: "`model` sent with --llm.")
    var llmModel = "default"

    @Option(help: "Families to evaluate, spread evenly over the file (default: all).")
    var limit: Int?

    @Option(help: "Concurrent LLM calls.")
    var concurrency = 8

    @Flag(help: "Print one JSON object.")
    var json = false

    @Option(help: "Write report.json, sweep.md, sweep.svg and questions.jsonl here.")
    var out: String?

    @Flag(name: .customLong("no-focus-guard"), help: "Turn the document-focus guard off (question guards and threshold only).")
    var noFocusGuard = false

    @Option(name: .customLong("focus-overlap"), help: "Focus guard: minimum overlap of the two questions' focus over the document's units (default: the cache's default).")
    var focusOverlap: Float?

    @Option(name: .customLong("focus-temperature"), help: "Focus guard: softmax temperature over unit cosines (default: the cache's default).")
    var focusTemperature: Float?

    @Option(name: .customLong("families"), help: "A paraphrase-families JSONL file to use instead of the dataset directory's (repeatable; e.g. Data/qa-heldout/*.jsonl).")
    var familyFiles: [String] = []

    @Option(help: "Reuse verifier: 'bundled', or files joined by commas whose logits are averaged (a file listed n times weighs n; each a cross-encoder: LoRA delta + head over the base its base_model metadata names, all-MiniLM-L6-v2 or all-mpnet-base-v2; a file made with --evidence also reads the document sentence closest to the cached question). With it the threshold(s) are the verifier's minimum P(same question) and --similarity-floor is the cosine candidate floor.")
    var verifier: String?

    @Option(name: .customLong("similarity-floor"), help: "With --verifier: the similarity threshold candidates must reach before the verifier runs.")
    var similarityFloor: Float = ReuseVerifier.defaultSimilarityFloor

    @Flag(name: .customLong("verifier-both-orders"), help: "With --verifier: read each pair in both orders and average the logits (experiment S).")
    var verifierBothOrders = false

    @Flag(name: .customLong("alias-hits"), help: "After a hit, also store the new question as a key of the reused summary (experiment).")
    var aliasHits = false

    @Option(help: "Cached questions examined per lookup, nearest first (default: the cache's default).")
    var candidates: Int?

    @Option(name: .customLong("llm-cache"), help: "JSONL file of LLM completions: read at start, every new completion appended (reuse across runs with the same LLM; greedy decoding makes them reproducible).")
    var llmCache: String?

    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var embedderOptions: EmbedderOptions

    func validate() throws {
        if threshold != nil && sweep { throw ValidationError("use --threshold or --sweep, not both") }
        if let threshold, !(-1...1).contains(threshold) { throw ValidationError("--threshold must be in [-1, 1]") }
        if verifier != nil, let threshold, !(0...1).contains(threshold) { throw ValidationError("with --verifier, --threshold is a probability in [0, 1]") }
        if !(-1...1).contains(similarityFloor) { throw ValidationError("--similarity-floor must be in [-1, 1]") }
        if let limit, limit < 1 { throw ValidationError("--limit must be at least 1") }
        if concurrency < 1 { throw ValidationError("--concurrency must be at least 1") }
        if sweep, parsedThresholds == nil { throw ValidationError("--thresholds must be comma-separated numbers in [-1, 1]") }
    }

    var parsedThresholds: [Float]? {
        let values = thresholdList.split(separator: ",").map { Float($0.trimmingCharacters(in: .whitespaces)) }
        guard !values.isEmpty, values.allSatisfy({ $0 != nil && (-1...1).contains($0 ?? 2) }) else { return nil }
        return values.compactMap { $0 }.sorted()
    }

    func run() async throws {
        let started = ContinuousClock.now
        let progress = ProgressBar(enabled: true)
        let data = try QADataset.load(directory: dataset, familyFiles: familyFiles.isEmpty ? nil : familyFiles)
        let workload = EvalWorkload(dataset: data, limit: limit)
        progress.note("\(workload.familyCount) families, \(workload.questions.count) questions")
        let adapter = try embedderOptions.load()
        let embedder = try await PrecomputedEmbedder.precompute(workload.questions.map(\.text), base: adapter) { progress.update("embed", $0, $1) }
        let (client, llmName, engine) = try makeLLM()
        defer { engine?.shutdown() }
        let journal = try llmCache.map { try CompletionJournal(path: $0) }
        var record: (@Sendable (MemoizingLLMClient.Record) -> Void)?
        if let journal { record = { journal.append($0) } }
        let memo = MemoizingLLMClient(base: client, journal: record)
        if let journal {
            let loaded = journal.loaded
            await memo.seed(loaded)
            progress.note("\(loaded.count) completions loaded from \(journal.path)")
        }
        let thresholds = sweep ? (parsedThresholds ?? []) : [threshold ?? CacheConfig().similarityThreshold]
        var cacheConfig = CacheConfig()
        if let focusOverlap { cacheConfig.focus.minimumOverlap = focusOverlap }
        if let focusTemperature { cacheConfig.focus.temperature = focusTemperature }
        if let candidates { cacheConfig.candidateCount = candidates }
        var reuseVerifier: ReuseVerifier?
        if let verifier {
            cacheConfig.similarityThreshold = similarityFloor
            reuseVerifier = try embedderOptions.loadVerifier(verifier, threadCount: 2, memo: ReuseVerifier.Memo())
            reuseVerifier?.bothOrders = verifierBothOrders
            progress.note("reuse verifier \(verifier); similarity floor \(similarityFloor), thresholds are P(same question)")
        }
        do { try cacheConfig.validate() } catch { throw CLIError(error.description) }
        let evaluator = QAEvaluator(workload: workload, llm: memo, embedder: embedder, cacheConfig: cacheConfig, pipelineConfig: QAPipelineConfig(aliasHits: aliasHits), concurrency: concurrency,
                                    focusCache: noFocusGuard ? nil : DocumentFocusCache(), verifier: reuseVerifier)
        let runs = try await evaluator.run(thresholds: thresholds) { progress.update($0, $1, $2) }
        var scored: [(ThresholdResult, [QuestionOutcome])] = []
        for (t, cached) in zip(thresholds, runs.cached) {
            scored.append(EvalScoring.score(workload: workload, baseline: runs.baseline, cached: cached, threshold: t))
        }
        let results = scored.map(\.0)
        let recommendation = sweep ? EvalScoring.recommend(results) : results.first.map { ($0, "given") }
        guard let (chosen, reason) = recommendation, let outcomes = scored.first(where: { $0.0.threshold == chosen.threshold })?.1 else {
            throw CLIError("no threshold was evaluated")
        }
        var report = EvalReport(chosen: chosen, sweep: sweep ? results : [], llm: llmName, embedder: adapter.fingerprint.description,
                                families: workload.familyCount, questions: workload.questions.count, llmCalls: await memo.realCalls,
                                wallSeconds: ProgressBar.seconds(ContinuousClock.now - started),
                                recommendedBy: reason)
        if let reuseVerifier {
            report.thresholdMeaning = "reuse verifier P(same question), similarity floor \(similarityFloor), verifier \(reuseVerifier.digest)"
        }
        if let out {
            let command = (["loraserve"] + CommandLine.arguments.dropFirst()).joined(separator: " ")
            try EvalOutput.write(report, outcomes: outcomes, command: command, to: out)
        }
        if json {
            print(try report.json())
        } else {
            print(report.markdown())
        }
    }

    /// The LLM: an OpenAI-compatible server, or the base model on the in-process batching engine.
    func makeLLM() throws -> (any LLMClient, String, BatchEngine?) {
        if let llm {
            guard let url = URL(string: llm), url.scheme != nil else { throw CLIError("--llm must be a URL such as http://127.0.0.1:8000") }
            return (OpenAIChatClient(baseURL: url, model: llmModel), "\(llmModel) at \(llm)", nil)
        }
        let model = try modelOptions.load()
        let engine: BatchEngine
        do { engine = try BatchEngine(model: model, config: EngineConfig(threads: modelOptions.threadCount), adapterRoot: nil) } catch {
            throw CLIError(error.description)
        }
        let name = (model.path as NSString).lastPathComponent
        return (EngineLLMClient(service: engine), "\(name) (in process, greedy)", engine)
    }
}

/// `--llm-cache`: completions as JSONL (`MemoizingLLMClient.Record`), loaded once, appended as
/// they are computed so an interrupted run keeps its work.
final class CompletionJournal: Sendable {
    let path: String
    let loaded: [MemoizingLLMClient.Record]
    private let handle: Mutex<FileHandle>

    init(path: String) throws {
        self.path = path
        let fm = FileManager.default
        var records: [MemoizingLLMClient.Record] = []
        if let data = fm.contents(atPath: path) {
            let decoder = JSONDecoder()
            // A line cut short by a kill is skipped, not fatal.
            for line in data.split(separator: UInt8(ascii: "\n")) {
                if let r = try? decoder.decode(MemoizingLLMClient.Record.self, from: Data(line)) { records.append(r) }
            }
        } else if !fm.createFile(atPath: path, contents: nil) {
            throw CLIError("cannot create \(path)")
        }
        guard let h = FileHandle(forWritingAtPath: path) else { throw CLIError("cannot open \(path) for appending") }
        h.seekToEndOfFile()
        loaded = records
        handle = Mutex(h)
    }

    func append(_ record: MemoizingLLMClient.Record) {
        guard let data = try? JSONEncoder().encode(record) else { return }
        handle.withLock { h in
            h.write(data)
            h.write(Data([UInt8(ascii: "\n")]))
        }
    }
}
