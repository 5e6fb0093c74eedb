import ArgumentParser
import Engine
import Foundation
import Kernels
import LlamaModel
import ModelStore

/// `loraserve bench …`: benchmarks that report numbers (never tests with time asserts).
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmarks (tokens/s and ratios against a baseline measured in the same run).",
        subcommands: [BenchEngineCommand.self, BenchLoRACommand.self, BenchClusterCommand.self, BenchPeerCommand.self,
                      BenchValidateCommand.self, BenchEmbedCommand.self, BenchVerifierCommand.self]
    )
}

struct BenchEngineCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "engine",
        abstract: "Prefill (64 and 512 tokens) and single-stream decode (128 tokens) tokens/s, 1 and 2 threads, vs the scalar reference path."
    )

    @Flag(help: "Print one JSON object.")
    var json = false

    @Option(help: "Only this thread count (default: 1 and 2).")
    var threads: Int?

    @Option(help: "Repetitions per figure (the median is reported).")
    var runs = 5

    @Flag(name: .customLong("skip-reference"), help: "Do not measure the scalar reference path.")
    var skipReference = false

    @Option(help: "A Llama-architecture GGUF file (default: SmolLM2-135M-Instruct).")
    var model: String?

    func validate() throws {
        if let threads, threads < 1 || threads > 256 { throw ValidationError("--threads must be in 1...256") }
        if runs < 1 { throw ValidationError("--runs must be at least 1") }
    }

    func run() throws {
        let loaded = try ModelOptions(model: model).load()
        let source = loaded.tokenizer.encode(BenchText.paragraph, parseSpecial: false)
        let bench = EngineBenchmark(weights: loaded.weights, promptSource: source)
        let threadCounts = threads.map { [$0] } ?? [1, 2]
        var optimised: [String: EngineBenchmark.Figures] = [:]
        var reference: [String: EngineBenchmark.Figures] = [:]
        let total = threadCounts.count * (skipReference ? 1 : 2)
        var done = 0
        for count in threadCounts {
            progress(&done, total, "optimised kernels, \(count) thread(s)")
            optimised["\(count)"] = try measure(bench, threads: count, reference: false, runs: runs)
            if !skipReference {
                progress(&done, total, "scalar reference kernels, \(count) thread(s)")
                reference["\(count)"] = try measure(bench, threads: count, reference: true, runs: 1)
            }
        }
        if json {
            try Console.printJSON(Report(model: loaded.path, runs: runs, threads: optimised,
                                         reference: skipReference ? nil : reference))
        } else {
            printTable(optimised: optimised, reference: reference)
        }
    }

    private func progress(_ done: inout Int, _ total: Int, _ what: String) {
        done += 1
        Console.progress("[\(done)/\(total)] measuring \(what) …")
    }

    /// The reference path runs the same forward with scalar kernels; it is ~20-100x slower, so it
    /// decodes 16 tokens instead of 128 and prefills once (still tokens/s, so comparable as a ratio).
    private func measure(_ bench: EngineBenchmark, threads: Int, reference: Bool, runs: Int) throws -> EngineBenchmark.Figures {
        let context = try LlamaContext(weights: bench.weights, maxBatchTokens: 512, maxLogitRows: 1,
                                       pool: ThreadPool(threadCount: threads))
        context.useReferenceKernels = reference
        return EngineBenchmark.Figures(
            prefill64TokensPerSecond: try bench.prefill(tokens: 64, context: context, runs: runs),
            prefill512TokensPerSecond: try bench.prefill(tokens: 512, context: context, runs: runs),
            decodeTokensPerSecond: try bench.decode(tokens: reference ? 16 : 128, context: context, runs: runs))
    }

    private func printTable(optimised: [String: EngineBenchmark.Figures], reference: [String: EngineBenchmark.Figures]) {
        print("threads  path        prefill-64 tok/s  prefill-512 tok/s  decode tok/s")
        for key in optimised.keys.sorted() {
            guard let o = optimised[key] else { continue }
            print(String(format: "%-8@ %-11@ %16.1f  %17.1f  %12.1f", key, "optimised", o.prefill64TokensPerSecond,
                         o.prefill512TokensPerSecond, o.decodeTokensPerSecond))
            if let r = reference[key] {
                print(String(format: "%-8@ %-11@ %16.1f  %17.1f  %12.1f", key, "reference", r.prefill64TokensPerSecond,
                             r.prefill512TokensPerSecond, r.decodeTokensPerSecond))
                print(String(format: "%-8@ %-11@ %15.1fx  %16.1fx  %11.1fx", key, "ratio", o.prefill64TokensPerSecond / r.prefill64TokensPerSecond,
                             o.prefill512TokensPerSecond / r.prefill512TokensPerSecond, o.decodeTokensPerSecond / r.decodeTokensPerSecond))
            }
        }
    }

    struct Report: Encodable {
        let model: String
        let runs: Int
        let threads: [String: EngineBenchmark.Figures]
        let reference: [String: EngineBenchmark.Figures]?
    }
}

/// Realistic English text to build benchmark prompts from (token ids repeat cyclically).
enum BenchText {
    static let paragraph = """
    The Normans were the people who in the 10th and 11th centuries gave their name to Normandy, a region in France. \
    They were descended from Norse raiders and pirates from Denmark, Iceland and Norway who, under their leader Rollo, \
    agreed to swear fealty to King Charles III of West Francia. Through generations of assimilation and mixing with the \
    native Frankish and Roman-Gaulish populations, their descendants would gradually merge with the Carolingian-based \
    cultures of West Francia. The distinct cultural and ethnic identity of the Normans emerged initially in the first \
    half of the 10th century, and it continued to evolve over the succeeding centuries. Computational complexity theory \
    is a branch of the theory of computation that focuses on classifying computational problems according to their \
    inherent difficulty, and relating those classes to each other.
    """
}
