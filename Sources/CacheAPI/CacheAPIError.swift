import OpenAIWire
import SummaryCache

/// Failures of the summary-cache API and its client, each mapped to one OpenAI-style error.
public enum CacheAPIError: Error, Sendable, Equatable, CustomStringConvertible {
    case unauthorized
    case forbidden(own: TenantID, requested: String)
    case badRequest(String, param: String?)
    case tooLarge(limit: Int)
    case notFound(String)
    case methodNotAllowed(path: String, allowed: String)
    case unavailable(String)
    /// The LLM behind `/v1/qa` failed.
    case upstream(String)
    case invalidKeysFile(path: String, reason: String)
    /// The remote cache answered with an error (client side).
    case remote(status: Int, message: String, url: String)
    case `internal`(String)

    public var description: String { apiError.description }

    /// The OpenAI-shaped error body and status.
    public var apiError: APIError {
        switch self {
        case .unauthorized:
            .unauthorized("Missing or unknown API key (send `Authorization: Bearer <key>`).")
        case let .forbidden(own, requested):
            APIError(status: 403, message: "This API key belongs to tenant '\(own)'; it cannot act for tenant '\(requested)'.",
                     param: "tenant", code: "tenant_mismatch")
        case let .badRequest(message, param):
            .badRequest(message, param: param)
        case let .tooLarge(limit):
            APIError(status: 413, message: "The request body is larger than \(limit) bytes.", code: "request_too_large")
        case let .notFound(message):
            APIError(status: 404, message: message, code: "not_found")
        case let .methodNotAllowed(path, allowed):
            APIError(status: 405, message: "\(path) only accepts \(allowed).", code: "method_not_allowed")
        case let .unavailable(message):
            .unavailable(message)
        case let .upstream(message):
            APIError(status: 502, message: "The LLM failed: \(message)", type: "upstream_error")
        case let .invalidKeysFile(path, reason):
            .internalError("invalid API keys file \(path): \(reason)")
        case let .remote(status, message, url):
            APIError(status: status, message: "\(url): \(message)")
        case let .internal(message):
            .internalError(message)
        }
    }
}
