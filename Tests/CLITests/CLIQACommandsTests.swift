import Foundation
import Testing
import TestSupport

/// `loraserve embed`, `cache calibrate` and `eval qa` as a user runs them: the real MiniLM, the
/// built binary, stdin and files (the libraries behind them have their own suites).
@Suite struct CLIQACommandsTests {
    struct GoldenSentence: Decodable {
        let text: String
        let token_ids: [Int]
        let embedding: [Double]
    }

    struct Golden: Decodable { let sentences: [GoldenSentence] }

    /// The embedder's golden file (Scripts/golden_embeddings.py), read from the source tree.
    static func golden() throws -> [GoldenSentence] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("RealModelTests/Golden/embeddings-minilm.json")
        return try JSONDecoder().decode(Golden.self, from: Data(contentsOf: url)).sentences
    }

    static func cosine(_ a: [Double], _ b: [Double]) -> Double {
        var dot = 0.0, na = 0.0, nb = 0.0
        for (x, y) in zip(a, b) { dot += x * y; na += x * x; nb += y * y }
        return dot / max((na * nb).squareRoot(), 1e-30)
    }

    @Test func embedJSONMatchesTheGoldenLineByLineAndAnEmptyLineIsAnEmptyInput() throws {
        let directory = try RealModels.miniLMDirectory()
        // Single-line texts: the empty input, accents, CJK, emoji, numbers and an over-long one among them.
        let picked = try Self.golden().filter { !$0.text.contains("\n") && !$0.text.contains("\r") }
        #expect(picked.count >= 50)
        #expect(picked.contains { $0.text.isEmpty }, "the golden file has the empty input")
        #expect(picked.contains { $0.token_ids.count == 256 }, "and inputs cut at the max length")
        let outcome = try CLIRunner.run(["embed", "--json", "--embedder", directory, "--batch-size", "5"],
                                        stdin: picked.map(\.text).joined(separator: "\n") + "\n")
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let lines = outcome.stdout.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.isEmpty }
        try #require(lines.count == picked.count, "one JSON object per input line")
        for (line, expected) in zip(lines, picked) {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let ids = try #require(object["token_ids"] as? [Int])
            let embedding = try #require(object["embedding"] as? [Double])
            #expect(ids == expected.token_ids, "token ids of \(expected.text.prefix(40).debugDescription)")
            #expect(embedding.count == 384)
            #expect(Self.cosine(embedding, expected.embedding) >= 0.9999, "embedding of \(expected.text.prefix(40).debugDescription)")
        }
        let empty = try #require(zip(lines, picked).first { $0.1.text.isEmpty }?.0)
        let emptyObject = try #require(try JSONSerialization.jsonObject(with: Data(empty.utf8)) as? [String: Any])
        #expect(emptyObject["token_ids"] as? [Int] == [101, 102], "an empty line is [CLS] [SEP], not skipped")
    }

    @Test func embedPlainPrintsOneLineOfFloatsPerInput() throws {
        let directory = try RealModels.miniLMDirectory()
        let outcome = try CLIRunner.run(["embed", "--embedder", directory], stdin: "Who led the Normans?\n\nwho led the normans\n")
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let rows = outcome.stdout.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
            .map { $0.split(separator: " ").compactMap { Double($0) } }
        try #require(rows.count == 3, "three inputs, the empty one included")
        #expect(rows.allSatisfy { $0.count == 384 })
        for row in rows { #expect(abs(row.reduce(0) { $0 + $1 * $1 } - 1) < 1e-3, "L2-normalised") }
        #expect(Self.cosine(rows[0], rows[2]) > 0.95, "MiniLM is uncased; only the question mark differs")
        #expect(Self.cosine(rows[0], rows[1]) < 0.5)
    }

    @Test func embedRejectsABadBatchSizeWithAClearError() throws {
        let outcome = try CLIRunner.run(["embed", "--batch-size", "0"], stdin: "x\n")
        #expect(outcome.status != 0)
        #expect(outcome.stderr.contains("--batch-size must be at least 1"), "\(outcome.stderr)")
    }

    @Test func calibrateRecommendsAThresholdFromLabelledPairs() throws {
        let directory = try RealModels.miniLMDirectory()
        let work = try CLIRunner.temporaryDirectory(prefix: "loraserve-cli-qa")
        let pairs: [(String, String, Bool)] = [
            ("Who was the Norse leader?", "Who led the Norse raiders?", true),
            ("Who was the Norse leader?", "Name of the leader of the Norse", true),
            ("When was the castle built?", "In what year was the castle constructed?", true),
            ("How tall is the lighthouse?", "What is the height of the lighthouse?", true),
            ("Who was the Norse leader?", "When did the Norse leader die?", false),
            ("When was the castle built?", "When was the castle destroyed?", false),
            ("How tall is the lighthouse?", "How old is the lighthouse?", false),
            ("Who was the Norse leader?", "What is the boiling point of water?", false),
        ]
        let path = work + "/pairs.jsonl"
        var text = ""
        for (a, b, same) in pairs {
            let row: [String: Any] = ["question_a": a, "question_b": b, "same_answer": same]
            text += String(decoding: try JSONSerialization.data(withJSONObject: row, options: [.sortedKeys]), as: UTF8.self) + "\n"
        }
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let outcome = try CLIRunner.run(["cache", "calibrate", "--pairs", path, "--json", "--embedder", directory,
                                         "--pairs-out", work + "/scored.jsonl"])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [String: Any])
        #expect(object["pairs"] as? Int == 8)
        #expect(object["positives"] as? Int == 4)
        #expect(object["negatives"] as? Int == 4)
        let recommended = try #require(object["recommended"] as? [String: Any])
        let falseHitRate = try #require(recommended["false_hit_rate"] as? Double)
        #expect(falseHitRate <= 0.02, "the recommendation meets the default target")
        let points = try #require(object["points"] as? [[String: Any]])
        #expect(points.count > 10)
        let threshold = try #require(object["recommended_threshold"] as? Double)
        #expect(points.contains { abs(($0["threshold"] as? Double ?? -1) - threshold) < 1e-6 }, "the recommended threshold is a swept point")
        // Every pair scored, each with the guards' findings ("when" vs "who" vetoed by type).
        let scored = try String(contentsOfFile: work + "/scored.jsonl", encoding: .utf8).split(separator: "\n")
        #expect(scored.count == 8)
        let typed = try #require(try JSONSerialization.jsonObject(with: Data(scored[4].utf8)) as? [String: Any])
        #expect((typed["findings"] as? [String])?.isEmpty == false, "\(typed)")
    }

    @Test func calibrateRejectsMalformedPairsWithTheLine() throws {
        let work = try CLIRunner.temporaryDirectory(prefix: "loraserve-cli-qa")
        let path = work + "/pairs.jsonl"
        try "{\"question_a\": \"a\", \"question_b\": \"b\", \"same_answer\": true}\n{not json\n".write(toFile: path, atomically: true, encoding: .utf8)
        let outcome = try CLIRunner.run(["cache", "calibrate", "--pairs", path])
        #expect(outcome.status != 0)
        #expect(outcome.stderr.contains("pairs.jsonl"), "\(outcome.stderr)")
        #expect(outcome.stderr.contains("2"), "names the bad line: \(outcome.stderr)")
    }

    /// A one-family dataset laid out like shared/data/qa (SQuAD JSON + paraphrase-families*.jsonl).
    static func tinyDataset(in work: String) throws -> String {
        let directory = work + "/qa"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let context = "The Normans descended from Norse raiders led by Rollo. In 911 Rollo swore fealty to King Charles III "
            + "of West Francia, who granted him lands along the Seine. The Norman duchy later conquered England in 1066."
        let squad: [String: Any] = ["version": "v2.0", "data": [["title": "Normans", "paragraphs": [["context": context, "qas": [
            ["id": "q1", "question": "Who led the Norse raiders?", "is_impossible": false,
             "answers": [["text": "Rollo", "answer_start": 48]]]]]]]]]
        try JSONSerialization.data(withJSONObject: squad).write(to: URL(fileURLWithPath: directory + "/squad.json"))
        let family: [String: Any] = [
            "family_id": "normans-01", "article": "Normans", "paragraph_index": 0, "question": "Who led the Norse raiders?",
            "answers": ["Rollo"],
            "paraphrases": ["Who was the leader of the Norse raiders?", "Norse raiders leader name",
                            "I'm reading about the Normans. Who was the leader of the Norse raiders they came from?"],
            "paraphrase_styles": ["reworded", "keyword", "conversational"],
            "near_misses": [["question": "In which year did Rollo swear fealty?", "answers": ["911"], "answerable": true, "source": "written"],
                            ["question": "Which king did the Norse leader swear fealty to?", "answers": ["King Charles III"],
                             "answerable": true, "source": "written"]],
        ]
        let line = String(decoding: try JSONSerialization.data(withJSONObject: family, options: [.sortedKeys]), as: UTF8.self)
        try (line + "\n").write(toFile: directory + "/paraphrase-families-tiny.jsonl", atomically: true, encoding: .utf8)
        return directory
    }

    /// The whole `eval qa --sweep` path on a tiny random Llama (its answers are noise; the wiring is
    /// what is checked): the JSON contract, the files `--out` writes, and a replay from `--llm-cache`
    /// that makes no LLM call.
    @Test func evalQASweepWritesTheReportAndReplaysItsJournal() throws {
        let embedder = try RealModels.miniLMDirectory()
        let work = try CLIRunner.temporaryDirectory(prefix: "loraserve-cli-qa")
        let dataset = try Self.tinyDataset(in: work)
        var tiny = TinyLlamaFile()
        tiny.contextLength = 4096
        let model = try CLIRunner.temporaryFile(try tiny.serialized())
        let arguments = ["eval", "qa", "--dataset", dataset, "--sweep", "--thresholds", "0.5,0.9", "--model", model,
                         "--embedder", embedder, "--threads", "1", "--concurrency", "2", "--json",
                         "--llm-cache", work + "/journal.jsonl"]
        let first = try CLIRunner.run(arguments + ["--out", work + "/out"])
        #expect(first.status == 0, "\(first.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(first.stdout.utf8)) as? [String: Any])
        for key in ["hit_rate", "false_hit_rate", "summary_tokens_saved_fraction", "summary_calls_saved_fraction", "em_with_cache",
                    "em_without_cache", "f1_with_cache", "f1_without_cache", "threshold"] {
            #expect(report[key] is Double, "\(key) in the --json object")
        }
        let sweep = try #require(report["sweep"] as? [[String: Any]])
        #expect(sweep.compactMap { $0["threshold"] as? Double } == [0.5, 0.9])
        let calls = try #require(report["llm_calls"] as? Int)
        #expect(calls >= 12, "6 questions without the cache, each a summary and an answer")
        for file in ["report.json", "sweep.md", "sweep.svg", "questions.jsonl"] {
            #expect(FileManager.default.fileExists(atPath: work + "/out/" + file), "\(file) written")
        }
        let svg = try String(contentsOfFile: work + "/out/sweep.svg", encoding: .utf8)
        #expect(svg.contains("<svg") && svg.contains("</svg>"))
        let sweepText = try String(contentsOfFile: work + "/out/sweep.md", encoding: .utf8)
        #expect(sweepText.contains("LLM: "), "the report says which LLM answered")
        // Greedy decoding: the same run again is served from the journal.
        let second = try CLIRunner.run(arguments)
        #expect(second.status == 0, "\(second.stderr)")
        let replay = try #require(try JSONSerialization.jsonObject(with: Data(second.stdout.utf8)) as? [String: Any])
        #expect(replay["llm_calls"] as? Int == 0, "every completion replayed from --llm-cache")
        #expect(replay["summary_tokens_saved_fraction"] as? Double == report["summary_tokens_saved_fraction"] as? Double)
        #expect(replay["threshold"] as? Double == report["threshold"] as? Double)
    }

    @Test func evalQARejectsADatasetWithoutFamilies() throws {
        let work = try CLIRunner.temporaryDirectory(prefix: "loraserve-cli-qa")
        try "{\"data\": []}".write(toFile: work + "/squad.json", atomically: true, encoding: .utf8)
        let outcome = try CLIRunner.run(["eval", "qa", "--dataset", work])
        #expect(outcome.status != 0)
        #expect(outcome.stderr.contains("no paraphrase-families*.jsonl"), "\(outcome.stderr)")
    }

    @Test func cacheServeRefusesARefreshIntervalBeyondADay() throws {
        let outcome = try CLIRunner.run(["cache", "serve", "--cache-refresh-interval", "1e30"])
        #expect(outcome.status != 0)
        #expect(outcome.stderr.contains("--cache-refresh-interval must be in [0, 86400] seconds"), "\(outcome.stderr)")
    }
}
