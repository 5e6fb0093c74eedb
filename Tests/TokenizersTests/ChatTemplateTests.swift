import Testing
import Tokenizers

@Suite("ChatTemplate")
struct ChatTemplateTests {
    /// SmolLM2-135M-Instruct's `tokenizer.chat_template`, verbatim.
    static let smolLM2 = """
        {% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}{{ '<|im_start|>system
        You are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>
        ' }}{% endif %}{{'<|im_start|>' + message['role'] + '
        ' + message['content'] + '<|im_end|>' + '
        '}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant
        ' }}{% endif %}
        """
    static let defaultSystem = "You are a helpful AI assistant named SmolLM, trained by Hugging Face"

    @Test("SmolLM2's template is recognised with its default system prompt")
    func recognisesSmolLM2() throws {
        let template = try ChatTemplate(ggufTemplate: Self.smolLM2)
        #expect(template.defaultSystemPrompt == Self.defaultSystem)
    }

    @Test("the default system prompt is added only when the first message is not a system message")
    func defaultSystemBehaviour() throws {
        let template = try ChatTemplate(ggufTemplate: Self.smolLM2)
        let user = [ChatMessage(role: "user", content: "Hi")]
        #expect(template.render(user, addGenerationPrompt: true) ==
            "<|im_start|>system\n\(Self.defaultSystem)<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n")
        let withSystem = [ChatMessage(role: "system", content: "Be brief."), ChatMessage(role: "user", content: "Hi")]
        #expect(template.render(withSystem, addGenerationPrompt: false) ==
            "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n")
        #expect(template.render([], addGenerationPrompt: true) == "<|im_start|>assistant\n")
        #expect(template.render([], addGenerationPrompt: false) == "")
    }

    @Test("plain ChatML spellings are recognised without a default system prompt", arguments: [
        "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}",
        "{%- for message in messages -%}\n  {{- \"<|im_start|>\" + message.role + \"\\n\" + message.content + \"<|im_end|>\\n\" -}}\n{%- endfor -%}\n{%- if add_generation_prompt -%}\n  {{- \"<|im_start|>assistant\\n\" -}}\n{%- endif -%}",
    ])
    func plainChatML(template: String) throws {
        let parsed = try ChatTemplate(ggufTemplate: template)
        #expect(parsed.defaultSystemPrompt == nil)
        #expect(parsed.render([ChatMessage(role: "user", content: "x")], addGenerationPrompt: false) == "<|im_start|>user\nx<|im_end|>\n")
    }

    @Test("a missing template means plain ChatML")
    func nilTemplate() throws {
        #expect(try ChatTemplate(ggufTemplate: nil) == ChatTemplate())
    }

    @Test("templates it cannot render faithfully are rejected", arguments: [
        "{% for message in messages %}[INST] {{ message['content'] }} [/INST]{% endfor %}",
        "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>\\n'}}{% if message.tool_calls %}{{ tools }}{% endif %}{% endfor %}",
        "{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}{{ '<|im_start|>system\\n' + date_string + '<|im_end|>\\n' }}{% endif %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}",
    ])
    func rejectsUnknown(template: String) {
        #expect(throws: TokenizerError.self) { try ChatTemplate(ggufTemplate: template) }
    }
}
