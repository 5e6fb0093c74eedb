import Engine
import OpenAIWire

/// One choice's whole output (non-streaming answers).
struct ChoiceResult: Sendable {
    var text = ""
    var pieces: [TokenPiece] = []
    var finishReason: FinishReason?
    var promptTokens = 0
    var completionTokens = 0
}

enum GenerationCollector {
    /// Waits for every choice; the first failure cancels the rest and is thrown.
    static func collect(_ fanIn: GenerationFanIn) async throws -> [ChoiceResult] {
        var results = [ChoiceResult](repeating: ChoiceResult(), count: fanIn.choiceCount)
        for await item in fanIn.items {
            switch item {
            case let .token(choice, piece):
                results[choice].text += piece.text
                results[choice].pieces.append(piece)
            case let .finished(choice, reason, prompt, completion):
                results[choice].finishReason = reason
                results[choice].promptTokens = prompt
                results[choice].completionTokens = completion
            case let .failed(_, error):
                fanIn.cancel()
                throw error
            }
        }
        // Streams that ended without finishing were cancelled (the client went away).
        guard results.allSatisfy({ $0.finishReason != nil }) else { throw CancellationError() }
        return results
    }

    /// OpenAI counts each prompt once however many choices it has, and every choice's completion.
    static func usage(promptTokens: [Int], completionTokens: Int) -> Usage {
        Usage(prompt: promptTokens.reduce(0, +), completion: completionTokens)
    }
}

extension FinishReason {
    /// The OpenAI `finish_reason`; a request the engine cancelled reports vLLM's `abort`.
    var wireValue: String {
        switch self {
        case .stop: "stop"
        case .length: "length"
        case .cancelled: "abort"
        }
    }
}
