#!/usr/bin/env python3
"""Golden WordPiece tokenisation for all-MiniLM-L6-v2, produced by HF `tokenizers`.

Writes Tests/RealModelTests/Golden/tokenizer-wordpiece.json: for every string, the ids HF
`tokenizers` produces from the model's tokenizer.json (BertNormalizer + BertPreTokenizer +
WordPiece + [CLS]/[SEP] template) with truncation to `max_length` and no padding.

Usage: python3 Scripts/golden_wordpiece.py [path/to/all-MiniLM-L6-v2]
"""
import datetime
import json
import os
import sys

import tokenizers
from tokenizers import Tokenizer

MODEL_DIR = sys.argv[1] if len(sys.argv) > 1 else os.path.expanduser("~/.cache/loraserve/models/all-MiniLM-L6-v2")
OUT = os.path.join(os.path.dirname(__file__), "..", "Tests", "RealModelTests", "Golden", "tokenizer-wordpiece.json")
MAX_LENGTH = 128

STRINGS = [
    "", " ", "\t\n", "Hello, world!", "hello world", "HELLO WORLD",
    "The quick brown fox jumps over the lazy dog.",
    "A semantic cache stores summaries keyed by embedding similarity.",
    "Tokenization isn't trivial: don't you think?",
    "unaffable", "unbelievably overcomplicated antidisestablishmentarianism",
    "café naïve résumé façade Ångström Łódź", "CAFÉ NAÏVE", "cafe\u0301 combining",
    "Straße", "İstanbul", "ΚΌΣΜΕ κόσμε Σίσυφος", "Привет, мир!", "مرحبا بالعالم", "नमस्ते दुनिया",
    "你好，世界！", "日本語のテキストです。", "中文English混合text", "한국어 텍스트", "ﬁnance ﬀ",
    "😀", "I love 🍕 and 🚀!", "👨‍👩‍👧‍👦 family", "❤️ heart", "👍🏽",
    "0", "42", "3.14159", "1,234,567.89", "2024-11-29T12:00:00Z", "v1.2.3", "1st 2nd 3rd 4th",
    "१२३ ٣٤٥ ½ ²", "$100 €50 £20 ¥1000", "50% off!!!", "email@example.com",
    "https://example.org/path?q=1&r=2#frag", "C++ and C# and F#", "snake_case kebab-case CamelCase",
    "(parentheses) [brackets] {braces} <angles>", "Wait... what?!", "“smart quotes” ‘single’ — dash … ellipsis",
    "tab\tseparated\tvalues", "line one\nline two\r\nline three", "  multiple   spaces  ",
    "control\x00chars\x07here\ufeffbom", "zero\u200bwidth\u200djoiner", "\u00a0nbsp\u3000ideographic",
    "[CLS] already [SEP] has specials [MASK]", "[cls] lower-case is not special", "[UNK]",
    "x[SEP]\u0301y [MASK]\u200dz [[PAD]]", "[SEP[SEP]]",
    "a" * 100, "b" * 101, "x" + "y" * 150 + " short",
    " ".join(["word"] * 200),
    "The mitochondria is the powerhouse of the cell. " * 20,
    "supercalifragilisticexpialidocious pneumonoultramicroscopicsilicovolcanoconiosis",
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
    tok = Tokenizer.from_file(os.path.join(MODEL_DIR, "tokenizer.json"))
    tok.no_padding()
    tok.enable_truncation(max_length=MAX_LENGTH)
    cases = []
    for text in STRINGS:
        enc = tok.encode(text)
        cases.append({"text": text, "ids": enc.ids})
    out = {
        "generator": "Scripts/golden_wordpiece.py",
        "model": "all-MiniLM-L6-v2 (tokenizer.json)",
        "reference": "HF tokenizers Tokenizer.from_file(tokenizer.json), no_padding, enable_truncation(max_length)",
        "versions": {"tokenizers": tokenizers.__version__, "python": sys.version.split()[0]},
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "max_length": MAX_LENGTH,
        "cases": cases,
    }
    with open(OUT, "w", encoding="utf-8") as f:
        f.write(compact_json(out))
    print(f"wrote {len(cases)} cases to {os.path.normpath(OUT)}")


if __name__ == "__main__":
    main()
