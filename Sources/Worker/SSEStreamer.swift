import Engine
import Hummingbird
import Logging
import OpenAIWire

/// Formats one endpoint's stream chunks (`data:` payloads without the framing).
protocol StreamFormatter: Sendable {
    /// Payloads sent before any token (chat role deltas, completion echo).
    mutating func preamble() throws -> [String]
    /// nil when the piece carries nothing to send (empty text, no logprobs).
    mutating func token(choice: Int, piece: TokenPiece) throws -> String?
    mutating func finish(choice: Int, reason: FinishReason) throws -> String
    func usage(_ usage: Usage) throws -> String
}

/// Writes a fan-in as OpenAI server-sent events: chunks, an optional usage chunk, `data: [DONE]`.
/// A failure after the headers went out becomes an error event followed by `[DONE]`, never a
/// silent truncation. A write that fails (client gone) or the inbound side closing cancels every
/// engine stream of the request.
struct SSEStreamer<Formatter: StreamFormatter>: Sendable {
    let fanIn: GenerationFanIn
    let formatter: Formatter
    /// Choices per prompt (usage counts each prompt's tokens once).
    let n: Int
    let includeUsage: Bool
    let counters: ServerCounters
    let logger: Logger

    /// - Parameter subscription: the request's client-gone subscription (it cancels the fan-in);
    ///   released when the stream ends.
    func response(subscription: DisconnectSubscription) -> Response {
        let headers: HTTPFields = [.contentType: "text/event-stream", .cacheControl: "no-cache"]
        let streamer = self
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in
            defer {
                subscription.cancel()
                streamer.fanIn.cancel()
            }
            do {
                try await streamer.pump(&writer)
            } catch {
                streamer.counters.record { $0.clientDisconnects += 1 }
                streamer.logger.debug("stream ended early", metadata: ["error": "\(error)"])
                throw error
            }
        })
    }

    func pump(_ writer: inout any ResponseBodyWriter) async throws {
        var formatter = self.formatter
        var finished = 0
        var promptTokens = 0
        var completionTokens = 0
        for payload in try formatter.preamble() { try await Self.send(payload, to: &writer) }
        for await item in fanIn.items {
            switch item {
            case let .token(choice, piece):
                if let payload = try formatter.token(choice: choice, piece: piece) { try await Self.send(payload, to: &writer) }
            case let .finished(choice, reason, prompt, completion):
                finished += 1
                if choice % n == 0 { promptTokens += prompt }
                completionTokens += completion
                try await Self.send(formatter.finish(choice: choice, reason: reason), to: &writer)
            case let .failed(choice, error):
                fanIn.cancel()
                counters.record { $0.streamErrors += 1 }
                logger.warning("stream failed", metadata: ["choice": "\(choice)", "error": "\(error)"])
                try await Self.fail(with: WorkerErrorMapping.apiError(for: error), writer: &writer)
                return
            }
        }
        guard finished == fanIn.choiceCount else {
            // Streams ended unfinished: cancelled because the client went away. Say so in case it
            // is still listening.
            try await Self.fail(with: .unavailable("The request was cancelled."), writer: &writer)
            return
        }
        if includeUsage {
            try await Self.send(formatter.usage(Usage(prompt: promptTokens, completion: completionTokens)), to: &writer)
        }
        try await writer.write(ByteBuffer(string: ServerSentEvents.done))
        try await writer.finish(nil)
    }

    static func send(_ payload: String, to writer: inout any ResponseBodyWriter) async throws {
        try await writer.write(ByteBuffer(string: ServerSentEvents.event(payload)))
    }

    static func fail(with error: APIError, writer: inout any ResponseBodyWriter) async throws {
        try await send(JSONResponse.line(error), to: &writer)
        try await writer.write(ByteBuffer(string: ServerSentEvents.done))
        try await writer.finish(nil)
    }
}
