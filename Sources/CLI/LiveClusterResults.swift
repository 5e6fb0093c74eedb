import Foundation

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
        try JSONFile.decode(LiveClusterResults.self, from: path, what: "`bench cluster` results", snakeCase: true)
    }
}
