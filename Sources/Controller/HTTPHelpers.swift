import Foundation
import Hummingbird
import OpenAIWire

/// JSON/text responses and OpenAI-shaped errors for the front door.
enum Reply {
    static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.outputFormatting = [.withoutEscapingSlashes, .sortedKeys]
        return e
    }()

    static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) -> Response {
        guard let data = try? encoder.encode(value) else { return error(.internalError("could not encode the response")) }
        return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func error(_ e: APIError) -> Response {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let s = e.retryAfterSeconds { headers[.retryAfter] = String(s) }
        if e.httpStatus == 401 { headers[.wwwAuthenticate] = "Bearer" }
        let data = (try? encoder.encode(e)) ?? Data(#"{"error":{"message":"internal error","type":"server_error","param":null,"code":null}}"#.utf8)
        return Response(status: .init(code: e.httpStatus), headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func text(_ s: String, status: HTTPResponse.Status = .ok, contentType: String = "text/plain; charset=utf-8") -> Response {
        Response(status: status, headers: [.contentType: contentType], body: .init(byteBuffer: ByteBuffer(string: s)))
    }

    static func bytes(_ b: [UInt8], status: Int, contentType: String?) -> Response {
        Response(status: .init(code: status), headers: [.contentType: contentType ?? "application/json"],
                 body: .init(byteBuffer: ByteBuffer(bytes: b)))
    }

    /// Reads a request body up to `limit` bytes (413 beyond).
    static func body(_ request: Request, limit: Int = 4 << 20) async throws(APIError) -> [UInt8] {
        do {
            let buffer = try await request.body.collect(upTo: limit)
            return Array(buffer.readableBytesView)
        } catch {
            throw APIError(status: 413, message: "The request body is larger than \(limit) bytes.")
        }
    }

    static func decode<T: Decodable>(_ type: T.Type, _ bytes: [UInt8]) throws(APIError) -> T {
        guard !bytes.isEmpty else { throw .badRequest("The request body is empty; expected a JSON object.") }
        do { return try JSONDecoder().decode(T.self, from: Data(bytes)) } catch let DecodingError.keyNotFound(key, _) {
            throw .badRequest("Missing required parameter: '\(key.stringValue)'.", param: key.stringValue)
        } catch let DecodingError.typeMismatch(_, ctx) {
            let field = ctx.codingPath.map(\.stringValue).joined(separator: ".")
            throw .badRequest("Wrong type for '\(field)'.", param: field)
        } catch {
            throw .badRequest("The request body is not valid JSON.")
        }
    }
}
