import CacheAPI
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import OpenAIWire
import ServeCore
import Testing

@Suite struct ErrorTests {
    static func expectError(_ r: TestResponse, _ status: HTTPResponse.Status, type: String) throws {
        #expect(r.status == status)
        let e = try Fx.decode(APIError.self, r.body)
        #expect(e.error.type == type)
        #expect(!e.error.message.isEmpty)
    }

    @Test func missingOrUnknownKeyIs401() async throws {
        try await Fx.app(try Fx.service()).test(.router) { client in
            try await client.execute(uri: "/v1/summary-cache/lookup", method: .post, body: Fx.lookupBody()) { r in
                try Self.expectError(r, .unauthorized, type: "authentication_error")
                #expect(r.headers[.wwwAuthenticate] == "Bearer")
            }
            try await client.execute(uri: "/v1/summary-cache/stats", method: .get, headers: [.authorization: "Bearer sk-nope"]) { r in
                try Self.expectError(r, .unauthorized, type: "authentication_error")
            }
            try await client.execute(uri: "/v1/qa", method: .post, headers: [.authorization: "Basic sk-acme"], body: Fx.body(["question": "x"])) { r in
                #expect(r.status == .unauthorized)
            }
        }
    }

    @Test func namingAnotherTenantIs403() async throws {
        try await Fx.app(try Fx.service()).test(.router) { client in
            try await client.execute(uri: "/v1/summary-cache/store", method: .post, headers: Fx.acme, body: Fx.storeBody(tenant: "globex")) { r in
                try Self.expectError(r, .forbidden, type: "permission_error")
                let decoded = try Fx.decode(APIError.self, r.body)
                #expect(decoded.error.param == "tenant")
            }
            // An admin key may act for any tenant, but must name one.
            try await client.execute(uri: "/v1/summary-cache/store", method: .post, headers: Fx.admin, body: Fx.storeBody(tenant: "globex")) { r in
                #expect(r.status == .ok)
            }
            try await client.execute(uri: "/v1/summary-cache/store", method: .post, headers: Fx.admin, body: Fx.storeBody()) { r in
                try Self.expectError(r, .badRequest, type: "invalid_request_error")
            }
        }
    }

    @Test(arguments: ["{nope", "", "[1,2]", #"{"query": 5}"#, #"{"document": {"id": "d"}, "query": "q"}"#,
                      #"{"document": {"id": "d", "version": "v"}, "query": "q", "vector": [1, 0]}"#,
                      #"{"document": {"id": "d", "version": "v"}, "query": "q", "vector": [1, 0], "fingerprint": {"modelID": "m", "dimensions": 3, "normalized": true, "maxLength": 8}}"#,
                      #"{"document": {"id": "d", "version": "v"}, "query": "", "summary": "s"}"#])
    func malformedBodiesAre400(_ text: String) async throws {
        try await Fx.app(try Fx.service()).test(.router) { client in
            try await client.execute(uri: "/v1/summary-cache/lookup", method: .post, headers: Fx.acme, body: ByteBuffer(string: text)) { r in
                try Self.expectError(r, .badRequest, type: "invalid_request_error")
            }
        }
    }

    @Test func oversizedBodyIs413AndUnknownRouteIs404() async throws {
        var limits = CacheAPILimits()
        limits.maxCacheBodyBytes = 512
        try await Fx.app(try Fx.service(limits: limits)).test(.router) { client in
            let big = Fx.storeBody(summary: String(repeating: "x", count: 2000))
            try await client.execute(uri: "/v1/summary-cache/store", method: .post, headers: Fx.acme, body: big) { r in
                try Self.expectError(r, .contentTooLarge, type: "invalid_request_error")
            }
            try await client.execute(uri: "/v1/summary-cache/nope", method: .post, headers: Fx.acme, body: Fx.lookupBody()) { r in
                try Self.expectError(r, .notFound, type: "not_found_error")
            }
            try await client.execute(uri: "/v1/summary-cache/lookup", method: .get, headers: Fx.acme) { r in
                try Self.expectError(r, .methodNotAllowed, type: "invalid_request_error")
            }
        }
    }

    /// Random bytes and mutated JSON never crash the server or earn a 5xx.
    @Test func fuzzedBodiesNeverFail500() async throws {
        var rng = SplitMix64(seed: 0xF0221)
        let valid = [String(buffer: Fx.storeBody()), String(buffer: Fx.lookupBody()), #"{"documentID": "d"}"#,
                     #"{"question": "Who?", "documents": [{"id": "d", "text": "t"}]}"#]
        let uris = ["/v1/summary-cache/lookup", "/v1/summary-cache/store", "/v1/summary-cache/invalidate", "/v1/qa", "/v1/qa/corpus"]
        let junk = Array(#"{}[]":,0-9e"#.utf8)
        var cases: [(String, [UInt8])] = []
        for i in 0..<200 {
            var bytes: [UInt8]
            if i % 2 == 0 {
                bytes = (0..<Int(rng.next() % 64)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            } else {
                bytes = Array(valid[Int(rng.next() % UInt64(valid.count))].utf8)
                for _ in 0..<(1 + Int(rng.next() % 4)) where !bytes.isEmpty {
                    let at = Int(rng.next() % UInt64(bytes.count))
                    switch rng.next() % 3 {
                    case 0: bytes[at] = UInt8(truncatingIfNeeded: rng.next())
                    case 1: bytes.remove(at: at)
                    default: bytes.insert(junk[Int(rng.next() % UInt64(junk.count))], at: at)
                    }
                }
            }
            cases.append((uris[Int(rng.next() % UInt64(uris.count))], bytes))
        }
        let fuzz = cases
        try await Fx.app(try Fx.service(llm: nil)).test(.router) { client in
            for (uri, bytes) in fuzz {
                try await client.execute(uri: uri, method: .post, headers: Fx.acme, body: ByteBuffer(bytes: bytes)) { r in
                    #expect(r.status.code < 500 || r.status.code == 503, "\(uri) \(bytes) → \(r.status)")
                    #expect((try? Fx.decode(APIError.self, r.body)) != nil || r.status == .ok)
                }
            }
        }
    }
}
