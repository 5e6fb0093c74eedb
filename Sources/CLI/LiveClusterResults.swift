import Foundation
import Simulator

/// `results.json` of `loraserve bench cluster` (extra keys are ignored).
struct LiveClusterResults: Decodable {
    struct Policy: Decodable {
        var policy: String
        var requests: Int?
        var throughputRps: Double
        var outputTokensPerSecond: Double?
        var ttftP50S: Double
        var ttftP99S: Double
        var sloAttainment: Double?
        var failedRequests: Int?
        var placementActions: Int?
        var idleProbeTtftS: [Double]?
        var backgroundCpuCores: Double?
        var workerOverheadCpuCores: Double?
    }

    var workers: Int
    var threadsPerWorker: Int
    var sloTtftS: Double?
    var seed: UInt64?
    var maxActiveAdapters: Int?
    var maxBatchTokens: Int?
    var maxRunning: Int?
    var kvCacheTokens: Int?
    /// Written by `bench cluster` since the shared-host model (absent in older files).
    var hostCores: Int?
    var probePromptTokens: Int?
    var policies: [Policy]

    static func read(_ path: String) throws -> LiveClusterResults {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch { throw CLIError("cannot read \(path): \(error.localizedDescription)") }
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        do { return try decoder.decode(LiveClusterResults.self, from: data) } catch {
            throw CLIError("\(path) is not a `bench cluster` results file: \(error)")
        }
    }

    static func readSpec(_ path: String) throws -> WorkloadSpec {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch { throw CLIError("cannot read \(path): \(error.localizedDescription)") }
        do { return try JSONDecoder().decode(WorkloadSpec.self, from: data) } catch {
            throw CLIError("\(path) is not a workload file: \(error)")
        }
    }
}
