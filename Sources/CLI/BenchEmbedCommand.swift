import ArgumentParser
import BertModel
import Foundation
import QAPipeline

/// `loraserve bench embed`: sentences/s of the all-MiniLM-L6-v2 embedder at several batch sizes.
///
/// Each figure is the median of `--runs` timed passes over the whole sentence set (tokenisation
/// included), after one warm-up pass — the measurement `Scripts/bench_embedder.py` makes of
/// sentence-transformers' `encode(texts, batch_size=B)` on the same sentences, in the same command.
struct BenchEmbedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "embed",
        abstract: "Embedder throughput (sentences/s) at batch sizes 1, 32 and 128 on a fixed sentence set.",
        discussion: """
        --sentences FILE: a JSON array of strings, or else one sentence per line (default: a built-in mix \
        of questions and paragraphs). Scripts/bench_embedder.py runs this with --json next to \
        sentence-transformers and reports the ratio.
        """
    )

    @Flag(help: "Print one JSON object.")
    var json = false

    @Option(name: .customLong("batch-sizes"), help: "Comma-separated batch sizes.")
    var batchSizes = "1,32,128"

    @Option(help: "Threads for the encoder (the calling thread included).")
    var threads = 2

    @Option(help: "Timed passes per batch size (the median is reported).")
    var runs = 5

    @Option(help: "Untimed warm-up passes per batch size.")
    var warmup = 1

    @Option(help: "Sentences to embed: a JSON array of strings, or one per line.")
    var sentences: String?

    @Option(name: .customLong("embedder"), help: "all-MiniLM-L6-v2 directory (default: ~/.cache/loraserve/models/all-MiniLM-L6-v2).")
    var embedderDirectory: String?

    @Flag(name: .customLong("include-embeddings"), help: "With --json: also output each sentence's embedding (for agreement checks).")
    var includeEmbeddings = false

    func validate() throws {
        if threads < 1 || threads > 256 { throw ValidationError("--threads must be in 1...256") }
        if runs < 1 { throw ValidationError("--runs must be at least 1") }
        if warmup < 0 { throw ValidationError("--warmup must be at least 0") }
        if parsedBatchSizes.isEmpty { throw ValidationError("--batch-sizes must list positive integers, e.g. 1,32,128") }
    }

    private var parsedBatchSizes: [Int] { IntegerList.parse(batchSizes, allowed: 1...Int.max) }

    func run() throws {
        let texts = try loadSentences()
        let dir = embedderDirectory ?? EmbedderAdapter.defaultMiniLMDirectory
        let embedder: BertEmbedder
        do { embedder = try EmbedderAdapter.loadMiniLM(directory: dir, threadCount: threads).embedder } catch {
            throw CLIError("cannot load the embedder from \(dir): \(error) (run `loraserve models fetch all-MiniLM-L6-v2`)")
        }
        let origin = DispatchTime.now().uptimeNanoseconds
        let now = { Double(DispatchTime.now().uptimeNanoseconds &- origin) * 1e-9 }
        let context = BertContext()
        var results: [EmbedPassTimings] = []
        for size in parsedBatchSizes {
            if !json { Console.progress("batch \(size): \(warmup) warm-up + \(runs) timed passes over \(texts.count) sentences …") }
            do {
                results.append(try embedder.measurePasses(texts: texts, batchSize: size, runs: runs, warmupRuns: warmup,
                                                          context: context, now: now))
            } catch { throw CLIError("embedding failed: \(error)") }
        }
        var embeddings: [[Float]]?
        if includeEmbeddings {
            do { embeddings = try embedder.embed(texts, context: context) } catch { throw CLIError("embedding failed: \(error)") }
        }
        let report = Report(modelDirectory: dir, threads: threads, runs: runs, warmup: warmup, sentences: texts.count,
                            tokens: results.first?.tokens ?? 0, results: results.map(Report.Row.init), embeddings: embeddings)
        if json { try Console.printJSON(report) } else { printTable(report) }
    }

    private func loadSentences() throws -> [String] {
        guard let sentences else { return Self.builtInSentences }
        guard let data = FileManager.default.contents(atPath: sentences) else { throw CLIError("cannot read \(sentences)") }
        if let array = try? JSONDecoder().decode([String].self, from: data) { return array }
        var lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        guard !lines.isEmpty else { throw CLIError("\(sentences) holds no sentences") }
        return lines
    }

    private func printTable(_ report: Report) {
        print("threads \(report.threads), \(report.sentences) sentences (\(report.tokens) tokens) per pass, median of \(report.runs) passes")
        print("batch  sentences/s    tokens/s  median pass ms")
        for row in report.results {
            print(String(format: "%5d  %11.1f  %10.0f  %14.1f", row.batchSize, row.sentencesPerSecond,
                         row.medianSeconds > 0 ? Double(row.tokens) / row.medianSeconds : 0, row.medianSeconds * 1000))
        }
    }

    struct Report: Encodable {
        struct Row: Encodable {
            let batchSize: Int
            let sentences: Int
            let tokens: Int
            let runSeconds: [Double]
            let medianSeconds: Double
            let sentencesPerSecond: Double

            init(_ t: EmbedPassTimings) {
                batchSize = t.batchSize
                sentences = t.sentences
                tokens = t.tokens
                runSeconds = t.runSeconds
                medianSeconds = t.medianSeconds
                sentencesPerSecond = t.sentencesPerSecond
            }

            enum CodingKeys: String, CodingKey {
                case batchSize = "batch_size", sentences, tokens, runSeconds = "run_seconds"
                case medianSeconds = "median_seconds", sentencesPerSecond = "sentences_per_second"
            }
        }
        let modelDirectory: String
        let threads: Int
        let runs: Int
        let warmup: Int
        let sentences: Int
        let tokens: Int
        let results: [Row]
        let embeddings: [[Float]]?

        enum CodingKeys: String, CodingKey {
            case modelDirectory = "model_directory", threads, runs, warmup, sentences, tokens, results, embeddings
        }
    }

    /// Default workload when no --sentences file is given: short questions and longer paragraphs.
    static let builtInSentences: [String] = {
        let questions = [
            "Who won the 2018 FIFA World Cup?", "When did the Apollo 11 mission land on the moon?",
            "How many people live in Tokyo?", "Where is the Eiffel Tower located?",
            "What is the capital of Normandy?", "Which river flows through Paris?",
            "Why is the sky blue?", "What year did the Berlin Wall fall?",
        ]
        let paragraph = """
        The Normans were the people who in the 10th and 11th centuries gave their name to Normandy, a region in France. \
        They were descended from Norse raiders and pirates from Denmark, Iceland and Norway who, under their leader Rollo, \
        agreed to swear fealty to King Charles III of West Francia.
        """
        return (0..<64).map { $0 % 4 == 3 ? paragraph : questions[$0 % questions.count] }
    }()
}
