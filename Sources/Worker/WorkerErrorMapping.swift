import Engine
import Hummingbird
import OpenAIWire

/// The one place where failures become OpenAI-shaped HTTP answers. Handlers throw `APIError`,
/// `ServiceError` or whatever a library throws; `OpenAIErrorMiddleware` sends the result of
/// `apiError(for:)`. Status codes come from `ServiceError.httpStatus` and nowhere else.
package enum WorkerErrorMapping {
    package static func apiError(for error: any Error) -> APIError {
        switch error {
        case let error as APIError:
            return error
        case let error as ServiceError:
            return apiError(for: error)
        case let error as PeerFetchError:
            let param: String? = if case .invalidPeerURL = error { "peer_url" } else { nil }
            return APIError(status: error.httpStatus, message: error.description, param: param,
                            code: error.httpStatus == 404 ? "model_not_found" : "peer_fetch_failed")
        case let error as DecodingError:
            let (message, param) = describe(error)
            return .badRequest(message, param: param)
        case let error as any HTTPResponseError:
            return apiError(forStatus: error.status)
        case is CancellationError:
            return .unavailable("the request was cancelled")
        default:
            return .internalError("\(error)")
        }
    }

    package static func apiError(for error: ServiceError) -> APIError {
        let status = error.httpStatus
        switch error {
        case .unknownAdapter:
            return APIError(status: status, message: error.description, param: "model", code: "model_not_found")
        case let .queueFull(seconds):
            return APIError(status: status, message: error.description, retryAfterSeconds: max(0, seconds))
        case .shuttingDown:
            return APIError(status: status, message: error.description, retryAfterSeconds: 1)
        case .contextOverflow:
            return APIError(status: status, message: error.description, param: "max_tokens")
        case .adapterExists, .adapterInvalid, .invalidRequest, .internalError:
            return APIError(status: status, message: error.description)
        }
    }

    /// Errors Hummingbird raises itself (unknown route, body too large, ...).
    static func apiError(forStatus status: HTTPResponse.Status) -> APIError {
        switch status.code {
        case 404: APIError(status: 404, message: "Not found")
        case 405: APIError(status: 405, message: "Method not allowed")
        case 413: APIError(status: 413, message: "Request body too large")
        default: APIError(status: status.code, message: status.reasonPhrase)
        }
    }

    /// A decoding failure as a message naming the offending field (`messages[0].content`).
    static func describe(_ error: DecodingError) -> (message: String, param: String?) {
        switch error {
        case let .typeMismatch(type, context):
            let path = render(context.codingPath)
            return ("Invalid type for `\(path)`: expected \(typeName(type)). \(context.debugDescription)", path)
        case let .valueNotFound(type, context):
            let path = render(context.codingPath)
            return ("Missing value for `\(path)`: expected \(typeName(type)).", path)
        case let .keyNotFound(key, context):
            let path = render(context.codingPath + [key])
            return ("Missing required field `\(path)`.", path)
        case let .dataCorrupted(context):
            if context.codingPath.isEmpty {
                let detail = context.underlyingError.map { " (\($0))" } ?? ""
                return ("The request body is not valid JSON: \(context.debugDescription)\(detail)", nil)
            }
            let path = render(context.codingPath)
            return ("Invalid value for `\(path)`: \(context.debugDescription)", path)
        @unknown default:
            return ("Invalid request body: \(error)", nil)
        }
    }

    static func render(_ path: [any CodingKey]) -> String {
        var out = ""
        for key in path {
            if let index = key.intValue, key.stringValue.hasPrefix("Index") || key.stringValue == "\(index)" {
                out += "[\(index)]"
            } else {
                out += out.isEmpty ? key.stringValue : "." + key.stringValue
            }
        }
        return out.isEmpty ? "body" : out
    }

    private static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Bool.Type: "a boolean"
        case is Int.Type, is Int32.Type, is Int64.Type, is UInt64.Type: "an integer"
        case is Float.Type, is Double.Type: "a number"
        default: "\(type)"
        }
    }
}

/// Turns every error escaping a route (and the router's own 404/405/413) into the OpenAI error
/// envelope with its status and `Retry-After` header.
struct OpenAIErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            var apiError = WorkerErrorMapping.apiError(for: error)
            if apiError.httpStatus == 404, !(error is APIError), !(error is ServiceError) {
                apiError = APIError(status: 404, message: "Not found: \(request.method) \(request.uri.path)")
            }
            if apiError.httpStatus >= 500 {
                context.logger.error("request failed", metadata: ["error": "\(error)", "path": "\(request.uri.path)"])
            } else {
                context.logger.debug("request rejected", metadata: ["status": "\(apiError.httpStatus)", "error": "\(apiError.error.message)"])
            }
            return JSONResponse.error(apiError)
        }
    }
}
