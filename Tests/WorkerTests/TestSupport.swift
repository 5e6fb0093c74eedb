import Engine
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import OpenAIWire
import Testing
import Worker

/// A worker over `fake` driven through Hummingbird's in-memory router (or a live socket).
struct WorkerHarness {
    let fake: FakeInferenceService
    let server: WorkerServer

    init(fake: FakeInferenceService = FakeInferenceService(), config: WorkerConfig = WorkerHarness.config()) throws {
        var logger = Logger(label: "worker-test")
        logger.logLevel = .critical
        self.fake = fake
        server = try WorkerServer(config: config, service: fake, logger: logger, now: { 1_700_000_000 })
    }

    static func config(_ update: (inout WorkerConfig) -> Void = { _ in }) -> WorkerConfig {
        var config = WorkerConfig(host: "127.0.0.1", port: 0)
        update(&config)
        return config
    }

    func run<Value: Sendable>(_ setup: TestingSetup = .router, _ body: @Sendable (any TestClientProtocol) async throws -> Value) async throws -> Value {
        try await server.makeApplication().test(setup, body)
    }
}

extension TestClientProtocol {
    func post(_ uri: String, json: String, headers: HTTPFields = [:]) async throws -> TestResponse {
        var fields = headers
        fields[.contentType] = "application/json"
        return try await execute(uri: uri, method: .post, headers: fields, body: ByteBuffer(string: json))
    }

    func get(_ uri: String, headers: HTTPFields = [:]) async throws -> TestResponse {
        try await execute(uri: uri, method: .get, headers: headers)
    }
}

extension TestResponse {
    var text: String { String(buffer: body) }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(body.readableBytesView))
    }

    /// The parsed JSON body as a dictionary.
    func object() throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any])
    }

    /// SSE `data:` payloads in order.
    var events: [String] {
        var parser = ServerSentEvents.Parser()
        return parser.feed(body.readableBytesView)
    }

    /// Expects an OpenAI error envelope with `status`; returns it.
    @discardableResult
    func expectError(_ status: Int, sourceLocation: SourceLocation = #_sourceLocation) throws -> APIError.Body {
        #expect(head.status.code == status, "status \(head.status.code), body \(text)", sourceLocation: sourceLocation)
        #expect(head.headerFields[.contentType] == "application/json", sourceLocation: sourceLocation)
        let error = try decode(APIError.self)
        #expect(!error.error.message.isEmpty, sourceLocation: sourceLocation)
        return error.error
    }
}

/// Polls `condition` (bounded: ~10 s) — for effects that land asynchronously after a response.
func eventually(_ condition: @Sendable () async -> Bool) async -> Bool {
    for _ in 0..<1000 {
        if await condition() { return true }
        try? await Task.sleep(for: .milliseconds(10))
    }
    return await condition()
}
