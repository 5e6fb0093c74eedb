import Foundation
import GGUF
import ServeCore
import TestSupport
import Testing
import Tokenizers

/// The tokenizers on the real vocabularies, against golden files from independent implementations:
/// Golden/tokenizer-bpe.json (llama.cpp via llama-cpp-python, Scripts/golden_tokenizer.py) and
/// Golden/tokenizer-wordpiece.json (HF `tokenizers`, Scripts/golden_wordpiece.py).
@Suite struct TokenizerRealModelTests {
    struct BPEGolden: Decodable {
        struct Case: Decodable {
            let category: String
            let text: String
            let parse_special: Bool
            let ids: [Int32]
            let decoded: String
        }
        struct Chat: Decodable {
            let messages: [ChatMessage]
            let add_generation_prompt: Bool
            let rendered: String
        }
        let chat_template: String
        let cases: [Case]
        let chats: [Chat]
    }

    struct WordPieceGolden: Decodable {
        struct Case: Decodable {
            let text: String
            let ids: [Int32]
        }
        let max_length: Int
        let cases: [Case]
    }

    struct MissingGolden: Error { let name: String }

    static func loadGolden<T: Decodable>(_ name: String, as type: T.Type) throws -> T {
        guard let url = Bundle.module.url(forResource: "Golden/\(name)", withExtension: "json") else { throw MissingGolden(name: name) }
        return try JSONDecoder().decode(T.self, from: Data(contentsOf: url))
    }

    /// The GGUF is read once for the suite (~100 MB).
    static let smolLM2: Result<GGUFFile, any Error> = Result {
        let bytes = try RealModels.readFile(try RealModels.smolLM2Path())
        return try GGUFFile(bytes: GGUFFuzzing.owned(bytes))
    }

    static let bpe: Result<BPETokenizer, any Error> = Result { try BPETokenizer(gguf: try smolLM2.get()) }

    @Test func bpeGoldenCoversTheRequiredCases() throws {
        let golden = try Self.loadGolden("tokenizer-bpe", as: BPEGolden.self)
        #expect(golden.cases.count >= 60)
        let categories = Set(golden.cases.map(\.category))
        for required in ["empty", "prose", "code", "whitespace", "digits", "unicode", "emoji", "control", "chat", "contractions", "punctuation"] {
            #expect(categories.contains(required), "missing category \(required)")
        }
    }

    @Test func smolLM2TokenizerFacts() throws {
        let tok = try Self.bpe.get()
        #expect(tok.vocabularySize == 49_152)
        #expect(tok.bosID == 1 && tok.eosID == 2 && tok.unknownID == 0)
        #expect(!tok.addsBOS)
        #expect(tok.preTokenizer == .smollm)
        #expect(tok.isEndOfGeneration(2) && tok.isEndOfGeneration(0) && !tok.isEndOfGeneration(1))
        #expect(tok.tokenID(forText: "<|im_end|>") == 2)
    }

    @Test func bpeIDsMatchLlamaCpp() throws {
        let tok = try Self.bpe.get()
        let golden = try Self.loadGolden("tokenizer-bpe", as: BPEGolden.self)
        var mismatches: [String] = []
        for item in golden.cases where tok.encode(item.text, parseSpecial: item.parse_special) != item.ids {
            mismatches.append("\(item.category): \(item.text.debugDescription)")
        }
        #expect(mismatches.isEmpty, "ids differ from llama.cpp for: \(mismatches)")
    }

    @Test func bpeDecodeRoundTripsAndMatchesLlamaCpp() throws {
        let tok = try Self.bpe.get()
        let golden = try Self.loadGolden("tokenizer-bpe", as: BPEGolden.self)
        for item in golden.cases {
            #expect(tok.decode(item.ids) == item.decoded, "decode of \(item.text.debugDescription)")
            #expect(tok.decode(tok.encode(item.text, parseSpecial: item.parse_special)) == item.text)
        }
    }

    @Test func streamingDecodeMatchesOneShotOnGolden() throws {
        let tok = try Self.bpe.get()
        let golden = try Self.loadGolden("tokenizer-bpe", as: BPEGolden.self)
        for item in golden.cases {
            var stream = StreamingDetokenizer(tokenizer: tok)
            var text = ""
            for id in item.ids {
                let piece = stream.push(id)
                #expect(!piece.contains("\u{FFFD}"), "broken UTF-8 streamed for \(item.text.debugDescription)")
                text += piece
            }
            text += stream.finish()
            #expect(text == item.text)
        }
    }

    @Test func chatTemplateMatchesJinja() throws {
        let golden = try Self.loadGolden("tokenizer-bpe", as: BPEGolden.self)
        let template = try ChatTemplate(gguf: try Self.smolLM2.get())
        #expect(try ChatTemplate(ggufTemplate: golden.chat_template) == template)
        #expect(template.defaultSystemPrompt == "You are a helpful AI assistant named SmolLM, trained by Hugging Face")
        for chat in golden.chats {
            #expect(template.render(chat.messages, addGenerationPrompt: chat.add_generation_prompt) == chat.rendered)
        }
    }

    @Test func wordPieceIDsMatchHuggingFace() throws {
        let directory = try RealModels.miniLMDirectory()
        let text = String(decoding: try RealModels.readFile(directory + "/vocab.txt"), as: UTF8.self)
        var vocabulary = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if vocabulary.last == "" { vocabulary.removeLast() }
        let tok = try WordPieceTokenizer(vocabulary: vocabulary)
        #expect(tok.vocabularySize == 30_522)
        let golden = try Self.loadGolden("tokenizer-wordpiece", as: WordPieceGolden.self)
        #expect(golden.cases.count >= 50)
        var mismatches: [String] = []
        for item in golden.cases where tok.encode(item.text, maxLength: golden.max_length) != item.ids {
            mismatches.append(item.text.debugDescription)
        }
        #expect(mismatches.isEmpty, "ids differ from HF tokenizers for: \(mismatches)")
    }
}
