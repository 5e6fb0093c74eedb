import Engine
import Foundation
import OpenAIWire
import ServeCore

/// Builds the two OpenAI logprob shapes from engine token pieces.
struct LogprobFormatting: Sendable {
    /// Top entries per token to report (the engine may return more).
    let topCount: Int
    let tokenText: @Sendable (TokenID) -> String

    /// vLLM reports -inf as -9999 (JSON has no infinities).
    static func finite(_ value: Float?) -> Float {
        guard let value, value.isFinite else { return -9999 }
        return value
    }

    /// Legacy completions block for `pieces`, whose text starts `startOffset` characters into the choice's text.
    func completion(_ pieces: [TokenPiece], startOffset: Int) -> CompletionLogprobs {
        var offset = startOffset
        var offsets: [Int] = []
        offsets.reserveCapacity(pieces.count)
        for piece in pieces {
            offsets.append(offset)
            offset += piece.text.count
        }
        let tops: [[String: Float]] = pieces.map { piece in
            var top: [String: Float] = [:]
            for entry in piece.top.prefix(topCount) { top[tokenText(entry.id)] = Self.finite(entry.logprob) }
            return top
        }
        return CompletionLogprobs(tokens: pieces.map { tokenText($0.id) }, token_logprobs: pieces.map { Self.finite($0.logprob) },
                                  top_logprobs: tops, text_offset: offsets)
    }

    /// Chat `logprobs.content` entries for `pieces`, or nil if OpenAIWire's types cannot be built.
    func chat(_ pieces: [TokenPiece]) -> ChatLogprobs? {
        guard var logprobs = Self.chatTemplate, let tokenTemplate = Self.tokenTemplate, let topTemplate = Self.topTemplate else { return nil }
        logprobs.content = pieces.map { piece in
            var entry = tokenTemplate
            entry.token = tokenText(piece.id)
            entry.logprob = Self.finite(piece.logprob)
            entry.bytes = Array(entry.token.utf8)
            entry.top_logprobs = piece.top.prefix(topCount).map { top in
                var item = topTemplate
                item.token = tokenText(top.id)
                item.logprob = Self.finite(top.logprob)
                item.bytes = Array(item.token.utf8)
                return item
            }
            return entry
        }
        return logprobs
    }

    // OpenAIWire's chat logprob types have public fields but no public initialisers; decode one
    // empty value of each once and fill in copies.
    private static let chatTemplate = try? JSONDecoder().decode(ChatLogprobs.self, from: Data(#"{"content":[]}"#.utf8))
    private static let tokenTemplate = try? JSONDecoder().decode(ChatTokenLogprob.self, from: Data(#"{"token":"","logprob":0,"top_logprobs":[]}"#.utf8))
    private static let topTemplate = try? JSONDecoder().decode(ChatTopLogprob.self, from: Data(#"{"token":"","logprob":0}"#.utf8))
}
