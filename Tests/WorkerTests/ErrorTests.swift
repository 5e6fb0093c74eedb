import Engine
import Foundation
import Hummingbird
import HummingbirdTesting
import OpenAIWire
import Testing
import Worker

@Suite("OpenAI-shaped errors")
struct ErrorTests {
    @Test("malformed JSON is a 400 invalid_request_error")
    func malformedJSON() async throws {
        let harness = try WorkerHarness()
        try await harness.run { client in
            let error = try await client.post("/v1/completions", json: #"{"model": "fake-base", "prompt": "#).expectError(400)
            #expect(error.type == "invalid_request_error")
            #expect(error.message.contains("not valid JSON"))
            let empty = try await client.post("/v1/chat/completions", json: "").expectError(400)
            #expect(empty.message.contains("empty"))
        }
    }

    @Test("wrong types and missing fields name the field", arguments: [
        (#"{"model":"fake-base","prompt":"a","max_tokens":"ten"}"#, "max_tokens"),
        (#"{"model":"fake-base","prompt":"a","stream":"yes"}"#, "stream"),
        (#"{"model":"fake-base","prompt":{"x":1}}"#, "prompt"),
        (#"{"model":"fake-base"}"#, "prompt"),
        (#"{"prompt":"a"}"#, "model"),
    ])
    func wrongTypes(json: String, field: String) async throws {
        let harness = try WorkerHarness()
        try await harness.run { client in
            let error = try await client.post("/v1/completions", json: json).expectError(400)
            #expect(error.message.contains(field), "\(error.message)")
            #expect(error.param == field)
        }
    }

    @Test("chat message with a wrong type names its path")
    func chatPath() async throws {
        let harness = try WorkerHarness()
        try await harness.run { client in
            let error = try await client.post("/v1/chat/completions", json: #"{"model":"fake-base","messages":[{"role":"user","content":5}]}"#)
                .expectError(400)
            #expect(error.param == "messages[0].content", "\(error)")
        }
    }

    @Test("parameter ranges are checked with the parameter named", arguments: [
        (#""temperature":-1"#, "temperature"), (#""top_p":0"#, "top_p"), (#""top_k":-2"#, "top_k"), (#""min_p":2"#, "min_p"),
        (#""n":0"#, "n"), (#""n":1000"#, "n"), (#""logprobs":50"#, "logprobs"), (#""max_tokens":0"#, "max_tokens"),
        (#""presence_penalty":0.5"#, "presence_penalty"), (#""frequency_penalty":1"#, "frequency_penalty"),
        (#""repetition_penalty":0"#, "repetition_penalty"), (#""prompt":"""#, "prompt"), (#""prompt":[-1]"#, "prompt"),
    ])
    func parameterRanges(field: String, param: String) async throws {
        let harness = try WorkerHarness()
        try await harness.run { client in
            let json = field.hasPrefix(#""prompt""#) ? #"{"model":"fake-base",\#(field)}"# : #"{"model":"fake-base","prompt":"a",\#(field)}"#
            let error = try await client.post("/v1/completions", json: json).expectError(400)
            #expect(error.param == param, "\(error)")
        }
        #expect(harness.fake.snapshot.submitted.isEmpty)
    }

    @Test("an unknown model is a 404 with code model_not_found")
    func unknownModel() async throws {
        let harness = try WorkerHarness()
        try await harness.run { client in
            for uri in ["/v1/completions", "/v1/chat/completions"] {
                let json = #"{"model":"no-such-adapter","prompt":"a","messages":[{"role":"user","content":"x"}]}"#
                let error = try await client.post(uri, json: json).expectError(404)
                #expect(error.code == "model_not_found")
                #expect(error.type == "not_found_error")
                #expect(error.message.contains("no-such-adapter"))
            }
        }
    }

    @Test("prompt + max_tokens beyond the context is a 400 with vLLM's message")
    func contextOverflow() async throws {
        let harness = try WorkerHarness(fake: FakeInferenceService(contextLength: 128))
        try await harness.run { client in
            let prompt = String(repeating: "x", count: 100)
            let error = try await client.post("/v1/completions", json: #"{"model":"fake-base","prompt":"\#(prompt)","max_tokens":50}"#).expectError(400)
            #expect(error.message.contains("maximum context length is 128 tokens"))
            #expect(error.message.contains("150 tokens"))
            let long = String(repeating: "y", count: 200)
            let chat = try await client.post("/v1/chat/completions", json: #"{"model":"fake-base","messages":[{"role":"user","content":"\#(long)"}]}"#)
            try chat.expectError(400)
        }
        #expect(harness.fake.snapshot.submitted.isEmpty)
    }

    @Test("a full server queue is a 429 with Retry-After, before the engine is asked")
    func serverQueueFull() async throws {
        let harness = try WorkerHarness(config: WorkerHarness.config { $0.maxQueuedRequests = 2; $0.retryAfterSeconds = 3 })
        try await harness.run { client in
            let response = try await client.post("/v1/completions", json: #"{"model":"fake-base","prompt":"a","n":3}"#)
            let error = try response.expectError(429)
            #expect(error.type == "rate_limit_error")
            #expect(response.head.headerFields[.retryAfter] == "3")
            // Within capacity it is served, and the slots come back.
            #expect(try await client.post("/v1/completions", json: #"{"model":"fake-base","prompt":"a","n":2}"#).head.status == .ok)
        }
        #expect(harness.fake.snapshot.submitted.count == 2)
        #expect(await eventually { harness.server.admittedRequests == 0 })
    }

    @Test("the engine's queueFull is a 429 with its Retry-After")
    func engineQueueFull() async throws {
        let harness = try WorkerHarness(fake: FakeInferenceService(behavior: .queueFull(retryAfterSeconds: 7)))
        try await harness.run { client in
            let response = try await client.post("/v1/chat/completions", json: #"{"model":"fake-base","messages":[{"role":"user","content":"x"}]}"#)
            try response.expectError(429)
            #expect(response.head.headerFields[.retryAfter] == "7")
        }
        #expect(harness.server.admittedRequests == 0)
    }

    @Test("a body over the limit is a 413")
    func bodyTooLarge() async throws {
        let harness = try WorkerHarness(config: WorkerHarness.config { $0.maxRequestBodyBytes = 1024 })
        try await harness.run { client in
            let prompt = String(repeating: "x", count: 4000)
            let error = try await client.post("/v1/completions", json: #"{"model":"fake-base","prompt":"\#(prompt)"}"#).expectError(413)
            #expect(error.message.contains("1024"))
        }
    }

    @Test("unknown routes are 404 JSON errors")
    func unknownRoute() async throws {
        let harness = try WorkerHarness()
        try await harness.run { client in
            let error = try await client.get("/v1/nothing-here").expectError(404)
            #expect(error.message.contains("/v1/nothing-here"))
            let wrongMethod = try await client.get("/v1/completions")
            #expect([404, 405].contains(wrongMethod.head.status.code))
            #expect(try wrongMethod.decode(APIError.self).error.message.isEmpty == false)
        }
    }

    @Test("API keys, when configured, guard /v1 but not /health or /metrics")
    func apiKeys() async throws {
        let harness = try WorkerHarness(config: WorkerHarness.config { $0.apiKeys = ["k1", "k2"] })
        try await harness.run { client in
            let json = #"{"model":"fake-base","prompt":"a","max_tokens":1}"#
            let missing = try await client.post("/v1/completions", json: json)
            #expect(try missing.expectError(401).type == "authentication_error")
            #expect(missing.head.headerFields[.wwwAuthenticate] == "Bearer")
            try await client.post("/v1/completions", json: json, headers: [.authorization: "Bearer nope"]).expectError(401)
            #expect(try await client.post("/v1/completions", json: json, headers: [.authorization: "Bearer k2"]).head.status == .ok)
            try await client.get("/v1/models").expectError(401)
            #expect(try await client.get("/health").head.status == .ok)
            #expect(try await client.get("/metrics").head.status == .ok)
        }
    }

    @Test("ServiceError statuses map one to one", arguments: [
        (ServiceError.unknownAdapter("x"), 404), (.adapterExists("x"), 400), (.adapterInvalid("bad"), 400),
        (.contextOverflow(promptTokens: 1, maxTokens: 2, contextLength: 2), 400), (.invalidRequest("no"), 400),
        (.queueFull(retryAfterSeconds: 2), 429), (.shuttingDown, 503), (.internalError("boom"), 500),
    ])
    func serviceErrorMapping(error: ServiceError, status: Int) {
        let mapped = WorkerErrorMapping.apiError(for: error)
        #expect(mapped.httpStatus == status)
        #expect(mapped.httpStatus == error.httpStatus)
        #expect(mapped.error.message == error.description)
    }
}
