import AsyncHTTPClient
import Foundation
import NIOCore
import OpenAIWire
import QAPipeline
import SummaryCache

/// Another LoRAServe's summary cache over HTTP (`/v1/summary-cache/lookup|store|invalidate`), so a
/// `TieredSummaryCache` can put a local cache in front of it (edge/cloud tiering).
///
/// The bodies are QAPipeline's wire types as JSON (`RemoteLookupRequest`, `RemoteStoreRequest`,
/// `SummaryLookup`), the same encoding `TieredSummaryCache` counts as bytes (not) transferred;
/// this client also counts the body bytes it really sent and received.
///
/// Keys: the remote maps each API key to one tenant. An edge serving one tenant uses that
/// tenant's key; an edge serving several uses a remote admin key (which may act for any tenant)
/// or one key per tenant (`apiKey` closure).
public actor HTTPRemoteSummaryCache: RemoteSummaryCache {
    public nonisolated let baseURL: String
    public nonisolated let timeout: TimeAmount
    private nonisolated let apiKey: @Sendable (TenantID) -> String?
    private nonisolated let client: HTTPClient
    public nonisolated let maxReplyBytes: Int
    public private(set) var bytesSent = 0
    public private(set) var bytesReceived = 0
    public private(set) var requests = 0

    /// - Parameters:
    ///   - baseURL: the remote's root, e.g. `http://cloud:8080` (a trailing `/` is dropped).
    ///   - apiKey: the key to send for each tenant (nil: no `Authorization` header).
    public init(baseURL: String, client: HTTPClient = .shared, timeout: TimeAmount = .seconds(10), maxReplyBytes: Int = 4 << 20,
                apiKey: @escaping @Sendable (TenantID) -> String?) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.client = client
        self.timeout = timeout
        self.maxReplyBytes = maxReplyBytes
        self.apiKey = apiKey
    }

    /// One key for every tenant.
    public init(baseURL: String, apiKey: String?, client: HTTPClient = .shared, timeout: TimeAmount = .seconds(10)) {
        self.init(baseURL: baseURL, client: client, timeout: timeout, apiKey: { _ in apiKey })
    }

    public func lookup(_ request: RemoteLookupRequest) async throws -> SummaryLookup {
        let data = try await post("/v1/summary-cache/lookup", request, tenant: request.tenant)
        var reply: SummaryLookup
        do { reply = try JSONDecoder().decode(SummaryLookup.self, from: data) } catch {
            throw CacheAPIError.remote(status: 200, message: "malformed lookup reply: \(error)", url: baseURL)
        }
        if reply.hit != nil { reply.hit?.tier = .remote }
        return reply
    }

    public func store(_ request: RemoteStoreRequest) async throws {
        _ = try await post("/v1/summary-cache/store", request, tenant: request.tenant)
    }

    public func invalidate(tenant: TenantID, documentID: DocumentID) async throws {
        _ = try await post("/v1/summary-cache/invalidate", InvalidateRequest(tenant: tenant, documentID: documentID), tenant: tenant)
    }

    /// POSTs `body` as JSON; returns the reply body of a 2xx, throws `CacheAPIError.remote` otherwise.
    private func post(_ path: String, _ body: some Encodable, tenant: TenantID) async throws -> Data {
        let url = baseURL + path
        let payload = try JSONEncoder().encode(body)
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        if let key = apiKey(tenant) { request.headers.add(name: "Authorization", value: "Bearer \(key)") }
        request.body = .bytes(ByteBuffer(bytes: payload))
        requests += 1
        bytesSent += payload.count
        let response: HTTPClientResponse
        do { response = try await client.execute(request, timeout: timeout) } catch {
            throw CacheAPIError.remote(status: 0, message: "\(error)", url: url)
        }
        let buffer: ByteBuffer
        do { buffer = try await response.body.collect(upTo: maxReplyBytes) } catch {
            throw CacheAPIError.remote(status: Int(response.status.code), message: "reply larger than \(maxReplyBytes) bytes or cut: \(error)",
                                       url: url)
        }
        bytesReceived += buffer.readableBytes
        let data = Data(buffer.readableBytesView)
        guard (200..<300).contains(response.status.code) else {
            let message = (try? JSONDecoder().decode(APIError.self, from: data))?.error.message ?? String(decoding: data.prefix(300), as: UTF8.self)
            throw CacheAPIError.remote(status: Int(response.status.code), message: message, url: url)
        }
        return data
    }
}
