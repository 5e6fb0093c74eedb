/// One chat turn, as in the OpenAI `messages` array.
public struct ChatMessage: Sendable, Equatable, Codable {
    public var role: String
    public var content: String

    public init(role: String, content: String) {
        self.role = role
        self.content = content
    }
}

/// Renders conversations to prompt text for ChatML-family models, without a Jinja engine.
///
/// Supported templates (recognised structurally from the GGUF `tokenizer.chat_template`, after
/// normalising whitespace inside tags, quote style and `message.role`/`message['role']`):
/// 1. Plain ChatML: every message as `<|im_start|>{role}\n{content}<|im_end|>\n`, then
///    `<|im_start|>assistant\n` when a generation prompt is requested.
/// 2. ChatML with a default system prompt (SmolLM2): as 1, but when the first message is not a
///    system message, `<|im_start|>system\n{default}<|im_end|>\n` is emitted first. The default
///    text is read from the template itself.
/// A nil template means plain ChatML (llama.cpp's fallback too). Anything else — tool calling,
/// role checks that raise, other chat formats — throws `unsupportedChatTemplate` rather than
/// rendering a prompt the model was not trained on.
public struct ChatTemplate: Sendable, Equatable {
    /// The system prompt inserted when a conversation does not start with one (nil: none).
    public let defaultSystemPrompt: String?

    /// Plain ChatML, optionally with a default system prompt.
    public init(defaultSystemPrompt: String? = nil) {
        self.defaultSystemPrompt = defaultSystemPrompt
    }

    /// Recognises a GGUF chat template (see the type's documentation for what is supported).
    public init(ggufTemplate: String?) throws(TokenizerError) {
        guard let ggufTemplate else {
            self.init(defaultSystemPrompt: nil)
            return
        }
        guard ggufTemplate.contains("<|im_start|>"), ggufTemplate.contains("<|im_end|>") else {
            throw .unsupportedChatTemplate(reason: "not a ChatML template (no <|im_start|>/<|im_end|> markers)")
        }
        let normalised = TemplateNormaliser.normalise(ggufTemplate)
        if normalised == Self.plainForm {
            self.init(defaultSystemPrompt: nil)
            return
        }
        if let prompt = Self.defaultSystemPrompt(in: normalised) {
            self.init(defaultSystemPrompt: prompt)
            return
        }
        throw .unsupportedChatTemplate(
            reason: "ChatML variant not recognised (supported: plain ChatML, ChatML with a default system prompt)")
    }

    /// Renders `messages`; `addGenerationPrompt` appends the opening of an assistant turn.
    public func render(_ messages: [ChatMessage], addGenerationPrompt: Bool) -> String {
        var out = ""
        if let defaultSystemPrompt, let first = messages.first, first.role != "system" {
            out += "<|im_start|>system\n\(defaultSystemPrompt)<|im_end|>\n"
        }
        for message in messages {
            out += "<|im_start|>\(message.role)\n\(message.content)<|im_end|>\n"
        }
        if addGenerationPrompt { out += "<|im_start|>assistant\n" }
        return out
    }

    /// Extracts the default system prompt when `normalised` is the SmolLM2 form.
    private static func defaultSystemPrompt(in normalised: String) -> String? {
        let (head, tail) = defaultSystemForm
        guard normalised.count > head.count + tail.count, normalised.hasPrefix(head), normalised.hasSuffix(tail) else {
            return nil
        }
        let escaped = normalised.dropFirst(head.count).dropLast(tail.count)
        return TemplateNormaliser.unescapeLiteral(escaped)
    }

    // Canonical templates, written readably and normalised the same way as the input.
    private static let loopBody =
        "{{ '<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n' }}{% endfor %}"
        + "{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
    private static let plainForm = TemplateNormaliser.normalise("{% for message in messages %}" + loopBody)
    private static let placeholder = "\u{1}SYSTEM\u{1}"
    /// The SmolLM2 form split around its default system prompt.
    private static let defaultSystemForm: (head: String, tail: String) = {
        let full = TemplateNormaliser.normalise(
            "{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}"
            + "{{ '<|im_start|>system\n\(placeholder)<|im_end|>\n' }}{% endif %}" + loopBody)
        guard let range = full.firstRange(of: placeholder) else { return (full, "") }
        return (String(full[..<range.lowerBound]), String(full[range.upperBound...]))
    }()
}
