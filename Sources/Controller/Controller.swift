import Foundation
import Placement
import ServeCore

/// The control plane: health checks, scrapes, the placement loop (plan → make-before-break
/// actions) and the request proxy, over a `WorkerTransport`. `ControllerServer` puts the HTTP
/// front door on it. Each loop step is also callable on its own (`checkHealth`, `scrapeAll`,
/// `placementStep`) so tests drive time by hand.
public final class Controller: Sendable {
    public let state: ControllerState
    public let transport: any WorkerTransport
    public let config: ControllerConfig
    let started = ContinuousClock.now
    /// Replaces the wall clock (tests replay a workload in virtual time).
    let clock: (@Sendable () -> Double)?

    /// `clock`, when given, is the controller's time source in seconds (rate estimates, the
    /// rebalancer's cooldown, the action log): tests drive a whole cluster in virtual time with it.
    public init(config: ControllerConfig, transport: any WorkerTransport, clock: (@Sendable () -> Double)? = nil) {
        self.config = config
        self.transport = transport
        self.clock = clock
        state = ControllerState(config: config, now: clock?() ?? 0)
    }

    /// Seconds since the controller started (or the injected clock's reading).
    public func now() -> Double {
        if let clock { return clock() }
        let d = ContinuousClock.now - started
        return Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
    }

    // MARK: loops

    /// Checks every worker's `/health` once (concurrently); workers that change state are scraped.
    /// Health-checks every worker, or only `only` (a worker that just registered).
    public func checkHealth(only: String? = nil) async {
        for url in await state.expireRegistered(now: now(), after: config.registrationExpirySeconds) {
            Log.info("forgot self-registered worker \(url) (down, no heartbeat)")
        }
        var urls = await state.workerURLs
        if let only { urls = urls.filter { $0 == only } }
        await withTaskGroup(of: Void.self) { group in
            for url in urls {
                group.addTask {
                    let result = await self.transport.health(url, timeoutSeconds: self.config.healthTimeoutSeconds)
                    if let up = await self.state.recordHealth(url, result, now: self.now()) {
                        Log.info("worker \(url) is \(up ? "up" : "DOWN") (\(result))")
                        if up { await self.scrape(url) }
                    }
                }
            }
        }
    }

    public func scrape(_ url: String) async {
        do {
            let s = try await transport.scrape(url)
            await state.recordScrape(url, s, now: now())
        } catch {
            Log.debug("scrape \(url) failed: \(error)")
        }
    }

    public func scrapeAll() async {
        let urls = await state.upWorkerURLs
        await withTaskGroup(of: Void.self) { group in
            for url in urls { group.addTask { await self.scrape(url) } }
        }
    }

    /// Runs the loops until cancelled.
    public func run() async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.every(self.config.healthIntervalSeconds) { await self.checkHealth() } }
            group.addTask { await self.every(self.config.scrapeIntervalSeconds) { await self.scrapeAll() } }
            group.addTask { await self.every(self.config.placementIntervalSeconds) { _ = await self.placementStep() } }
        }
    }

    func every(_ seconds: Double, _ body: @Sendable () async -> Void) async {
        while !Task.isCancelled {
            await body()
            try? await Task.sleep(for: .milliseconds(Int(seconds * 1000)))
        }
    }
}

/// Minimal logging to stderr (the controller runs as a CLI process).
enum Log {
    nonisolated(unsafe) static var verbose = false
    static func info(_ s: String) { FileHandle.standardError.write(Data("[controller] \(s)\n".utf8)) }
    static func debug(_ s: String) { if verbose { info(s) } }
}
