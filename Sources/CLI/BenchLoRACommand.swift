import ArgumentParser
import BatchScheduler
import Engine
import Foundation
import LoRAAdapters
import ModelStore
import ServeCore

/// `loraserve bench lora`: the live engine under concurrent multi-adapter load, per compute mode.
struct BenchLoRACommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lora",
        abstract: "Concurrent streams over adapters of mixed ranks: exact vs padded vs batch-max vs base model, in one run."
    )

    @Option(help: "Adapters to create (rank mix: 3/4 of them rank 8–16, 1/4 rank 64–128).")
    var adapters = 16

    @Option(help: "Requests per mode.")
    var requests = 64

    @Option(help: "Concurrent streams.")
    var concurrency = 16

    @Option(name: .customLong("prompt-tokens"), help: "Prompt length in tokens.")
    var promptTokens = 64

    @Option(name: .customLong("max-tokens"), help: "Generated tokens per request.")
    var maxTokens = 32

    @Flag(help: "Print one JSON object.")
    var json = false

    @OptionGroup var modelOptions: ModelOptions

    func validate() throws {
        guard adapters >= 1, requests >= 1, concurrency >= 1, promptTokens >= 1, maxTokens >= 1 else {
            throw ValidationError("--adapters, --requests, --concurrency, --prompt-tokens and --max-tokens must be positive")
        }
    }

    func run() async throws {
        let model = try modelOptions.load()
        let directory = NSTemporaryDirectory() + "loraserve-bench-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var made: [(name: String, rank: Int)] = []
        for i in 0..<adapters {
            let rank = i % 4 == 3 ? (i % 8 == 3 ? 64 : 128) : (i % 2 == 0 ? 8 : 16)
            let modules = PEFTAdapterWriter.randomModules(rank: rank, targets: LoRAModule.allCases, base: model.shape, seed: UInt64(i))
            let files = try PEFTAdapterWriter.serialize(config: PEFTConfig(r: rank, lora_alpha: Float(2 * rank), target_modules: .names(LoRAModule.allCases.map(\.hfName))),
                                                        modules: modules, base: model.shape)
            try AdapterFiles.writePEFT(directory: "\(directory)/a\(i)", config: files.config, weights: files.weights)
            made.append(("a\(i)", rank))
        }
        Console.progress("created \(adapters) adapters (ranks \(made.map(\.rank).sorted()))")
        let prompt = Array(repeating: model.tokenizer.encode(BenchText.paragraph, parseSpecial: false), count: 8).flatMap { $0 }.prefix(promptTokens)
        let spec = LoRALoadTest.Spec(requests: requests, concurrency: concurrency, promptTokens: Array(prompt), maxTokens: maxTokens, adapters: made)

        var modes: [String: ModeReport] = [:]
        let plan: [(String, LoRAComputeMode, Bool)] = [("exact", .exact, true), ("padded", .padded, true), ("batch_max", .batchMax, true), ("base", .exact, false)]
        for (index, (key, mode, useAdapters)) in plan.enumerated() {
            Console.progress("[\(index + 1)/\(plan.count + 1)] \(key): \(requests) requests, \(concurrency) concurrent …")
            let engine = try makeEngine(model, mode: mode, root: directory)
            if useAdapters {
                for a in made { _ = try await engine.loadAdapter(name: a.name, path: a.name) }
                // Warm-up: activate every adapter once so the measurement is steady-state serving.
                _ = try await LoRALoadTest(engine: engine).run(.init(requests: made.count, concurrency: made.count, promptTokens: [1, 2, 3],
                                                                      maxTokens: 1, adapters: made))
            }
            var s = spec
            if !useAdapters { s.adapters = [] }
            let report = try await LoRALoadTest(engine: engine).run(s)
            modes[key] = ModeReport(report)
            engine.shutdown()
        }
        Console.progress("[\(plan.count + 1)/\(plan.count + 1)] single stream (base) …")
        let single = try makeEngine(model, mode: .exact, root: directory)
        var one = spec
        one.adapters = []
        one.concurrency = 1
        one.requests = 4
        let singleReport = try await LoRALoadTest(engine: single).run(one)
        single.shutdown()
        let base = modes["base"]?.output_tokens_per_second ?? 0
        let result = Result(modes: modes, single_stream_tokens_per_second: singleReport.overall.outputTokensPerSecond,
                            batching_gain: singleReport.overall.outputTokensPerSecond > 0 ? base / singleReport.overall.outputTokensPerSecond : 0,
                            concurrency: concurrency, requests: requests, prompt_tokens: promptTokens, max_tokens: maxTokens,
                            adapter_ranks: made.map(\.rank))
        if json { try Console.printJSON(result) } else { printTable(result) }
    }

    private func makeEngine(_ model: LoadedLlama, mode: LoRAComputeMode, root: String) throws -> BatchEngine {
        let blocksPerRequest: Int = (promptTokens + maxTokens) / 16 + 2
        let kvBlocks: Int = max(2048 / 16, 2 * concurrency * blocksPerRequest)
        let running: Int = max(concurrency, adapters)
        let scheduler = SchedulerConfig(maxBatchTokens: 512, maxRunningSequences: running, kvBlockTokens: 16, kvBlockCount: kvBlocks,
                                        maxModelLength: 2048, maxAdaptersPerStep: adapters, maxPrefillChunkTokens: 256, maxWaiting: 4 * requests)
        let config = EngineConfig(
            threads: modelOptions.threadCount,
            scheduler: scheduler,
            maxActiveAdapters: adapters, maxHostAdapters: adapters, maxLoRARank: 128, loraCompute: mode, baseModelName: "base")
        do { return try BatchEngine(model: model, config: config, adapterRoot: root) } catch { throw CLIError(error.description) }
    }

    private func printTable(_ r: Result) {
        print("mode        tokens/s   TTFT p50   TTFT p99   TPOT p50   (per rank: TTFT p99)")
        for key in ["exact", "padded", "batch_max", "base"] {
            guard let m = r.modes[key] else { continue }
            let keys: [String] = m.per_rank.keys.sorted { (Int($0) ?? 0) < (Int($1) ?? 0) }
            var ranks = ""
            for rank in keys {
                let p99: Double = m.per_rank[rank]?.ttftP99 ?? 0
                ranks += "r\(rank)=" + String(format: "%.2fs ", p99)
            }
            print(String(format: "%-10@ %9.1f %9.3fs %9.3fs %9.4fs   ", key, m.output_tokens_per_second, m.ttft_p50_s, m.ttft_p99_s, m.tpot_p50_s) + ranks)
        }
        print(String(format: "single stream: %.1f tokens/s; continuous-batching gain at %d streams: %.2fx",
                     r.single_stream_tokens_per_second, r.concurrency, r.batching_gain))
    }

    struct ModeReport: Encodable {
        let output_tokens_per_second: Double
        let ttft_p50_s: Double
        let ttft_p99_s: Double
        let tpot_p50_s: Double
        let tpot_p99_s: Double
        let per_rank: [String: LoRALoadTest.Stats]
        init(_ r: LoRALoadTest.Report) {
            output_tokens_per_second = r.overall.outputTokensPerSecond
            ttft_p50_s = r.overall.ttftP50
            ttft_p99_s = r.overall.ttftP99
            tpot_p50_s = r.overall.tpotP50
            tpot_p99_s = r.overall.tpotP99
            per_rank = r.perRank
        }
    }

    struct Result: Encodable {
        let modes: [String: ModeReport]
        let single_stream_tokens_per_second: Double
        let batching_gain: Double
        let concurrency: Int
        let requests: Int
        let prompt_tokens: Int
        let max_tokens: Int
        let adapter_ranks: [Int]
    }
}
