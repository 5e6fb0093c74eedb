import ArgumentParser
import Engine
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import LoRAAdapters
import Logging
import ModelStore
import Worker
#if canImport(Glibc)
import Glibc
#endif

/// `loraserve bench peer`: how long a worker takes to get an adapter from storage (safetensors on
/// disk → parsed → registered) versus from a peer worker's memory (HTTP stream over loopback →
/// verified → registered), per rank; median of `--runs`. Both workers run in this process over
/// one shared base model, so the comparison isolates the adapter path.
struct BenchPeerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "peer",
        abstract: "Peer fetch (worker-to-worker over loopback HTTP) vs disk load of adapters, per rank."
    )

    @Option(help: "Comma-separated ranks.")
    var ranks = "8,16,32,64,128"

    @Option(help: "Comma-separated targets among q,k,v,o,gate,up,down (as `adapters make`).")
    var targets = "q,k,v,o,gate,up,down"

    @Option(help: "Timed repetitions per rank and path (median reported).")
    var runs = 5

    @Flag(help: "Print one JSON object instead of the table.")
    var json = false

    @OptionGroup var modelOptions: ModelOptions

    struct Row: Codable {
        var rank: Int
        var bytes: Int
        var disk_load_ms: Double
        /// The same load with the file's pages dropped from the page cache first (a worker loading
        /// an adapter it has not read recently; local virtio disk here, not remote storage).
        var cold_disk_load_ms: Double
        var peer_fetch_ms: Double
        /// The first fetch of these weights (the sender also hashes them; later fetches reuse the digest).
        var first_peer_fetch_ms: Double
        /// peer / disk (below 1: the peer is faster).
        var peer_over_disk: Double
        var peer_mb_per_s: Double
    }

    func validate() throws {
        guard runs >= 1 else { throw ValidationError("--runs must be >= 1") }
        guard !parsedRanks.isEmpty, parsedRanks.allSatisfy({ (1...128).contains($0) }) else { throw ValidationError("--ranks must be in 1...128") }
        guard !parsedTargets.isEmpty else { throw ValidationError("--targets names no known module") }
    }

    var parsedRanks: [Int] { ranks.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) } }
    var parsedTargets: [LoRAModule] { targets.split(separator: ",").compactMap { LoRAModule(anyName: $0.trimmingCharacters(in: .whitespaces)) } }

    func run() async throws {
        let model = try modelOptions.load()
        let root = NSTemporaryDirectory() + "loraserve-bench-peer-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let config = EngineConfig(threads: 1, maxHostAdapters: 64, maxLoRARank: 128, baseModelName: "bench")
        let source: BatchEngine, receiver: BatchEngine
        do {
            source = try BatchEngine(model: model, config: config, adapterRoot: root)
            receiver = try BatchEngine(model: model, config: config, adapterRoot: root)
        } catch { throw CLIError(error.description) }
        defer { source.shutdown(); receiver.shutdown() }
        var logger = Logger(label: "bench-peer")
        logger.logLevel = .critical
        let ports = (LocalPorts.free(), LocalPorts.free())
        let token = "bench-\(UUID().uuidString)"
        let servers = try [(source, ports.0), (receiver, ports.1)].map { engine, port in
            try WorkerServer(config: WorkerConfig(host: "127.0.0.1", port: port, adminToken: token, adapterRoot: root), service: engine, logger: logger)
        }
        let tasks = servers.map { server in Task { try await server.run() } }
        defer { for t in tasks { t.cancel() } }
        let sourceURL = "http://127.0.0.1:\(ports.0)", receiverURL = "http://127.0.0.1:\(ports.1)"
        try await Self.waitHealthy(sourceURL)
        try await Self.waitHealthy(receiverURL)

        var rows: [Row] = []
        for rank in parsedRanks {
            let name = "peer-r\(rank)"
            let modules = PEFTAdapterWriter.randomModules(rank: rank, targets: parsedTargets, base: model.shape, seed: UInt64(rank))
            let peft = PEFTConfig(r: rank, lora_alpha: Float(2 * rank), target_modules: .names(parsedTargets.map(\.hfName)))
            do {
                let files = try PEFTAdapterWriter.serialize(config: peft, modules: modules, base: model.shape)
                try AdapterFiles.writePEFT(directory: root + "/" + name, config: files.config, weights: files.weights)
            } catch { throw CLIError(error.description) }
            let info: AdapterInfo
            do { info = try await source.loadAdapter(name: name, path: root + "/" + name) } catch { throw CLIError(error.description) }
            // Disk: the worker's own load path (parse safetensors, validate, register); the file is
            // in the page cache after the first read, as on a worker that loaded it recently.
            var disk: [Double] = []
            for i in 0..<runs {
                let t = ContinuousClock.now
                do { _ = try await receiver.loadAdapter(name: "\(name)-disk\(i)", path: root + "/" + name) } catch { throw CLIError(error.description) }
                disk.append((ContinuousClock.now - t) / .milliseconds(1))
                try await receiver.unloadAdapter(name: "\(name)-disk\(i)")
            }
            var cold: [Double] = []
            for i in 0..<runs {
                Self.dropFromPageCache(root + "/" + name + "/adapter_model.safetensors")
                let t = ContinuousClock.now
                do { _ = try await receiver.loadAdapter(name: "\(name)-cold\(i)", path: root + "/" + name) } catch { throw CLIError(error.description) }
                cold.append((ContinuousClock.now - t) / .milliseconds(1))
                try await receiver.unloadAdapter(name: "\(name)-cold\(i)")
            }
            var peer: [Double] = []
            for _ in 0..<runs {
                let t = ContinuousClock.now
                let (status, body) = try await Self.post(receiverURL + "/v1/adapters/fetch", token: token,
                                                         json: #"{"lora_name":"\#(name)","peer_url":"\#(sourceURL)"}"#)
                peer.append((ContinuousClock.now - t) / .milliseconds(1))
                guard status == 200 else { throw CLIError("peer fetch answered \(status): \(body)") }
                guard await receiver.adapters().first(where: { $0.name == name })?.path == "peer:" + sourceURL else {
                    throw CLIError("the fetched adapter is not registered with a peer: path")
                }
                try await receiver.unloadAdapter(name: name)
            }
            try await source.unloadAdapter(name: name)
            try? FileManager.default.removeItem(atPath: root + "/" + name)
            let d = EngineBenchmark.median(disk), p = EngineBenchmark.median(peer)
            rows.append(Row(rank: rank, bytes: info.bytes, disk_load_ms: d, cold_disk_load_ms: EngineBenchmark.median(cold), peer_fetch_ms: p, first_peer_fetch_ms: peer.first ?? 0, peer_over_disk: p / max(d, 1e-9),
                            peer_mb_per_s: Double(info.bytes) / 1e6 / max(p / 1000, 1e-9)))
        }
        if json {
            try Console.printJSON(Report(runs: runs, targets: parsedTargets.map(\.hfName), rows: rows))
        } else {
            Console.write("peer fetch vs disk load (median of \(runs); targets \(parsedTargets.map(\.hfName).joined(separator: ",")))\n")
            Console.write("rank      bytes   disk ms  cold disk ms   peer ms  1st peer ms  peer/disk  peer MB/s\n")
            for r in rows {
                Console.write(String(format: "%4d %10d %9.2f %13.2f %9.2f %12.2f %10.2f %10.1f\n", r.rank, r.bytes, r.disk_load_ms, r.cold_disk_load_ms, r.peer_fetch_ms,
                                     r.first_peer_fetch_ms, r.peer_over_disk, r.peer_mb_per_s))
            }
        }
    }

    struct Report: Codable {
        var runs: Int
        var targets: [String]
        var rows: [Row]
    }

    /// Asks the kernel to drop the file's cached pages (fsync first so they are clean).
    static func dropFromPageCache(_ path: String) {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return }
        fsync(fd)
        _ = posix_fadvise(fd, 0, 0, Int32(POSIX_FADV_DONTNEED))
        close(fd)
    }

    static func post(_ url: String, token: String, json: String) async throws -> (Int, String) {
        guard let u = URL(string: url) else { throw CLIError("bad URL \(url)") }
        var request = URLRequest(url: u)
        request.httpMethod = "POST"
        request.timeoutInterval = 300
        request.httpBody = Data(json.utf8)
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
    }

    static func waitHealthy(_ url: String) async throws {
        guard let u = URL(string: url + "/health") else { throw CLIError("bad URL \(url)") }
        for _ in 0..<100 {
            if let (_, r) = try? await URLSession.shared.data(from: u), (r as? HTTPURLResponse)?.statusCode == 200 { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw CLIError("worker at \(url) did not become healthy")
    }
}
