import Foundation

/// Writes an evaluation's files into `--out`: report.json (the `--json` object), sweep.md (the
/// table), sweep.svg (the plot, for a sweep) and questions.jsonl (per-question outcomes at the
/// chosen threshold).
public enum EvalOutput {
    public static func write(_ report: EvalReport, outcomes: [QuestionOutcome], command: String, to directory: String) throws {
        let fm = FileManager.default
        do { try fm.createDirectory(atPath: directory, withIntermediateDirectories: true) } catch {
            throw QAPipelineError.invalidArgument("cannot create \(directory): \(error.localizedDescription)")
        }
        try save(try report.json(pretty: true) + "\n", directory + "/report.json")
        var md = "# QA evaluation: summary cache with vs without\n\n"
        md += "Command: `\(command)`\n\n"
        md += "LLM: \(report.llm). Embedder: \(report.embedder). \(report.families) families, \(report.questions) questions "
        md += "(per family: original, 3 paraphrases, 2 near-misses). LLM calls made: \(report.llmCalls); wall time \(Int(report.wallSeconds)) s.\n\n"
        md += "Threshold: \(report.thresholdMeaning). Chosen threshold: \(String(format: "%.2f", report.chosen.threshold)) (\(report.recommendedBy)).\n\n"
        md += report.markdown()
        md += "\nDefinitions: hit rate = paraphrases served a cached summary; false-hit rate = near-misses served a summary "
        md += "written for another question; answer changed / worse = hits whose normalised answer differs from the no-cache run / "
        md += "scores a lower F1 than it; latency = embedding + LLM seconds per question, each LLM call timed inside a batch of "
        md += "concurrent requests on a shared CPU (compare with vs without only); "
        md += "tokens saved = 1 − summarisation tokens with / without the cache on originals + paraphrases (\"all\": near-misses too); "
        md += "EM/F1 = SQuAD v2 rules over every question, an unanswerable near-miss scoring 1 when the model declines to answer.\n"
        try save(md, directory + "/sweep.md")
        if report.sweep.count > 1 {
            try save(SweepPlot.svg(report.sweep, title: "Summary cache: savings and accuracy vs threshold (\(report.llm))",
                                   marked: report.chosen.threshold), directory + "/sweep.svg")
        }
        let e = JSONEncoder()
        e.keyEncodingStrategy = .convertToSnakeCase
        e.outputFormatting = [.sortedKeys]
        var lines = ""
        for o in outcomes { lines += String(decoding: try e.encode(o), as: UTF8.self) + "\n" }
        try save(lines, directory + "/questions.jsonl")
    }

    static func save(_ text: String, _ path: String) throws {
        do { try text.write(toFile: path, atomically: true, encoding: .utf8) } catch {
            throw QAPipelineError.invalidArgument("cannot write \(path): \(error.localizedDescription)")
        }
    }
}
