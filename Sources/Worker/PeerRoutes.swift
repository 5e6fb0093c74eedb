import Engine
import Foundation
import Hummingbird
import OpenAIWire

/// Worker-to-worker adapter transfer: `GET /v1/adapters/{name}/weights` streams a resident
/// adapter from memory (rate-limited); `POST /v1/adapters/fetch` pulls one from a peer, verifies
/// it and registers it. Both need the admin token; the fetching worker presents its own to the peer.
struct PeerRoutes: Sendable {
    let service: any InferenceService
    let access: AccessControl
    let config: WorkerConfig
    let limiter: PeerRateLimiter
    let transport: any AdapterPeerTransport

    /// Pieces the stream is written (and rate-limited) in.
    static let chunkBytes = 64 << 10

    struct FetchRequest: Decodable {
        var lora_name: String
        var peer_url: String
    }

    struct FetchResponse: Encodable {
        var object = "lora_adapter"
        var name: String
        var path: String
        var rank: Int
        var bytes: Int
        var sha256: String
        var transferSeconds: Double
    }

    func weights(_ request: Request, context: some RequestContext) async throws -> Response {
        try access.authorizeAdmin(request)
        let name = context.parameters.get("name") ?? ""
        let export = try await service.exportAdapter(name: name)
        let limiter = self.limiter
        let body = ResponseBody(contentLength: export.totalBytes) { writer in
            try await export.write { bytes in
                var offset = 0
                while offset < bytes.count {
                    let end = min(offset + Self.chunkBytes, bytes.count)
                    try await limiter.pace(end - offset)
                    try await writer.write(ByteBuffer(bytes: bytes[offset..<end]))
                    offset = end
                }
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: [.contentType: "application/vnd.loraserve.adapter"], body: body)
    }

    func fetch(_ request: Request) async throws -> Response {
        try access.authorizeAdmin(request)
        let wire = try JSONBody.decode(FetchRequest.self, from: try await JSONBody.collect(request, limit: config.maxRequestBodyBytes))
        try AdminRoutes.validate(name: wire.lora_name, baseModel: service.baseModelName)
        let peer = try Self.normalise(peerURL: wire.peer_url)
        if await service.adapters().contains(where: { $0.name == wire.lora_name }) {
            throw WorkerErrorMapping.apiError(for: ServiceError.adapterExists(wire.lora_name))
        }
        let clock = ContinuousClock()
        let started = clock.now
        var receiver = service.makeAdapterReceiver(maxPayloadBytes: config.peerMaxAdapterBytes)
        try await transport.fetch(name: wire.lora_name, from: peer, adminToken: config.adminToken, into: &receiver)
        let received: ReceivedAdapter
        do { received = try receiver.finish() } catch { throw PeerFetchError.stream(peer: peer, error) }
        let seconds = (clock.now - started) / .seconds(1)
        let info = try await service.registerAdapter(name: wire.lora_name, received: received, source: "peer:" + peer, loadSeconds: seconds)
        return JSONResponse.make(FetchResponse(name: info.name, path: info.path, rank: info.rank, bytes: info.bytes,
                                               sha256: received.header.sha256, transferSeconds: seconds), snakeCase: true)
    }

    /// `http(s)://host[:port]` with no path, query or credentials; trailing `/` dropped.
    static func normalise(peerURL: String) throws(APIError) -> String {
        let trimmed = peerURL.hasSuffix("/") ? String(peerURL.dropLast()) : peerURL
        guard let url = URL(string: trimmed), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
              let host = url.host, !host.isEmpty, url.user == nil, url.password == nil, url.query == nil, url.fragment == nil,
              url.path.isEmpty else {
            throw .badRequest("`peer_url` must be an http:// or https:// base URL (scheme, host, optional port), got '\(peerURL)'.",
                              param: "peer_url")
        }
        return trimmed
    }
}
