import Engine
import Foundation
import Hummingbird
import HummingbirdTesting
import OpenAIWire
import Testing
import Worker

@Suite("POST /v1/chat/completions")
struct ChatRouteTests {
    static let messages = #"[{"role":"system","content":"be brief"},{"role":"user","content":[{"type":"text","text":"hi"}]}]"#

    @Test("renders the chat with the service, tokenises it and answers a chat.completion")
    func happyPath() async throws {
        let harness = try WorkerHarness()
        let rendered = try harness.fake.renderChat([.init(role: "system", content: "be brief"), .init(role: "user", content: "hi")])
        try await harness.run { client in
            let response = try await client.post("/v1/chat/completions", json: #"{"model":"beta","max_tokens":6,"messages":\#(Self.messages)}"#)
            #expect(response.head.status == .ok)
            let body = try response.decode(ChatCompletionResponse.self)
            #expect(body.object == "chat.completion")
            #expect(body.id.hasPrefix("chatcmpl-"))
            #expect(body.choices.count == 1)
            #expect(body.choices[0].message == ChatMessageOut(role: "assistant", content: "<beta>"))
            #expect(body.choices[0].finish_reason == "length")
            #expect(body.usage == Usage(prompt: rendered.unicodeScalars.count, completion: 6))
        }
        #expect(harness.fake.snapshot.submitted.first?.promptTokens == harness.fake.tokenize(rendered))
    }

    @Test("max_tokens defaults to what the context leaves; max_completion_tokens is honoured")
    func maxTokens() async throws {
        let harness = try WorkerHarness()
        let promptLength = try harness.fake.renderChat([.init(role: "user", content: "hi")]).unicodeScalars.count
        try await harness.run { client in
            _ = try await client.post("/v1/chat/completions", json: #"{"model":"fake-base","messages":[{"role":"user","content":"hi"}]}"#)
            _ = try await client.post("/v1/chat/completions",
                                      json: #"{"model":"fake-base","max_completion_tokens":3,"messages":[{"role":"user","content":"hi"}]}"#)
        }
        let submitted = harness.fake.snapshot.submitted
        #expect(submitted.map(\.sampling.maxTokens) == [harness.fake.contextLength - promptLength, 3])
    }

    @Test("n choices are indexed 0..<n")
    func multipleChoices() async throws {
        let harness = try WorkerHarness()
        try await harness.run { client in
            let response = try await client.post("/v1/chat/completions", json: #"{"model":"alpha","n":2,"max_tokens":3,"messages":[{"role":"user","content":"x"}]}"#)
            let body = try response.decode(ChatCompletionResponse.self)
            #expect(body.choices.map(\.index) == [0, 1])
            #expect(body.usage?.completion_tokens == 6)
        }
    }

    @Test("logprobs: true with top_logprobs returns content entries with bytes")
    func logprobs() async throws {
        let harness = try WorkerHarness()
        try await harness.run { client in
            let response = try await client.post("/v1/chat/completions",
                                                 json: #"{"model":"fake-base","max_tokens":2,"logprobs":true,"top_logprobs":2,"messages":[{"role":"user","content":"x"}]}"#)
            let content = try #require(try response.decode(ChatCompletionResponse.self).choices[0].logprobs?.content)
            #expect(content.map(\.token) == ["<", "b"])
            #expect(content[0].bytes == [60])
            #expect(content[0].top_logprobs.map(\.token) == ["<", "="])
            #expect(content[0].top_logprobs.map(\.logprob) == [-0.5, -1.5])
            let refused = try await client.post("/v1/chat/completions",
                                                json: #"{"model":"fake-base","top_logprobs":2,"messages":[{"role":"user","content":"x"}]}"#)
            #expect(try refused.expectError(400).param == "top_logprobs")
        }
    }

    @Test("a conversation the template cannot render is a 400")
    func unsupportedRole() async throws {
        let harness = try WorkerHarness()
        try await harness.run { client in
            let response = try await client.post("/v1/chat/completions", json: #"{"model":"fake-base","messages":[{"role":"tool","content":"x"}]}"#)
            let error = try response.expectError(400)
            #expect(error.message.contains("tool"))
            let empty = try await client.post("/v1/chat/completions", json: #"{"model":"fake-base","messages":[]}"#)
            #expect(try empty.expectError(400).param == "messages")
        }
        #expect(harness.fake.snapshot.submitted.isEmpty)
    }
}
