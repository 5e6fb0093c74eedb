import ArgumentParser
import CacheAPI
import Foundation
import QAPipeline
import SummaryCache

/// Options of the summary-cache HTTP API (`/v1/summary-cache/*`, `/v1/qa`), shared by
/// `loraserve controller` (which mounts the API when a store is given) and `loraserve cache serve`.
struct CacheAPIOptions: ParsableArguments {
    @Option(name: .customLong("cache-db"), help: "SQLite file of the summary cache (\":memory:\" keeps it in memory). Enables the cache API on the controller.")
    var cacheDB: String?

    @Option(name: .customLong("cache-postgres"), help: "PostgreSQL URL (postgres://user:pw@host:5432/db) for a cache shared by several controllers.")
    var cachePostgres: String?

    @Option(name: .customLong("cache-refresh-interval"), help: "With --cache-postgres: seconds between polls for summaries other controllers stored (0: only at startup).")
    var cacheRefreshInterval = SharedCacheRefresher.defaultInterval

    @Option(name: .customLong("api-keys"), help: "JSON file {\"keys\": {KEY: TENANT}, \"admin_keys\": [KEY]}; without it every caller is tenant 'default'.")
    var apiKeys: String?

    @Option(name: .customLong("qa-llm"), help: "OpenAI-compatible server for /v1/qa (default on a controller: the controller itself).")
    var qaLLM: String?

    @Option(name: .customLong("qa-model"), help: "Model name for /v1/qa (default: the server's base model from /v1/models).")
    var qaModel: String?

    @Option(name: .customLong("qa-llm-key"), help: "Bearer key for the /v1/qa LLM.")
    var qaLLMKey: String?

    @Option(name: .customLong("cache-threshold"), help: "Similarity threshold of a hit (default 0.80, or 0.50 as a candidate floor when the reuse verifier is on; calibrate with `loraserve cache calibrate`).")
    var cacheThreshold: Float?

    @Option(name: .customLong("cache-upstream"), help: "Another LoRAServe's cache API (http://HOST:PORT) to sit in front of (edge/cloud tiering).")
    var cacheUpstream: String?

    @Option(name: .customLong("cache-upstream-key"), help: "API key for --cache-upstream (an admin key there serves every tenant).")
    var cacheUpstreamKey: String?

    @Option(name: .customLong("reuse-verifier"), help: "Learned last check of a hit: 'bundled' (the verifier shipped with LoRAServe: MPNet and MiniLM classifiers, logits averaged ½ ¼ ¼), verifier files joined by commas (a file listed n times weighs n), or 'off'. With a verifier the similarity threshold defaults to \(ReuseVerifier.defaultSimilarityFloor) (a candidate floor).")
    var reuseVerifier = "bundled"

    @Option(name: .customLong("reuse-verifier-threshold"), help: "Minimum P(same question) the verifier must give a hit (the default is chosen for the bundled verifier; the MiniLM-only pair of earlier releases was served at 0.94).")
    var reuseVerifierThreshold = ReuseVerifier.defaultThreshold

    @OptionGroup var embedderOptions: EmbedderOptions

    func validate() throws {
        if cacheDB != nil && cachePostgres != nil { throw ValidationError("pass --cache-db or --cache-postgres, not both") }
        if let t = cacheThreshold, !(t > 0 && t <= 1) { throw ValidationError("--cache-threshold must be in (0, 1]") }
        let longest = SharedCacheRefresher.maximumInterval
        if !(cacheRefreshInterval >= 0 && cacheRefreshInterval <= longest) {
            throw ValidationError("--cache-refresh-interval must be in [0, \(Int(longest))] seconds")
        }
        if !(0...1).contains(reuseVerifierThreshold) { throw ValidationError("--reuse-verifier-threshold must be in [0, 1]") }
        for (name, url) in [("--qa-llm", qaLLM), ("--cache-upstream", cacheUpstream)] {
            if let url, !(url.hasPrefix("http://") || url.hasPrefix("https://")) {
                throw ValidationError("\(name) must start with http:// or https://")
            }
        }
    }

