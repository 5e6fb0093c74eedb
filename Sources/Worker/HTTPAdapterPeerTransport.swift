import AsyncHTTPClient
import Engine
import Foundation
import NIOCore

/// `AdapterPeerTransport` over HTTP/1.1: `GET {peer}/v1/adapters/{name}/weights` with the admin
/// token, the body fed to the receiver chunk by chunk as it arrives (never buffered whole).
public struct HTTPAdapterPeerTransport: AdapterPeerTransport {
    let client: HTTPClient
    let timeoutSeconds: Double

    /// A process-lifetime client like `HTTPClient.shared` (never shut down), but failing fast on a
    /// dead peer: the shared client retries refused connections until the request deadline.
    public static let peerClient: HTTPClient = {
        var config = HTTPClient.Configuration()
        config.timeout = .init(connect: .seconds(2), read: .seconds(30))
        config.connectionPool.retryConnectionEstablishment = false
        config.decompression = .disabled
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: config)
    }()

    /// - Parameters:
    ///   - client: defaults to a process-wide client that fails fast when the peer is down.
    ///   - timeoutSeconds: bound on the whole transfer.
    public init(client: HTTPClient = HTTPAdapterPeerTransport.peerClient, timeoutSeconds: Double = 300) {
        self.client = client
        self.timeoutSeconds = timeoutSeconds
    }

    public func fetch(name: String, from peer: String, adminToken: String?, into receiver: inout AdapterReceiver) async throws(PeerFetchError) {
        let escaped = name.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/"))) ?? name
        var request = HTTPClientRequest(url: peer + "/v1/adapters/" + escaped + "/weights")
        request.method = .GET
        if let adminToken { request.headers.add(name: "Authorization", value: "Bearer \(adminToken)") }
        let response: HTTPClientResponse
        do {
            response = try await client.execute(request, timeout: .milliseconds(Int64(timeoutSeconds * 1000)))
        } catch {
            throw Self.classify(error, peer: peer)
        }
        guard response.status.code == 200 else {
            let body = (try? await response.body.collect(upTo: 64 << 10)).map { String(buffer: $0) } ?? ""
            throw .peerStatus(peer: peer, code: Int(response.status.code), message: Self.message(in: body))
        }
        do {
            for try await chunk in response.body {
                let rejected = chunk.withUnsafeReadableBytes { raw -> AdapterStreamError? in
                    do throws(AdapterStreamError) { try receiver.feed(raw); return nil } catch { return error }
                }
                if let rejected { throw PeerFetchError.stream(peer: peer, rejected) }
            }
        } catch let error as PeerFetchError {
            throw error
        } catch {
            throw Self.classify(error, peer: peer)
        }
    }

    static func classify(_ error: any Error, peer: String) -> PeerFetchError {
        if let e = error as? HTTPClientError, e == .deadlineExceeded || e == .readTimeout || e == .connectTimeout { return .timeout(peer: peer) }
        return .unreachable(peer: peer, detail: String(describing: error))
    }

    /// The OpenAI envelope's message when the peer sent one, else the raw text.
    static func message(in body: String) -> String {
        struct Envelope: Decodable { struct Body: Decodable { var message: String }; var error: Body }
        return (try? JSONDecoder().decode(Envelope.self, from: Data(body.utf8)))?.error.message ?? body
    }
}
