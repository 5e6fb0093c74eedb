import Foundation
import Testing
import OpenAIWire

@Suite struct OpenAIWireTests {
    private func decode<T: Decodable>(_ type: T.Type, _ json: String) throws -> T {
        try JSONDecoder().decode(type, from: Data(json.utf8))
    }
    private func encode<T: Encodable>(_ value: T) throws -> String {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        return String(decoding: try e.encode(value), as: UTF8.self)
    }

    @Test func promptForms() throws {
        #expect(try decode(CompletionRequest.self, #"{"model":"m","prompt":"hi"}"#).prompt == .text("hi"))
        #expect(try decode(CompletionRequest.self, #"{"model":"m","prompt":["a","b"]}"#).prompt == .texts(["a", "b"]))
        #expect(try decode(CompletionRequest.self, #"{"model":"m","prompt":[1,2]}"#).prompt == .tokens([1, 2]))
        #expect(try decode(CompletionRequest.self, #"{"model":"m","prompt":[[1],[2,3]]}"#).prompt.count == 2)
        #expect(throws: DecodingError.self) { try decode(CompletionRequest.self, #"{"model":"m","prompt":{"x":1}}"#) }
        #expect(throws: DecodingError.self) { try decode(CompletionRequest.self, #"{"prompt":"no model"}"#) }
    }

    @Test func stopForms() throws {
        #expect(try decode(CompletionRequest.self, #"{"model":"m","prompt":"","stop":"\n"}"#).stop?.values == ["\n"])
        #expect(try decode(CompletionRequest.self, #"{"model":"m","prompt":"","stop":["a","b"]}"#).stop?.values == ["a", "b"])
        #expect(try decode(CompletionRequest.self, #"{"model":"m","prompt":"","stop":null}"#).stop == nil)
    }

    @Test func chatContentParts() throws {
        let r = try decode(ChatCompletionRequest.self,
                           #"{"model":"m","messages":[{"role":"user","content":[{"type":"text","text":"a"},{"type":"text","text":"b"}]}],"max_completion_tokens":5}"#)
        #expect(r.messages[0].content.text == "ab")
        #expect(r.maxTokens == 5)
        #expect(throws: DecodingError.self) {
            try decode(ChatCompletionRequest.self, #"{"model":"m","messages":[{"role":"user","content":[{"type":"image_url"}]}]}"#)
        }
    }

    @Test func errorEnvelopeShapeAndStatus() throws {
        let e = APIError.notFound("The model `x` does not exist.", param: "model")
        #expect(e.httpStatus == 404)
        let json = try encode(e)
        #expect(json == #"{"error":{"code":"model_not_found","message":"The model `x` does not exist.","param":"model","type":"not_found_error"}}"#)
        let back = try decode(APIError.self, json)
        #expect(back.httpStatus == 404 && back.error == e.error)
        #expect(APIError.rateLimited("full", retryAfterSeconds: 2).httpStatus == 429)
        #expect(APIError.unauthorized().error.type == "authentication_error")
        #expect(APIError.badRequest("bad").error.type == "invalid_request_error")
    }

    @Test func streamChunkHasNullFinishReason() throws {
        let chunk = CompletionResponse(id: "c", created: 1, model: "m", choices: [CompletionChoice(index: 0, text: "x", finish_reason: nil)], usage: nil)
        #expect(try encode(chunk).contains(#""finish_reason":null"#))
        let chat = ChatCompletionResponse(id: "c", chunk: true, created: 1, model: "m",
                                          choices: [ChatChoice(index: 0, delta: ChatMessageOut(role: nil, content: "x"), finish_reason: nil)], usage: nil)
        let text = try encode(chat)
        #expect(text.contains(#""object":"chat.completion.chunk""#) && text.contains(#""delta""#) && !text.contains(#""message""#))
    }

    @Test func sseFramingRoundTripsThroughParserInAnySplit() {
        let stream = ServerSentEvents.event(#"{"a":1}"#) + ": keep-alive\n\n" + ServerSentEvents.event("two\nlines") + ServerSentEvents.done
        let bytes = Array(stream.utf8)
        for split in [1, 2, 3, 7, bytes.count] {
            var parser = ServerSentEvents.Parser()
            var events: [String] = []
            var i = 0
            while i < bytes.count {
                events += parser.feed(bytes[i..<min(i + split, bytes.count)])
                i += split
            }
            #expect(events == [#"{"a":1}"#, "two\nlines", "[DONE]"], "split \(split)")
        }
    }

    @Test func fuzzedJSONNeverCrashesTheDecoders() {
        var state: UInt64 = 12345
        let seed = Array(#"{"model":"m","prompt":["a",[1,2]],"stop":["x"],"max_tokens":5,"stream":true,"messages":[{"role":"user","content":"hi"}]}"#.utf8)
        var decodedOrRejected = 0
        for _ in 0..<3000 {
            var bytes = seed
            for _ in 0..<3 {
                state = state &* 6364136223846793005 &+ 1442695040888963407
                let position = Int(state >> 33) % bytes.count
                bytes[position] = UInt8(truncatingIfNeeded: state >> 20)
            }
            _ = try? JSONDecoder().decode(CompletionRequest.self, from: Data(bytes))
            _ = try? JSONDecoder().decode(ChatCompletionRequest.self, from: Data(bytes))
            decodedOrRejected += 1
        }
        #expect(decodedOrRejected == 3000)
    }
}