    /// Where the cache lives; nil when no store was given (the controller then mounts no API).
    var location: LocalCacheLocation? {
        if let cachePostgres { return .postgres(url: cachePostgres) }
        if let cacheDB { return cacheDB == ":memory:" ? .memory : .sqlite(path: cacheDB) }
        return nil
    }

    /// The URL a process reaches its own server at (a wildcard bind address means loopback).
    static func frontDoor(host: String, port: Int) -> String {
        let reachable = ["0.0.0.0", "::", "", "*"].contains(host) ? "127.0.0.1" : host
        return "http://\(reachable.contains(":") ? "[\(reachable)]" : reachable):\(port)"
    }

    /// Runs `body` with the API's route installer (nil when the cache API is off); the store (and
    /// a PostgreSQL pool) lives as long as `body`. `frontDoor` is the controller's own URL, the
    /// default LLM of `/v1/qa`.
    func withRoutes(frontDoor: String?, _ body: @escaping @Sendable (CacheRouteInstaller?) async throws -> Void) async throws {
        guard let location else {
            try await body(nil)
            return
        }
        try await withService(location: location, defaultLLM: frontDoor) { service in
            try await body(CacheAPIServer.routes(service))
        }
    }

    /// The `--reuse-verifier` choice, loaded (nil when off).
    func loadVerifier() throws -> ReuseVerifier? {
        guard reuseVerifier != "off" else { return nil }
        do {
            var v = try embedderOptions.loadVerifier(reuseVerifier)
            v.threshold = reuseVerifierThreshold
            Console.progress("cache API: reuse verifier \(reuseVerifier) (threshold \(reuseVerifierThreshold))")
            return v
        } catch {
            // The default must not stop a cache that can still serve vector queries without MiniLM.
            guard reuseVerifier != "bundled" else {
                Console.progress("cache API: reuse verifier unavailable (\(error)); hits are checked by the guards only (run `loraserve models fetch` for its base encoders)")
                return nil
            }
            throw error
        }
    }

    /// Builds the service over `location` and runs `body` with it.
    func withService(location: LocalCacheLocation, defaultLLM: String?,
                     _ body: @escaping @Sendable (SummaryCacheService) async throws -> Void) async throws {
        let keys: APIKeys
        if let apiKeys {
            do { keys = try APIKeys.load(path: apiKeys) } catch { throw CLIError(error.description) }
        } else {
            keys = .open
            Console.progress("cache API: no --api-keys, every caller is tenant 'default' (do not expose this port)")
        }
        var config = CacheConfig()
        let verifier = try loadVerifier()
        config.similarityThreshold = cacheThreshold ?? (verifier == nil ? config.similarityThreshold : ReuseVerifier.defaultSimilarityFloor)
        var embedder: (any Embedder)?
        do { embedder = try embedderOptions.load() } catch {
            Console.progress("cache API: \(error); text queries and /v1/qa are unavailable (vector queries still work)")
        }
        var llm: (any LLMClient)?
        if let url = (qaLLM ?? defaultLLM).flatMap({ URL(string: $0) }) {
            llm = FrontDoorLLMClient(baseURL: url, model: qaModel, apiKey: qaLLMKey)
        }
        let remote = cacheUpstream.map { HTTPRemoteSummaryCache(baseURL: $0, apiKey: cacheUpstreamKey) }
        let chosen = embedder, chosenLLM = llm
        Console.progress("cache API: store \(location)\(cacheUpstream.map { ", in front of \($0)" } ?? "")")
        do {
            try await location.withLocalCache(config: config, now: Date().timeIntervalSince1970, verifier: verifier,
                                              refreshInterval: cacheRefreshInterval) { local in
                let service = SummaryCacheService(keys: keys, local: local, remote: remote, embedder: chosen, llm: chosenLLM)
                try await body(service)
            }
        } catch let error as CLIError {
            throw error
        } catch {
            throw CLIError("summary cache (\(location)): \(error)")
        }
    }
}
