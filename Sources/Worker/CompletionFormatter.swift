import Engine
import OpenAIWire

/// `text_completion` objects: the streamed chunks and the whole answer.
struct CompletionFormatter: StreamFormatter {
    let id: String
    let created: Int
    let model: String
    /// Per choice: the prompt text to prepend (`echo`), else nil.
    let echo: [String]?
    /// Set when `logprobs` was asked for.
    let logprobs: LogprobFormatting?
    /// Characters of each choice's text sent so far (for `text_offset`).
    private var offsets: [Int]

    init(id: String, created: Int, model: String, choiceCount: Int, echo: [String]?, logprobs: LogprobFormatting?) {
        self.id = id
        self.created = created
        self.model = model
        self.echo = echo
        self.logprobs = logprobs
        offsets = echo?.map(\.count) ?? [Int](repeating: 0, count: choiceCount)
    }

    private func chunk(_ choices: [CompletionChoice], usage: Usage? = nil) throws -> String {
        try JSONResponse.line(CompletionResponse(id: id, created: created, model: model, choices: choices, usage: usage))
    }

    mutating func preamble() throws -> [String] {
        guard let echo else { return [] }
        return try echo.enumerated().map { index, text in try chunk([CompletionChoice(index: index, text: text, finish_reason: nil)]) }
    }

    mutating func token(choice: Int, piece: TokenPiece) throws -> String? {
        guard !piece.text.isEmpty || logprobs != nil else { return nil }
        let block = logprobs?.completion([piece], startOffset: offsets[choice])
        offsets[choice] += piece.text.count
        return try chunk([CompletionChoice(index: choice, text: piece.text, logprobs: block, finish_reason: nil)])
    }

    mutating func finish(choice: Int, reason: FinishReason) throws -> String {
        try chunk([CompletionChoice(index: choice, text: "", finish_reason: reason.wireValue)])
    }

    func usage(_ usage: Usage) throws -> String {
        try chunk([], usage: usage)
    }

    /// The non-streaming answer.
    func response(_ results: [ChoiceResult], usage: Usage) -> CompletionResponse {
        let choices = results.enumerated().map { index, result in
            let prefix = echo?[index] ?? ""
            let block = logprobs?.completion(result.pieces, startOffset: prefix.count)
            return CompletionChoice(index: index, text: prefix + result.text, logprobs: block,
                                    finish_reason: (result.finishReason ?? .cancelled).wireValue)
        }
        return CompletionResponse(id: id, created: created, model: model, choices: choices, usage: usage)
    }
}
