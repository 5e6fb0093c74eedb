import ArgumentParser
import CacheAPI
import Foundation

/// `loraserve cache serve`: the summary-cache HTTP API and `/v1/qa` without a controller.
struct CacheServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the summary-cache HTTP API (/v1/summary-cache/*, /v1/qa) standalone.",
        discussion: "See docs/summary-cache-api.md. The store defaults to ./summary-cache.sqlite."
    )

    @Option(help: "Port to listen on.")
    var port = 8090

    @Option(help: "Address to bind.")
    var host = "127.0.0.1"

    @OptionGroup var cacheAPI: CacheAPIOptions

    func validate() throws {
        guard (1...65535).contains(port) else { throw ValidationError("--port must be in 1...65535") }
    }

    func run() async throws {
        let location = cacheAPI.location ?? .sqlite(path: "summary-cache.sqlite")
        let host = self.host, port = self.port, options = cacheAPI
        try await SignalScope.run {
            try await options.withService(location: location, defaultLLM: nil) { service in
                try await CacheAPIServer.run(service: service, host: host, port: port) { bound in
                    Console.progress("LoRAServe summary cache listening at http://\(host):\(bound)")
                }
            }
        }
    }
}
