import AsyncHTTPClient
import Controller
import Foundation
import LiveServerSupport
import Testing

/// Worker self-registration against a real controller front door on loopback.
@Suite(.serialized) struct SelfRegistrationTests {
    /// Serves `controller` (`Controller.serve`: front door and control loops) on an ephemeral
    /// loopback port; stop it with `stop()` or `serving(_:)` (graceful shutdown, see `LiveServer`).
    static func serve(_ controller: Controller) async throws -> LiveServer {
        try await LiveServer.start(serving: { onReady in try await controller.serve(onReady: onReady) })
    }

    static func fakeWorker() -> VirtualWorker {
        VirtualWorker(name: "fake", clock: VirtualClock(), ranks: [:], costModel: ControllerConfig().costModel, capacity: 400)
    }

    @Test func registrationMarksTheWorkerUpAndHeartbeatsRefreshIt() async throws {
        let fake = Self.fakeWorker()
        var config = ControllerConfig()
        config.port = 0
        config.adminToken = "secret"
        config.healthTimeoutSeconds = 10
        config.baseModel = "base"
        let controller = Controller(config: config, transport: HTTPWorkerTransport())
        try await VirtualWorker.serving([fake]) {
            try await Self.serve(controller).serving { port in
                // The shared client needs no shutdown, so a failed expectation that leaves the test early
                // cannot trip AsyncHTTPClient's "not shut down before deinit" trap.
                let client = HTTPClient.shared
                let registration = RegistrationClient(controller: "http://127.0.0.1:\(port)/", advertise: fake.url + "/", token: "secret")
                #expect(registration.controller == "http://127.0.0.1:\(port)" && registration.advertise == fake.url)

                #expect(try await registration.registerOnce(client: client, timeoutSeconds: 30) == "registered")
                // The controller health-checks a new worker at once; on a loaded machine that first probe
                // can time out, and the periodic health loop marks it up a moment later.
                var up: [String] = []
                for _ in 0..<400 {
                    up = await controller.state.upWorkerURLs
                    if up == [fake.url] { break }
                    try await Task.sleep(for: .milliseconds(25))
                }
                #expect(up == [fake.url])
                #expect(await controller.state.workers[fake.url]?.origin == .registered)
                let first = try #require(await controller.state.workers[fake.url]?.lastHeartbeat)
                #expect(try await registration.registerOnce(client: client, timeoutSeconds: 30) == "heartbeat")
                let second = try #require(await controller.state.workers[fake.url]?.lastHeartbeat)
                #expect(second >= first)
                #expect(await controller.state.workerURLs == [fake.url], "a heartbeat does not add a second record")

                // The fleet API's token guards registration.
                let intruder = RegistrationClient(controller: "http://127.0.0.1:\(port)", advertise: "http://127.0.0.1:9", token: "wrong")
                await #expect(throws: RegistrationClient.RegistrationError.self) { _ = try await intruder.registerOnce(client: client) }
                #expect(await controller.state.workerURLs == [fake.url])
            }
        }
    }

    @Test func heartbeatLoopRegistersTheWorker() async throws {
        let fake = Self.fakeWorker()
        var config = ControllerConfig()
        config.port = 0
        config.baseModel = "base"
        let controller = Controller(config: config, transport: HTTPWorkerTransport())
        try await VirtualWorker.serving([fake]) {
            try await Self.serve(controller).serving { port in
                let logs = LogBox()
                let loop = Task {
                    await RegistrationClient(controller: "http://127.0.0.1:\(port)", advertise: fake.url, intervalSeconds: 0.05)
                        .run { logs.append($0) }
                }
                defer { loop.cancel() }
                // The controller marks the worker up before the client has read the answer and logged it.
                var up = false, logged = false
                for _ in 0..<200 where !(up && logged) {
                    up = await controller.state.upWorkerURLs.contains(fake.url)
                    logged = logs.lines.contains { $0.hasPrefix("registered with") }
                    if !(up && logged) { try await Task.sleep(for: .milliseconds(25)) }
                }
                #expect(up)
                #expect(logged)
                // No heartbeat is in flight while the front door shuts down.
                loop.cancel()
                await loop.value
            }
        }
    }

    @Test func aFailingControllerIsReportedNotThrown() async throws {
        // Nothing listens on port 9 (discard) on loopback: the error names the controller.
        // The shared client needs no shutdown, so a failed expectation that leaves the test early
        // cannot trip AsyncHTTPClient's "not shut down before deinit" trap.
        let client = HTTPClient.shared
        let registration = RegistrationClient(controller: "http://127.0.0.1:9", advertise: "http://127.0.0.1:8001")
        do {
            _ = try await registration.registerOnce(client: client, timeoutSeconds: 1)
            Issue.record("registration to a closed port succeeded")
        } catch {
            #expect(error.description.contains("127.0.0.1:9"))
        }
    }
}

final class LogBox: @unchecked Sendable {
    private var stored: [String] = []
    private let lock = NSLock()
    func append(_ s: String) { lock.withLock { stored.append(s) } }
    var lines: [String] { lock.withLock { stored } }
}
