import Engine
import Foundation
import Hummingbird
import HummingbirdTesting
import OpenAIWire
import ServeCore
import Testing
import Worker

@Suite("POST /v1/completions")
struct CompletionsRouteTests {
    @Test("non-streaming answer has OpenAI's text_completion shape and usage")
    func happyPath() async throws {
        let harness = try WorkerHarness()
        try await harness.run { client in
            let response = try await client.post("/v1/completions", json: #"{"model":"fake-base","prompt":"hi","max_tokens":5}"#)
            #expect(response.head.status == .ok)
            let body = try response.decode(CompletionResponse.self)
            #expect(body.object == "text_completion")
            #expect(body.id.hasPrefix("cmpl-"))
            #expect(body.created == 1_700_000_000)
            #expect(body.model == "fake-base")
            #expect(body.choices.count == 1)
            #expect(body.choices[0].text == "<base")
            #expect(body.choices[0].finish_reason == "length")
            #expect(body.usage == Usage(prompt: 2, completion: 5))
            let raw = try response.object()
            let choice = try #require((raw["choices"] as? [[String: Any]])?.first)
            #expect(choice.keys.contains("logprobs"), "logprobs is present (null) as in OpenAI")
        }
        #expect(harness.fake.snapshot.submitted.first?.adapter == nil)
    }

    @Test("the model field selects an adapter")
    func adapterRouting() async throws {
        let harness = try WorkerHarness()
        try await harness.run { client in
            let response = try await client.post("/v1/completions", json: #"{"model":"alpha","prompt":"hi","max_tokens":7}"#)
            #expect(try response.decode(CompletionResponse.self).choices[0].text == "<alpha>")
        }
        #expect(harness.fake.snapshot.submitted.first?.adapter == AdapterID("alpha"))
    }

    @Test("max_tokens defaults to 16 as in OpenAI's completions API")
    func defaultMaxTokens() async throws {
        let harness = try WorkerHarness()
        try await harness.run { client in
            let response = try await client.post("/v1/completions", json: #"{"model":"fake-base","prompt":"x"}"#)
            #expect(try response.decode(CompletionResponse.self).usage?.completion_tokens == 16)
        }
        #expect(harness.fake.snapshot.submitted.first?.sampling.maxTokens == 16)
    }

    @Test("token-id prompts and prompt batches × n give prompt-major choice indices")
    func tokenPromptsAndBatches() async throws {
        let harness = try WorkerHarness()
        try await harness.run { client in
            let single = try await client.post("/v1/completions", json: #"{"model":"fake-base","prompt":[104,105],"max_tokens":2}"#)
            #expect(try single.decode(CompletionResponse.self).usage?.prompt_tokens == 2)
            let batch = try await client.post("/v1/completions", json: #"{"model":"beta","prompt":[[104],[105,106]],"n":2,"max_tokens":3}"#)
            let body = try batch.decode(CompletionResponse.self)
            #expect(body.choices.map(\.index) == [0, 1, 2, 3])
            #expect(body.choices.allSatisfy { $0.text == "<be" })
            // Each prompt's tokens count once, every choice's completion counts.
            #expect(body.usage == Usage(prompt: 3, completion: 12))
        }
        let prompts = harness.fake.snapshot.submitted.map(\.promptTokens)
        #expect(prompts == [[104, 105], [104], [104], [105, 106], [105, 106]])
    }

    @Test("sampling fields reach the engine; n seeds are distinct and reproducible")
    func samplingForwarded() async throws {
        let harness = try WorkerHarness()
        try await harness.run { client in
            let json = #"""
            {"model":"fake-base","prompt":"a","max_tokens":4,"n":3,"temperature":0.5,"top_p":0.9,"top_k":5,"min_p":0.1,
             "repetition_penalty":1.1,"ignore_eos":true,"seed":42,"stop":["zz"],"presence_penalty":0,"user":"u1"}
            """#
            let response = try await client.post("/v1/completions", json: json)
            #expect(try response.decode(CompletionResponse.self).choices.count == 3)
            _ = try await client.post("/v1/completions", json: #"{"model":"fake-base","prompt":"a","top_k":-1}"#)
        }
        let submitted = harness.fake.snapshot.submitted
        #expect(submitted.count == 4)
        let s = submitted[0].sampling
        #expect(s.temperature == 0.5 && s.topP == 0.9 && s.topK == 5 && s.minP == 0.1)
        #expect(s.repetitionPenalty == 1.1 && s.ignoreEOS && s.stop == ["zz"] && s.maxTokens == 4)
        #expect(submitted.prefix(3).map(\.sampling.seed) == [42, 43, 44])
        #expect(Set(submitted.map(\.id)).count == 4, "every choice is its own engine request")
        // vLLM's top_k = -1 means disabled; OpenAI's default temperature is 1.
        #expect(submitted[3].sampling.topK == 0)
        #expect(submitted[3].sampling.temperature == 1)
    }

    @Test("stop strings end the choice with finish_reason stop")
    func stop() async throws {
        let harness = try WorkerHarness()
        try await harness.run { client in
            let response = try await client.post("/v1/completions", json: #"{"model":"fake-base","prompt":"a","max_tokens":12,"stop":"|"}"#)
            let choice = try response.decode(CompletionResponse.self).choices[0]
            #expect(choice.text == "<base>")
            #expect(choice.finish_reason == "stop")
        }
    }

    @Test("logprobs returns tokens, token_logprobs, top_logprobs and text_offset")
    func logprobs() async throws {
        let harness = try WorkerHarness()
        try await harness.run { client in
            let response = try await client.post("/v1/completions", json: #"{"model":"fake-base","prompt":"a","max_tokens":3,"logprobs":2}"#)
            let logprobs = try #require(try response.decode(CompletionResponse.self).choices[0].logprobs)
            #expect(logprobs.tokens == ["<", "b", "a"])
            #expect(logprobs.token_logprobs == [-0.5, -0.5, -0.5])
            #expect(logprobs.text_offset == [0, 1, 2])
            #expect(logprobs.top_logprobs?.count == 3)
            #expect(logprobs.top_logprobs?.first == ["<": -0.5, "=": -1.5])
        }
        #expect(harness.fake.snapshot.submitted.first?.logprobs == 2)
    }

    @Test("echo prepends the prompt; echo with logprobs is refused")
    func echo() async throws {
        let harness = try WorkerHarness()
        try await harness.run { client in
            let response = try await client.post("/v1/completions", json: #"{"model":"fake-base","prompt":"hey ","max_tokens":2,"echo":true}"#)
            #expect(try response.decode(CompletionResponse.self).choices[0].text == "hey <b")
            let refused = try await client.post("/v1/completions", json: #"{"model":"fake-base","prompt":"a","echo":true,"logprobs":1}"#)
            #expect(try refused.expectError(400).param == "echo")
        }
    }
}
