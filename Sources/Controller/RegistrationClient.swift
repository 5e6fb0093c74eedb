import AsyncHTTPClient
import Foundation
import NIOCore

/// The worker side of self-registration: `loraserve worker --controller URL` posts its advertised
/// base URL to the controller's `POST /v1/workers/register` and repeats it as a heartbeat. The
/// controller health-checks a new worker at once (so it is up within one call) and forgets a
/// registered worker that is down and silent for `registrationExpirySeconds`.
public struct RegistrationClient: Sendable {
    /// Controller base URL (`http://127.0.0.1:8080`).
    public let controller: String
    /// The URL the controller should use to reach this worker.
    public let advertise: String
    /// The controller's admin token (the fleet API), when it has one.
    public let token: String?
    public let intervalSeconds: Double

    public init(controller: String, advertise: String, token: String? = nil, intervalSeconds: Double = 5) {
        self.controller = controller.hasSuffix("/") ? String(controller.dropLast()) : controller
        self.advertise = advertise.hasSuffix("/") ? String(advertise.dropLast()) : advertise
        self.token = token
        self.intervalSeconds = max(intervalSeconds, 0.05)
    }

    public enum RegistrationError: Error, Sendable, CustomStringConvertible {
        case unreachable(controller: String, detail: String)
        case rejected(controller: String, status: Int, body: String)
        public var description: String {
            switch self {
            case let .unreachable(c, d): "cannot reach controller \(c): \(d)"
            case let .rejected(c, s, b): "controller \(c) rejected the registration (\(s)): \(b.prefix(300))"
            }
        }
    }

    /// One registration / heartbeat. Returns the controller's status ("registered" the first
    /// time, then "heartbeat").
    public func registerOnce(client: HTTPClient, timeoutSeconds: Double = 3) async throws(RegistrationError) -> String {
        var request = HTTPClientRequest(url: controller + "/v1/workers/register")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        let body = (try? JSONEncoder().encode(RegisterWorkerRequest(url: advertise))).map { Array($0) } ?? []
        request.body = .bytes(ByteBuffer(bytes: body))
        let status: Int, bytes: [UInt8]
        do {
            let response = try await client.execute(request, timeout: .milliseconds(Int64(timeoutSeconds * 1000)))
            status = Int(response.status.code)
            bytes = Array(try await response.body.collect(upTo: 64 << 10).readableBytesView)
        } catch {
            throw .unreachable(controller: controller, detail: String(describing: error))
        }
        let text = String(decoding: bytes, as: UTF8.self)
        guard status == 200 else { throw .rejected(controller: controller, status: status, body: text) }
        let answer = (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any]
        return answer?["status"] as? String ?? "ok"
    }

    /// Registers, then heartbeats every `intervalSeconds` until cancelled. Failures are reported
    /// through `log` and retried at the same interval (the controller may start later than the
    /// worker, or restart); a rejected token is reported once per change of outcome.
    public func run(log: @escaping @Sendable (String) -> Void = { _ in }) async {
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        var lastFailure: String?
        while !Task.isCancelled {
            var failure: String?
            do {
                let status = try await registerOnce(client: client)
                if status == "registered" {
                    log("registered with \(controller) as \(advertise)")
                } else if lastFailure != nil {
                    log("heartbeats to \(controller) resumed")
                }
            } catch {
                failure = error.description
                if failure != lastFailure { log(error.description) }
            }
            lastFailure = failure
            try? await Task.sleep(for: .milliseconds(Int(intervalSeconds * 1000)))
        }
        try? await client.shutdown()
    }
}
