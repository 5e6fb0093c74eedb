import ArgumentParser
import Engine
import Foundation
import QAPipeline

/// `loraserve bench verifier`: the reuse verifier's cost per cache lookup, scoring a lookup's
/// candidates one pair at a time (the baseline, how it ran before) against one batch per
/// classifier (how it runs now), in the same process on the same pairs.
struct BenchVerifierCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verifier",
        abstract: "Reuse verifier ms per lookup: candidates scored one at a time vs as one batch, in one run."
    )

    @Flag(help: "Print one JSON object.")
    var json = false

    @Option(help: "Comma-separated candidate counts per lookup.")
    var candidates = "1,2,4,8"

    @Option(help: "Threads for the encoder (the calling thread included).")
    var threads = 2

    @Option(help: "Timed passes per candidate count (the median is reported).")
    var runs = 5

    @Option(help: "The verifier: 'bundled', or classifier files joined by commas (an ensemble).")
    var verifier = "bundled"

    @OptionGroup var embedderOptions: EmbedderOptions

    func validate() throws {
        if threads < 1 || threads > 256 { throw ValidationError("--threads must be in 1...256") }
        if runs < 1 { throw ValidationError("--runs must be at least 1") }
        if parsedCandidates.isEmpty { throw ValidationError("--candidates must list integers in 1...64, e.g. 1,2,4,8") }
    }

    private var parsedCandidates: [Int] { IntegerList.parse(candidates, allowed: 1...64) }

    func run() throws {
        let verifier = try embedderOptions.loadVerifier(self.verifier, threadCount: threads)
        let clock = ContinuousClock()
        var rows: [Row] = []
        for k in parsedCandidates {
            if !json { Console.progress("\(k) candidates a lookup: \(runs) timed passes of \(Self.queries.count) lookups, each way …") }
            let lookups = Self.queries.enumerated().map { i, q in (q, (0..<k).map { Self.cached[(i + $0) % Self.cached.count] }) }
            // Warm-up, then alternate the two ways pass by pass so drift on a shared machine hits both.
            _ = lookups.map { verifier.batchProbabilities(cached: $0.1, query: $0.0) }
            var single: [Double] = [], batched: [Double] = []
            var maxDifference = 0.0
            for _ in 0..<runs {
                var t = clock.now
                let one = lookups.map { q, cs in cs.map { verifier.probability(cached: $0, query: q) ?? .nan } }
                single.append((clock.now - t).seconds)
                t = clock.now
                let all = lookups.map { verifier.batchProbabilities(cached: $0.1, query: $0.0) }
                batched.append((clock.now - t).seconds)
                for ((_, cs), (ps, table)) in zip(lookups, zip(one, all)) {
                    for (c, p) in zip(cs, ps) { maxDifference = max(maxDifference, abs(p - (table[c] ?? .infinity))) }
                }
            }
            let perLookup = { (xs: [Double]) in 1000 * EngineBenchmark.median(xs) / Double(lookups.count) }
            rows.append(Row(candidates: k, singleMsPerLookup: perLookup(single), batchedMsPerLookup: perLookup(batched),
                            speedup: perLookup(single) / max(perLookup(batched), 1e-9), maxProbabilityDifference: maxDifference))
        }
        let report = Report(threads: threads, runs: runs, lookups: Self.queries.count, classifiers: verifier.classifiers.count, results: rows)
        if json { try Console.printJSON(report); return }
        print("threads \(threads), \(verifier.classifiers.count) classifiers, \(Self.queries.count) lookups a pass, median of \(runs) passes")
        print("candidates  one-at-a-time ms/lookup  batched ms/lookup  speed-up  max |Δp|")
        for r in rows {
            print(String(format: "%10d  %23.1f  %17.1f  %7.2f×  %.1e", r.candidates, r.singleMsPerLookup, r.batchedMsPerLookup,
                         r.speedup, r.maxProbabilityDifference))
        }
    }

    struct Row: Encodable {
        let candidates: Int
        let singleMsPerLookup: Double
        let batchedMsPerLookup: Double
        let speedup: Double
        let maxProbabilityDifference: Double
        enum CodingKeys: String, CodingKey {
            case candidates, singleMsPerLookup = "single_ms_per_lookup", batchedMsPerLookup = "batched_ms_per_lookup", speedup
            case maxProbabilityDifference = "max_probability_difference"
        }
    }

    struct Report: Encodable {
        let threads: Int, runs: Int, lookups: Int, classifiers: Int, results: [Row]
    }

    /// New questions and cached ones of one document, worded like the QA families.
    static let queries = [
        "Who led the Norse raiders who settled in Normandy?", "When did the Normans conquer England?",
        "What language did the Normans speak?", "Which king granted land to Rollo?",
        "How long did the Norman dynasty rule Sicily?", "Where did the Norman knights fight in the First Crusade?",
        "What is the time complexity of multiplying two n-digit integers?", "Which problems are in NP but not known to be in P?",
    ]
    static let cached = [
        "Who was the Norse leader?", "In what year did the Normans invade England?", "What did the Normans speak?",
        "What treaty gave Normandy to the Vikings?", "Who ruled Sicily after the Normans?", "Norman knights crusade battles",
        "How hard is integer multiplication?", "I'm curious which problems are believed to lie outside P even though they're in NP?",
    ]
}
