import Foundation
import ModelStore
import Placement
import Reports

/// A calibration file: the fitted `CostModel` plus the machine, model and samples it came from.
struct CostCalibration: Codable {
    struct Machine: Codable {
        var cpu: String
        var cores: Int
        var threads: Int
        var os: String
    }

    struct Model: Codable {
        var name: String
        var path: String
        var sha256: String
        var layers: Int
        var width: Int
    }

    struct FitQuality: Codable {
        var samples: Int
        var rSquared: Double
        /// Median of |predicted − measured| / measured.
        var medianRelativeError: Double
    }

    var format = "loraserve-calibration/1"
    var created: String
    var machine: Machine
    var model: Model
    var costModel: CostModel
    var fit: [String: FitQuality]
    var samples: [ProfileSample]

    /// Reads a calibration file, or a bare `CostModel` JSON.
    static func loadCostModel(path: String) throws -> CostModel {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw CLIError("cannot read cost model \(path): \(error.localizedDescription)")
        }
        if let c = try? JSONDecoder().decode(CostCalibration.self, from: data) { return c.costModel }
        do { return try JSONDecoder().decode(CostModel.self, from: data) } catch {
            throw CLIError("\(path) is neither a calibration file (loraserve profile) nor a CostModel JSON: \(error)")
        }
    }

    /// Fits α, β, γ, δ per mode (base-only samples are shared by every mode) with non-negative least squares.
    static func fit(samples: [ProfileSample], loads: (disk: Double, host: Double, setup: Double), model: LoadedLlama,
                    threads: Int) throws -> CostCalibration {
        var coefficients: [String: CostCoefficients] = [:]
        var quality: [String: FitQuality] = [:]
        for mode in ["exact", "padded", "batch-max"] {
            let rows = samples.filter { $0.ranks.isEmpty || $0.mode == mode }
            let x = rows.map { [1, Double($0.tokens), Double($0.rankTokens), Double($0.distinctAdapters)] }
            let y = rows.map(\.seconds)
            guard let c = LeastSquares.solveNonNegative(x, y) else {
                throw CLIError("cannot fit the \(mode) cost model: the samples do not determine it")
            }
            coefficients[mode] = CostCoefficients(alphaSeconds: c[0], betaSecondsPerToken: c[1], gammaSecondsPerTokenRank: c[2],
                                                  deltaSecondsPerAdapter: c[3])
            let errors = zip(x, y).map { r, t in abs(zip(r, c).reduce(0) { $0 + $1.0 * $1.1 } - t) / max(t, 1e-9) }.sorted()
            quality[mode] = FitQuality(samples: rows.count, rSquared: LeastSquares.rSquared(x, y, coefficients: c),
                                       medianRelativeError: errors.isEmpty ? 0 : errors[errors.count / 2])
        }
        let machine = Machine(cpu: cpuModel(), cores: ProcessInfo.processInfo.activeProcessorCount, threads: threads,
                              os: ProcessInfo.processInfo.operatingSystemVersionString)
        let name = URL(fileURLWithPath: model.path).lastPathComponent
        let created = ISO8601DateFormatter().string(from: Date())
        let source = "fitted by `loraserve profile` on \(machine.cpu) (\(threads) threads), model \(name), \(created)"
        guard let exact = coefficients["exact"], let padded = coefficients["padded"], let batchMax = coefficients["batch-max"] else {
            throw CLIError("cost model fit incomplete")
        }
        let cost = CostModel(exact: exact, padded: padded, batchMax: batchMax, diskBytesPerSecond: loads.disk,
                             hostBytesPerSecond: loads.host, peerBytesPerSecond: loads.host, loadSetupSeconds: loads.setup,
                             source: source)
        let c = model.weights.config
        return CostCalibration(created: created, machine: machine,
                               model: Model(name: name, path: model.path, sha256: sha256(path: model.path), layers: c.layerCount,
                                            width: c.embeddingWidth),
                               costModel: cost, fit: quality, samples: samples)
    }

    /// `model name` from /proc/cpuinfo (Linux), else "unknown".
    static func cpuModel() -> String {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return "unknown" }
        for line in text.split(separator: "\n") where line.hasPrefix("model name") {
            if let colon = line.firstIndex(of: ":") { return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces) }
        }
        return "unknown"
    }

    /// SHA-256 of the model file, streamed in 4 MiB blocks ("unavailable" if unreadable).
    static func sha256(path: String) -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else { return "unavailable" }
        defer { try? handle.close() }
        var hasher = SHA256()
        while let chunk = try? handle.read(upToCount: 4 << 20), !chunk.isEmpty {
            chunk.withUnsafeBytes { hasher.update($0) }
        }
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }

    func printSummary() {
        print("machine  \(machine.cpu), \(machine.cores) cores (\(machine.threads) threads used)")
        print("model    \(model.name) sha256 \(model.sha256.prefix(16))…")
        for (mode, c) in [("exact", costModel.exact), ("padded", costModel.padded), ("batch-max", costModel.batchMax)] {
            let q = fit[mode]
            print(String(format: "%-9@ α %.3f ms  β %.1f µs/token  γ %.4f µs/(token·rank)  δ %.3f ms/adapter  (R² %.3f, median error %.1f%%, %d samples)",
                         mode, c.alphaSeconds * 1e3, c.betaSecondsPerToken * 1e6, c.gammaSecondsPerTokenRank * 1e6,
                         c.deltaSecondsPerAdapter * 1e3, q?.rSquared ?? 0, (q?.medianRelativeError ?? 0) * 100, q?.samples ?? 0))
        }
        print(String(format: "loads    disk %.2f GB/s, host→active %.2f GB/s, setup %.2f ms", costModel.diskBytesPerSecond / 1e9,
                     costModel.hostBytesPerSecond / 1e9, costModel.loadSetupSeconds * 1e3))
    }
}
