import Engine
import OpenAIWire

/// `chat.completion` / `chat.completion.chunk` objects.
struct ChatFormatter: StreamFormatter {
    let id: String
    let created: Int
    let model: String
    let choiceCount: Int
    let logprobs: LogprobFormatting?

    private func chunk(_ choices: [ChatChoice], usage: Usage? = nil) throws -> String {
        try JSONResponse.line(ChatCompletionResponse(id: id, chunk: true, created: created, model: model, choices: choices, usage: usage))
    }

    /// OpenAI opens every choice with a role delta.
    mutating func preamble() throws -> [String] {
        try (0..<choiceCount).map { index in
            try chunk([ChatChoice(index: index, delta: ChatMessageOut(role: "assistant", content: ""), finish_reason: nil)])
        }
    }

    mutating func token(choice: Int, piece: TokenPiece) throws -> String? {
        guard !piece.text.isEmpty || logprobs != nil else { return nil }
        return try chunk([ChatChoice(index: choice, delta: ChatMessageOut(role: nil, content: piece.text),
                                     logprobs: logprobs?.chat([piece]), finish_reason: nil)])
    }

    mutating func finish(choice: Int, reason: FinishReason) throws -> String {
        try chunk([ChatChoice(index: choice, delta: ChatMessageOut(role: nil, content: nil), finish_reason: reason.wireValue)])
    }

    func usage(_ usage: Usage) throws -> String {
        try chunk([], usage: usage)
    }

    func response(_ results: [ChoiceResult], usage: Usage) -> ChatCompletionResponse {
        let choices = results.enumerated().map { index, result in
            ChatChoice(index: index, message: ChatMessageOut(role: "assistant", content: result.text),
                       logprobs: logprobs?.chat(result.pieces), finish_reason: (result.finishReason ?? .cancelled).wireValue)
        }
        return ChatCompletionResponse(id: id, chunk: false, created: created, model: model, choices: choices, usage: usage)
    }
}
