import Engine
import Foundation
import Hummingbird
import HummingbirdTesting
import OpenAIWire
import Testing
import Worker

@Suite("Server-sent event streams")
struct StreamingTests {
    @Test("completions stream: chunks, finish chunk, then [DONE]; text equals the non-streamed text")
    func completionStream() async throws {
        let harness = try WorkerHarness()
        try await harness.run { client in
            let response = try await client.post("/v1/completions", json: #"{"model":"alpha","prompt":"a","max_tokens":9,"stream":true}"#)
            #expect(response.head.status == .ok)
            #expect(response.head.headerFields[.contentType] == "text/event-stream")
            #expect(response.text.hasSuffix("data: [DONE]\n\n"))
            let events = response.events
            #expect(events.last == "[DONE]")
            let chunks = try events.dropLast().map { try JSONDecoder().decode(CompletionResponse.self, from: Data($0.utf8)) }
            #expect(chunks.allSatisfy { $0.object == "text_completion" && $0.usage == nil })
            #expect(chunks.map { $0.choices.map(\.text).joined() }.joined() == "<alpha>|a")
            #expect(chunks.last?.choices.first?.finish_reason == "length")
            #expect(chunks.dropLast().allSatisfy { $0.choices.first?.finish_reason == nil })
            #expect(Set(chunks.map(\.id)).count == 1)
        }
    }

    @Test("include_usage adds a final chunk with empty choices and the usage")
    func includeUsage() async throws {
        let harness = try WorkerHarness()
        try await harness.run { client in
            let response = try await client.post("/v1/completions",
                                                 json: #"{"model":"fake-base","prompt":"abc","max_tokens":4,"stream":true,"stream_options":{"include_usage":true}}"#)
            let events = response.events
            #expect(events.last == "[DONE]")
            let usageChunk = try JSONDecoder().decode(CompletionResponse.self, from: Data(events[events.count - 2].utf8))
            #expect(usageChunk.choices.isEmpty)
            #expect(usageChunk.usage == Usage(prompt: 3, completion: 4))
        }
    }

    @Test("chat stream: role delta first, content deltas, an empty delta with finish_reason, usage, [DONE]")
    func chatStream() async throws {
        let harness = try WorkerHarness()
        try await harness.run { client in
            let response = try await client.post("/v1/chat/completions", json: #"""
                {"model":"fake-base","max_tokens":5,"stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"x"}]}
                """#)
            let events = response.events
            #expect(events.last == "[DONE]")
            let chunks = try events.dropLast().map { try JSONDecoder().decode(ChatCompletionResponse.self, from: Data($0.utf8)) }
            #expect(chunks.allSatisfy { $0.object == "chat.completion.chunk" })
            #expect(chunks.first?.choices.first?.delta == ChatMessageOut(role: "assistant", content: ""))
            let content = chunks.compactMap { $0.choices.first?.delta?.content }.joined()
            #expect(content == "<base")
            let finish = try #require(chunks.first { $0.choices.first?.finish_reason != nil })
            #expect(finish.choices[0].finish_reason == "length")
            #expect(finish.choices[0].delta == ChatMessageOut(role: nil, content: nil))
            #expect(events[events.count - 2].contains(#""delta":{}"#) == false, "usage chunk has no choices")
            #expect(chunks.last?.usage?.completion_tokens == 5)
            #expect(events.contains { $0.contains(#""delta":{}"#) }, "the finish chunk's delta encodes as {}")
        }
    }

    @Test("n > 1 streams every choice with its own index and finish")
    func multipleChoices() async throws {
        let harness = try WorkerHarness()
        try await harness.run { client in
            let response = try await client.post("/v1/chat/completions",
                                                 json: #"{"model":"beta","n":3,"max_tokens":4,"stream":true,"messages":[{"role":"user","content":"x"}]}"#)
            let chunks = try response.events.dropLast().map { try JSONDecoder().decode(ChatCompletionResponse.self, from: Data($0.utf8)) }
            for index in 0..<3 {
                let mine = chunks.flatMap(\.choices).filter { $0.index == index }
                #expect(mine.first?.delta?.role == "assistant")
                #expect(mine.compactMap { $0.delta?.content }.joined() == "<bet")
                #expect(mine.filter { $0.finish_reason != nil }.count == 1)
            }
        }
    }

    @Test("a failure mid-stream ends with an error event and [DONE], not a silent truncation")
    func midStreamFailure() async throws {
        let harness = try WorkerHarness(fake: FakeInferenceService(behavior: .failAfter(3)))
        try await harness.run { client in
            let response = try await client.post("/v1/completions", json: #"{"model":"fake-base","prompt":"a","max_tokens":10,"stream":true}"#)
            #expect(response.head.status == .ok)
            let events = response.events
            #expect(events.last == "[DONE]")
            let error = try JSONDecoder().decode(APIError.self, from: Data(events[events.count - 2].utf8))
            #expect(error.error.type == "server_error")
            #expect(error.error.message.contains("simulated engine failure"))
            let text = try events.dropLast(2).map { try JSONDecoder().decode(CompletionResponse.self, from: Data($0.utf8)) }
                .flatMap(\.choices).map(\.text).joined()
            #expect(text == "<ba")
        }
        #expect(await eventually { harness.server.admittedRequests == 0 })
    }

    @Test("a failure before streaming starts is a plain HTTP error")
    func failureBeforeStream() async throws {
        let harness = try WorkerHarness()
        try await harness.run { client in
            let response = try await client.post("/v1/completions", json: #"{"model":"nope","prompt":"a","stream":true}"#)
            #expect(try response.expectError(404).code == "model_not_found")
        }
    }

    @Test("non-streaming failure mid-generation maps to a 500 OpenAI error")
    func nonStreamingFailure() async throws {
        let harness = try WorkerHarness(fake: FakeInferenceService(behavior: .failAfter(2)))
        try await harness.run { client in
            let response = try await client.post("/v1/completions", json: #"{"model":"fake-base","prompt":"a","n":2,"max_tokens":5}"#)
            try response.expectError(500)
        }
        #expect(await eventually { harness.fake.snapshot.inFlight == 0 && harness.server.admittedRequests == 0 })
    }
}
