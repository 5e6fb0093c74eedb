/// An error as every OpenAI client expects it: `{"error": {"message", "type", "param", "code"}}`
/// plus the HTTP status it travels with. The HTTP layers map every failure through this once.
public struct APIError: Error, Sendable, Equatable, Codable, CustomStringConvertible {
    public struct Body: Sendable, Equatable, Codable {
        public var message: String
        public var type: String
        public var param: String?
        public var code: String?

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(message, forKey: .message)
            try c.encode(type, forKey: .type)
            try c.encode(param, forKey: .param)
            try c.encode(code, forKey: .code)
        }
    }

    public var error: Body
    /// The HTTP status it travels with (not part of the JSON body; derived from `type` when decoded).
    public var httpStatus: Int
    /// Seconds for a `Retry-After` header (429/503); not part of the JSON body.
    public var retryAfterSeconds: Int?

    private enum CodingKeys: String, CodingKey { case error }

    public init(status: Int, message: String, type: String? = nil, param: String? = nil, code: String? = nil, retryAfterSeconds: Int? = nil) {
        error = Body(message: message, type: type ?? Self.typeFor(status), param: param, code: code ?? Self.codeFor(status))
        httpStatus = status
        self.retryAfterSeconds = retryAfterSeconds
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        error = try c.decode(Body.self, forKey: .error)
        httpStatus = Self.statusFor(error.type)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(error, forKey: .error)
    }

    public var description: String { "\(httpStatus) \(error.type): \(error.message)" }

    public static func badRequest(_ message: String, param: String? = nil) -> APIError {
        APIError(status: 400, message: message, param: param)
    }
    public static func notFound(_ message: String, param: String? = nil) -> APIError {
        APIError(status: 404, message: message, param: param, code: "model_not_found")
    }
    public static func unauthorized(_ message: String = "missing or invalid API token") -> APIError {
        APIError(status: 401, message: message)
    }
    public static func rateLimited(_ message: String, retryAfterSeconds: Int) -> APIError {
        APIError(status: 429, message: message, retryAfterSeconds: retryAfterSeconds)
    }
    public static func unavailable(_ message: String, retryAfterSeconds: Int? = nil) -> APIError {
        APIError(status: 503, message: message, retryAfterSeconds: retryAfterSeconds)
    }
    public static func internalError(_ message: String) -> APIError { APIError(status: 500, message: message) }

    static func typeFor(_ status: Int) -> String {
        switch status {
        case 401: "authentication_error"
        case 403: "permission_error"
        case 404: "not_found_error"
        case 429: "rate_limit_error"
        case 400..<500: "invalid_request_error"
        case 503: "service_unavailable_error"
        default: "server_error"
        }
    }

    static func codeFor(_ status: Int) -> String? {
        switch status {
        case 401: "invalid_api_key"
        case 429: "rate_limit_exceeded"
        default: nil
        }
    }

    static func statusFor(_ type: String) -> Int {
        switch type {
        case "authentication_error": 401
        case "permission_error": 403
        case "not_found_error": 404
        case "rate_limit_error": 429
        case "invalid_request_error": 400
        case "service_unavailable_error": 503
        default: 500
        }
    }
}
