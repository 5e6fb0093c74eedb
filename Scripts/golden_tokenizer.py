#!/usr/bin/env python3
"""Golden BPE tokenisation for SmolLM2-135M-Instruct, produced by llama.cpp (llama-cpp-python).

Writes Tests/RealModelTests/Golden/tokenizer-bpe.json: for every string, the ids llama.cpp
produces with `tokenize(text, add_bos=False, special=...)` and the text its detokeniser returns;
plus chat-template renderings made with jinja2 from the GGUF's `tokenizer.chat_template`.

Usage: python3 Scripts/golden_tokenizer.py [path/to/SmolLM2-135M-Instruct.Q4_1.gguf]
"""
import datetime
import json
import os
import sys

import jinja2
import llama_cpp
from llama_cpp import Llama

MODEL = sys.argv[1] if len(sys.argv) > 1 else os.path.expanduser(
    "~/.cache/loraserve/models/SmolLM2-135M-Instruct.Q4_1.gguf")
OUT = os.path.join(os.path.dirname(__file__), "..", "Tests", "RealModelTests", "Golden", "tokenizer-bpe.json")

PROSE = ("The quick brown fox jumps over the lazy dog. It wasn't the dog's fault; they'd been "
         "running all day, and we'll never know why you're so tired. I'm sure it'll be fine.")

CASES = [
    # (category, text, parse_special)
    ("empty", "", True),
    ("prose", "Hello world", True),
    ("prose", " Hello world", True),
    ("prose", "Hello World!", True),
    ("prose", PROSE, True),
    ("prose", "Once upon a time, in a land far, far away, there lived a curious little robot.", True),
    ("prose", "LoRA adapters let many fine-tuned models share one base model.", True),
    ("contractions", "don't can't won't shouldn't I've we're they'll she'd he's", True),
    ("contractions", "DON'T CAN'T I'VE WE'RE", True),
    ("contractions", "'s 't 're 've 'm 'll 'd", True),
    ("contractions", "rock'n'roll o'clock 'quoted' ''double''", True),
    ("whitespace", " ", True),
    ("whitespace", "  ", True),
    ("whitespace", "   leading spaces", True),
    ("whitespace", "trailing spaces   ", True),
    ("whitespace", "a  b   c    d", True),
    ("whitespace", "\t", True),
    ("whitespace", "tab\tseparated\tvalues", True),
    ("whitespace", "\n", True),
    ("whitespace", "\n\n\n", True),
    ("whitespace", "line one\nline two\n\nline four", True),
    ("whitespace", "mixed \t \n \r\n  whitespace\t\t\n", True),
    ("whitespace", "        indented code", True),
    ("whitespace", "\u00a0non-breaking\u2003em space\u3000ideographic", True),
    ("digits", "0", True),
    ("digits", "42", True),
    ("digits", "2024-11-29", True),
    ("digits", "3.14159265358979", True),
    ("digits", "1234567890123456789012345678901234567890", True),
    ("digits", "The year 1999 had 365 days and 8760 hours.", True),
    ("digits", "v1.2.3 x86_64 utf-8 3rd 21st", True),
    ("digits", "\u0663\u0664\u0665 \u00bd \u00b2 \u2167 \uff11\uff12", True),
    ("code", "def add(a, b):\n    return a + b\n", True),
    ("code", "for (int i = 0; i < n; ++i) { sum += x[i]; }", True),
    ("code", "let tokens = try tokenizer.encode(\"hi\", parseSpecial: true) // swift", True),
    ("code", "<div class=\"main\">&nbsp;</div>", True),
    ("code", "SELECT * FROM users WHERE id = 42;", True),
    ("code", "{\"key\": [1, 2, 3], \"nested\": {\"a\": null}}", True),
    ("punctuation", "Wait... what?!?! Really??? Yes!!!", True),
    ("punctuation", "---===***###@@@", True),
    ("punctuation", "(parentheses) [brackets] {braces} <angles>", True),
    ("punctuation", "email@example.com https://example.org/path?q=1&r=2#frag", True),
    ("punctuation", "\u201csmart quotes\u201d \u2018single\u2019 \u2014 em-dash \u2026 ellipsis", True),
    ("unicode", "caf\u00e9 na\u00efve r\u00e9sum\u00e9 fa\u00e7ade", True),
    ("unicode", "cafe\u0301 combining acute", True),
    ("unicode", "Stra\u00dfe \u00c5ngstr\u00f6m \u0141\u00f3d\u017a", True),
    ("unicode", "\u4f60\u597d\uff0c\u4e16\u754c\uff01", True),
    ("unicode", "\u65e5\u672c\u8a9e\u306e\u30c6\u30ad\u30b9\u30c8\u3067\u3059\u3002", True),
    ("unicode", "\ud55c\uad6d\uc5b4 \ud14d\uc2a4\ud2b8", True),
    ("unicode", "\u041f\u0440\u0438\u0432\u0435\u0442, \u043c\u0438\u0440!", True),
    ("unicode", "\u0645\u0631\u062d\u0628\u0627 \u0628\u0627\u0644\u0639\u0627\u0644\u0645", True),
    ("unicode", "\u0928\u092e\u0938\u094d\u0924\u0947 \u0926\u0941\u0928\u093f\u092f\u093e", True),
    ("unicode", "\u0393\u03b5\u03b9\u03ac \u03c3\u03bf\u03c5 \u039a\u03cc\u03c3\u03bc\u03b5", True),
    ("emoji", "\U0001F600", True),
    ("emoji", "I love \U0001F355 and \U0001F680!", True),
    ("emoji", "\U0001F468\u200d\U0001F469\u200d\U0001F467\u200d\U0001F466 family", True),
    ("emoji", "\U0001F44D\U0001F3FD thumbs", True),
    ("emoji", "\U0001F1FA\U0001F1F8\U0001F1EF\U0001F1F5 flags", True),
    ("emoji", "\u2764\ufe0f heart", True),
    ("emoji", "\U0001F9D1\U0001F3FB\u200d\U0001F4BB coder", True),
    ("control", "<|im_start|>", True),
    ("control", "<|im_end|>", True),
    ("control", "<|endoftext|>", True),
    ("control", "<|im_start|>user\nHi<|im_end|>", True),
    ("control", "<|im_start|>user\nHi<|im_end|>", False),
    ("control", "text<|endoftext|>more text", True),
    ("control", "text<|endoftext|>more text", False),
    ("control", "<|im_start|><|im_end|><|im_start|>", True),
    ("control", "<|im_start|><im_end|> <|im_end", True),
    ("control", "<repo_name>loraserve<file_sep>main.swift<filename>x", True),
    ("control", " <|im_start|> spaced <|im_end|> ", True),
    ("control", "<|im_end|>\u0301 mark after a control token\u200d<|im_start|>", True),
    ("chat", "<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>\n"
             "<|im_start|>user\nWhat is the capital of France?<|im_end|>\n<|im_start|>assistant\n", True),
    ("chat", "<|im_start|>user\nWrite a haiku about tokenizers.<|im_end|>\n<|im_start|>assistant\n"
             "Bytes merge into words,\nranked pairs fold the text in two \u2014\nids flow like rain.<|im_end|>\n", True),
    ("mixed", "Mixed: caf\u00e9 \U0001F600 123 \u4f60\u597d\ttab\nnew line  end", True),
    ("mixed", "ALLCAPS lowercase CamelCase snake_case kebab-case", True),
    ("mixed", "a" * 300, True),
    ("mixed", " ".join(["tokenization"] * 40), True),
]

