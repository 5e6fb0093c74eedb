import Foundation
import Hummingbird
import OpenAIWire

/// JSON and text bodies for responses, and JSON request bodies with errors that name the field.
enum JSONResponse {
    static func encoder(snakeCase: Bool = false) -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes, .sortedKeys]
        if snakeCase { encoder.keyEncodingStrategy = .convertToSnakeCase }
        return encoder
    }

    /// Encodes `value`; an encoding failure (never expected: our types hold finite numbers) is a 500.
    static func make(_ value: some Encodable, status: HTTPResponse.Status = .ok, snakeCase: Bool = false,
                     headers: HTTPFields = [:]) -> Response {
        do {
            let data = try encoder(snakeCase: snakeCase).encode(value)
            var fields = headers
            fields[.contentType] = "application/json"
            return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: data)))
        } catch {
            return Self.error(.internalError("could not encode the response: \(error)"))
        }
    }

    static func error(_ error: APIError) -> Response {
        var headers: HTTPFields = [:]
        if let seconds = error.retryAfterSeconds { headers[.retryAfter] = String(seconds) }
        if error.httpStatus == 401 { headers[.wwwAuthenticate] = "Bearer" }
        let data = (try? encoder().encode(error)) ?? Data(#"{"error":{"message":"internal error","type":"server_error","param":null,"code":null}}"#.utf8)
        headers[.contentType] = "application/json"
        return Response(status: .init(code: error.httpStatus), headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func text(_ text: String, status: HTTPResponse.Status = .ok, contentType: String = "text/plain; charset=utf-8") -> Response {
        Response(status: status, headers: [.contentType: contentType], body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// One JSON value as compact text (SSE payloads).
    static func line(_ value: some Encodable) throws -> String {
        String(decoding: try encoder().encode(value), as: UTF8.self)
    }
}

/// Reads and decodes JSON request bodies.
enum JSONBody {
    /// Collects at most `limit` bytes (413 beyond) without touching the request's body backing, so
    /// the connection can still be watched for the client going away.
    static func collect(_ request: Request, limit: Int) async throws(APIError) -> ByteBuffer {
        do {
            return try await request.body.collect(upTo: limit)
        } catch let error as any HTTPResponseError where error.status == .contentTooLarge {
            throw APIError(status: 413, message: "Request body too large: the limit is \(limit) bytes.")
        } catch {
            throw APIError(status: 400, message: "Could not read the request body: \(error)")
        }
    }

    static func decode<T: Decodable>(_ type: T.Type, from buffer: ByteBuffer) throws(APIError) -> T {
        guard buffer.readableBytes > 0 else { throw .badRequest("The request body is empty; expected a JSON object.") }
        do {
            return try JSONDecoder().decode(T.self, from: Data(buffer.readableBytesView))
        } catch let error as DecodingError {
            let (message, param) = WorkerErrorMapping.describe(error)
            throw .badRequest(message, param: param)
        } catch {
            throw .badRequest("The request body is not valid JSON: \(error)")
        }
    }
}
