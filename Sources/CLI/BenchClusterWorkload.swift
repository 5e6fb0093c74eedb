import Foundation
import LoRAAdapters
import ModelStore
import ServeCore
import Simulator
import Tokenizers

/// The `bench cluster` workload: a Simulator `WorkloadSpec` (so the simulator replays the same
/// requests from DIR/workload.json and the same seed), turned into concrete HTTP requests.
enum BenchClusterWorkload {
    /// Rank mix of the benchmark's adapters (shares of adapters; popularity is independent of rank).
    static let rankMix: [WorkloadSpec.RankShare] = [
        .init(rank: 8, share: 0.25), .init(rank: 16, share: 0.25), .init(rank: 32, share: 0.2),
        .init(rank: 64, share: 0.15), .init(rank: 128, share: 0.15),
    ]

    /// Bytes per unit of rank of a random adapter on SmolLM2-135M (30 layers × q,k,v,o × (576 + 576)
    /// × f32), the same as the controller's size estimate.
    static let bytesPerRank = 30 * 4 * (576 + 576) * 4

    /// Poisson arrivals at `rate`, fixed lengths, Zipf(1) popularity reshuffled at half-time. The
    /// SLO's TPOT target is loose on purpose: the live bench measures TTFT only, and the simulator
    /// should judge the same thing.
    static func spec(rate: Double, duration: Double, adapters: Int, promptTokens: Int, maxTokens: Int, sloTTFT: Double) -> WorkloadSpec {
        WorkloadSpec(name: "bench-cluster", durationSeconds: duration,
                     arrivals: .init(kind: "poisson", ratePerSecond: rate),
                     lengths: .init(kind: "fixed", promptMean: Double(promptTokens), outputMean: Double(maxTokens),
                                    maxPrompt: promptTokens, maxOutput: maxTokens),
                     adapters: .init(count: adapters, zipfExponent: 1.0, rankMix: rankMix, bytesPerRank: bytesPerRank),
                     drift: .init(atSeconds: [duration / 2]),
                     slo: .init(ttftSeconds: sloTTFT, tpotSeconds: 60))
    }

    static func write(_ spec: WorkloadSpec, to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        do { try encoder.encode(spec).write(to: URL(fileURLWithPath: path)) } catch {
            throw CLIError("cannot write \(path): \(error.localizedDescription)")
        }
    }

    struct AdapterFile: Sendable {
        let name: String
        let rank: Int
        let path: String
    }

    /// Writes one random-weight adapter per workload adapter (same names and ranks).
    static func makeAdapters(_ workload: Workload, root: String, shape: BaseModelShape) throws -> [AdapterFile] {
        var out: [AdapterFile] = []
        for (i, a) in workload.adapters.enumerated() {
            let path = root + "/" + a.id.rawValue
            if try ClusterLauncher.writeRandomAdapter(path: path, rank: a.rank, shape: shape, seed: UInt64(1000 + i)) {
                Console.progress("wrote adapter \(a.id.rawValue) (rank \(a.rank))")
            }
            out.append(AdapterFile(name: a.id.rawValue, rank: a.rank, path: path))
        }
        return out
    }

    /// One request as sent: when, for which adapter, and the JSON body.
    struct Request: Sendable {
        let arrivalSeconds: Double
        let adapter: String
        let rank: Int
        let body: [UInt8]
        let maxTokens: Int
    }

    /// The idle probe: `count` base-model requests of `promptTokens` tokens and one output token,
    /// `spacing` seconds apart (each done long before the next at these sizes), so their TTFT is
    /// the engine's prefill plus the request path around it.
    static func probe(count: Int, promptTokens: Int, spacing: Double, baseModel: String, tokenizer: BPETokenizer) -> [Request] {
        let source = tokenizer.encode(BenchText.paragraph, parseSpecial: false)
        return (0..<count).map { i in
            let prompt = promptWindow(source, offset: i * 13 + 5, tokens: promptTokens, tokenizer: tokenizer)
            let body = jsonBody(["model": baseModel, "prompt": prompt, "max_tokens": 1, "stream": true, "temperature": 0, "ignore_eos": true])
            return Request(arrivalSeconds: Double(i) * spacing, adapter: baseModel, rank: 0, body: body, maxTokens: 1)
        }
    }

    /// `tokens` tokens of the bench paragraph from `offset` on (wrapping around), as text.
    private static func promptWindow(_ source: [TokenID], offset: Int, tokens: Int, tokenizer: BPETokenizer) -> String {
        guard !source.isEmpty, tokens > 0 else { return "Hello" }
        let ids = (0..<tokens).map { source[(offset % source.count + $0) % source.count] }
        return tokenizer.decode(ids, skipSpecial: true)
    }

    private static func jsonBody(_ object: [String: Any]) -> [UInt8] {
        (try? JSONSerialization.data(withJSONObject: object)).map { Array($0) } ?? []
    }

    /// Prompts of exactly `promptTokens` tokens of English text (a different window of the bench
    /// paragraph per request, so nothing is shared between requests), streamed, EOS ignored so
    /// every request generates its `outputTokens`.
    static func requests(_ workload: Workload, tokenizer: BPETokenizer) -> [Request] {
        let source = tokenizer.encode(BenchText.paragraph, parseSpecial: false)
        return workload.requests.enumerated().map { i, r in
            let a = workload.adapters[r.adapter]
            let prompt = promptWindow(source, offset: i * 7, tokens: r.promptTokens, tokenizer: tokenizer)
            let body = jsonBody([
                "model": a.id.rawValue, "prompt": prompt, "max_tokens": r.outputTokens, "stream": true,
                "temperature": 0, "ignore_eos": true, "stream_options": ["include_usage": true],
            ])
            return Request(arrivalSeconds: r.arrivalSeconds, adapter: a.id.rawValue, rank: a.rank, body: body, maxTokens: r.outputTokens)
        }
    }
}