CHATS = [
    ([{"role": "user", "content": "Hello!"}], True),
    ([{"role": "user", "content": "Hello!"}], False),
    ([{"role": "system", "content": "You are terse."}, {"role": "user", "content": "Hi"}], True),
    ([{"role": "user", "content": "What is 2+2?"}, {"role": "assistant", "content": "4"},
      {"role": "user", "content": "And 3+3?"}], True),
    ([{"role": "system", "content": "Sys"}, {"role": "user", "content": "multi\nline\n\ncontent"},
      {"role": "assistant", "content": "caf\u00e9 \U0001F600"}], False),
    ([], True),
    ([{"role": "assistant", "content": "I start."}], True),
]


def compact_json(obj):
    """Pretty at the top level, one list entry per line: small diffs, small file."""
    lines = ["{"]
    items = list(obj.items())
    for i, (key, value) in enumerate(items):
        comma = "," if i + 1 < len(items) else ""
        if isinstance(value, list):
            lines.append(f"  {json.dumps(key)}: [")
            for j, entry in enumerate(value):
                entry_comma = "," if j + 1 < len(value) else ""
                lines.append("    " + json.dumps(entry, ensure_ascii=False) + entry_comma)
            lines.append("  ]" + comma)
        else:
            lines.append(f"  {json.dumps(key)}: {json.dumps(value, ensure_ascii=False)}{comma}")
    lines.append("}")
    return "\n".join(lines) + "\n"


def main():
    llm = Llama(model_path=MODEL, vocab_only=True, verbose=False)
    cases = []
    for category, text, special in CASES:
        ids = llm.tokenize(text.encode("utf-8"), add_bos=False, special=special)
        decoded = llm.detokenize(ids, special=True).decode("utf-8", errors="replace")
        cases.append({"category": category, "text": text, "parse_special": special,
                      "ids": ids, "decoded": decoded})

    template_text = llm.metadata.get("tokenizer.chat_template")
    env = jinja2.Environment(trim_blocks=True, lstrip_blocks=True)
    template = env.from_string(template_text)
    chats = []
    for messages, add_generation_prompt in CHATS:
        rendered = template.render(messages=messages, add_generation_prompt=add_generation_prompt)
        chats.append({"messages": messages, "add_generation_prompt": add_generation_prompt,
                      "rendered": rendered})

    out = {
        "generator": "Scripts/golden_tokenizer.py",
        "model": os.path.basename(MODEL),
        "reference": "llama.cpp via llama-cpp-python: tokenize(text, add_bos=False, special=parse_special); "
                     "detokenize(ids, special=True); chat via jinja2(trim_blocks, lstrip_blocks)",
        "versions": {"llama_cpp_python": llama_cpp.__version__, "jinja2": jinja2.__version__,
                     "python": sys.version.split()[0]},
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "chat_template": template_text,
        "cases": cases,
        "chats": chats,
    }
    with open(OUT, "w", encoding="utf-8") as f:
        f.write(compact_json(out))
    print(f"wrote {len(cases)} cases and {len(chats)} chats to {os.path.normpath(OUT)}")


if __name__ == "__main__":
    main()
