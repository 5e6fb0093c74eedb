import Foundation
import Hummingbird
import NIOCore
import OpenAIWire
import QAPipeline
import SummaryCache

/// The summary-cache HTTP API, added to any Hummingbird router (the controller's front door or
/// the standalone `loraserve cache serve`). See docs/summary-cache-api.md.
///
/// Every handler authenticates first (401), then reads the body under a size limit (413), decodes
/// it (400), checks the tenant (403), and maps every failure to an OpenAI-style error body; no
/// input reaches a 500 unless the store itself fails.
public enum CacheAPIRoutes {
    public static func add<Context: RequestContext>(to router: Router<Context>, service: SummaryCacheService) {
        let limits = service.limits
        router.post("/v1/summary-cache/lookup") { request, _ in
            await handle(request, service, limit: limits.maxCacheBodyBytes) { (body: LookupBody, caller) in
                try await service.lookup(body, caller: caller)
            }
        }
        router.post("/v1/summary-cache/store") { request, _ in
            await handle(request, service, limit: limits.maxCacheBodyBytes) { (body: StoreBody, caller) in
                try await service.store(body, caller: caller)
            }
        }
        router.post("/v1/summary-cache/invalidate") { request, _ in
            await handle(request, service, limit: limits.maxCacheBodyBytes) { (body: InvalidateBody, caller) in
                try await service.invalidate(body, caller: caller)
            }
        }
        router.get("/v1/summary-cache/stats") { request, _ in
            do {
                let caller = try authenticate(request, service)
                return json(try await service.stats(caller: caller, tenant: request.uri.queryParameters.get("tenant")))
            } catch { return errorResponse(error) }
        }
        router.post("/v1/qa") { request, _ in
            await handle(request, service, limit: limits.maxQABodyBytes) { (body: QABody, caller) in
                try await service.answer(body, caller: caller)
            }
        }
        router.post("/v1/qa/corpus") { request, _ in
            await handle(request, service, limit: limits.maxCorpusBodyBytes) { (body: CorpusBody, caller) in
                try await service.loadCorpus(body, caller: caller)
            }
        }
        // A known path with the wrong method is 405, unknown paths under the API's prefixes 404,
        // both OpenAI-shaped instead of Hummingbird's empty replies.
        let served: [(String, HTTPRequest.Method)] = [
            ("/v1/summary-cache/lookup", .post), ("/v1/summary-cache/store", .post), ("/v1/summary-cache/invalidate", .post),
            ("/v1/summary-cache/stats", .get), ("/v1/qa", .post), ("/v1/qa/corpus", .post),
        ]
        for (path, allowed) in served {
            for method in [HTTPRequest.Method.get, .post, .put, .delete, .patch] where method != allowed {
                router.on(RouterPath(path), method: method) { _, _ in
                    errorResponse(CacheAPIError.methodNotAllowed(path: path, allowed: allowed.rawValue))
                }
            }
        }
        for prefix in ["/v1/summary-cache/**", "/v1/qa/**"] {
            for method in [HTTPRequest.Method.get, .post, .put, .delete, .patch] {
                router.on(RouterPath(prefix), method: method) { request, _ in
                    errorResponse(CacheAPIError.notFound("No route \(request.method) \(request.uri.path)."))
                }
            }
        }
    }

    /// Authenticate, read, decode, run, encode: the shape of every POST endpoint.
    static func handle<Body: Decodable, Reply: Encodable>(
        _ request: Request, _ service: SummaryCacheService, limit: Int,
        _ run: (Body, CacheCaller) async throws -> Reply
    ) async -> Response {
        do {
            let caller = try authenticate(request, service)
            let bytes = try await collect(request, limit: limit)
            let body: Body = try decode(bytes)
            return json(try await run(body, caller))
        } catch {
            return errorResponse(error)
        }
    }

    static func authenticate(_ request: Request, _ service: SummaryCacheService) throws(CacheAPIError) -> CacheCaller {
        guard let caller = service.keys.caller(authorization: request.headers[.authorization],
                                               apiKeyHeader: request.headers.first { $0.name.canonicalName == "x-api-key" }?.value) else {
            throw .unauthorized
        }
        return caller
    }

    static func collect(_ request: Request, limit: Int) async throws(CacheAPIError) -> [UInt8] {
        do {
            let buffer = try await request.body.collect(upTo: limit)
            return Array(buffer.readableBytesView)
        } catch {
            throw .tooLarge(limit: limit)
        }
    }

    static func decode<T: Decodable>(_ bytes: [UInt8]) throws(CacheAPIError) -> T {
        guard !bytes.isEmpty else { throw .badRequest("The request body is empty; expected a JSON object.", param: nil) }
        do { return try JSONDecoder().decode(T.self, from: Data(bytes)) } catch let DecodingError.keyNotFound(key, ctx) {
            let field = (ctx.codingPath.map(\.stringValue) + [key.stringValue]).joined(separator: ".")
            throw .badRequest("Missing required parameter: '\(field)'.", param: field)
        } catch let DecodingError.typeMismatch(_, ctx) {
            let field = ctx.codingPath.map(\.stringValue).joined(separator: ".")
            throw .badRequest("Wrong type for '\(field)'.", param: field)
        } catch let DecodingError.valueNotFound(_, ctx) {
            let field = ctx.codingPath.map(\.stringValue).joined(separator: ".")
            throw .badRequest("'\(field)' is null.", param: field)
        } catch {
            throw .badRequest("The request body is not valid JSON.", param: nil)
        }
    }

    static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.outputFormatting = [.withoutEscapingSlashes, .sortedKeys]
        return e
    }()

    static func json(_ value: some Encodable) -> Response {
        guard let data = try? encoder.encode(value) else { return errorResponse(CacheAPIError.internal("could not encode the reply")) }
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func errorResponse(_ error: any Error) -> Response {
        let e = CacheAPIError.from(error).apiError
        var headers: HTTPFields = [.contentType: "application/json"]
        if let s = e.retryAfterSeconds { headers[.retryAfter] = String(s) }
        if e.httpStatus == 401 { headers[.wwwAuthenticate] = "Bearer" }
        let data = (try? encoder.encode(e)) ?? Data(#"{"error":{"message":"internal error","type":"server_error","param":null,"code":null}}"#.utf8)
        return Response(status: .init(code: e.httpStatus), headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

extension CacheAPIError {
    /// Maps any failure behind the API to its HTTP error: the cache policy's and the pipeline's
    /// input errors are 400, LLM failures 502, the rest 500.
    static func from(_ error: any Error) -> CacheAPIError {
        if let e = error as? CacheAPIError { return e }
        if let e = error as? CacheError {
            switch e {
            case .dimensionMismatch, .invalidVector: return .badRequest(e.description, param: "vector")
            default: return .internal(e.description)
            }
        }
        if let e = error as? QAPipelineError {
            switch e {
            case .noDocuments, .invalidArgument: return .badRequest(e.description, param: nil)
            case .llm, .http, .malformedResponse: return .upstream(e.description)
            default: return .internal(e.description)
            }
        }
        if error is CancellationError { return .unavailable("The request was cancelled.") }
        return .internal(String(describing: error))
    }
}
