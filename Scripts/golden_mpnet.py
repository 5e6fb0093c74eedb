#!/usr/bin/env python3
"""Golden embeddings for all-mpnet-base-v2 (experiment M's base encoder) from HF transformers.

The reference is transformers' own MPNetModel (torch, float32) over the fetched
model.safetensors, mean-pooled over real tokens and L2-normalised — sentence-transformers'
Transformer -> Pooling(mean) -> Normalize for this model — with token ids from the model's
tokenizer.json (HF `tokenizers`), truncated at 384 (sentence_bert_config.json's max_seq_length).
A sample of Scripts/golden_embeddings.py's sentences, so the file stays small: empty input,
accents, CJK, emoji, numbers, and inputs longer than the limit.

Usage: python Scripts/golden_mpnet.py [--model-dir DIR] [--out FILE]
Requires (not in CI): torch, transformers, numpy.
"""
import argparse, hashlib, json, os, platform, sys

import numpy as np
import torch
import transformers
from transformers import AutoModel, AutoTokenizer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
SENTENCES = [
    "", "Hello world", "The quick brown fox jumps over the lazy dog.", "Who won the 2018 FIFA World Cup?",
    "What is not a prime number between 10 and 20?", "Order #12345 costs $1,299.99 (incl. 20% VAT).",
    "Café crème brûlée à la carte — naïve façade.", "ÉCOLE NORMALE SUPÉRIEURE", "Привет, как дела?",
    "東京は日本の首都です。", "Mixed 中文 and English text with 日本語.", "I love pizza 🍕🍕 and tacos 🌮!",
    "Family: 👨‍👩‍👧‍👦 and flags 🇫🇷🇯🇵", "tabs\tand\nnewlines\r\nin text", "<s> and </s> are special; [CLS] is not here.",
    "Who was the Norse leader?", "Who led the Norse raiders?", "x" * 150, " ".join(["token"] * 500),
    ("The Turing test, developed by Alan Turing in 1950, is a test of a machine's ability to exhibit "
     "intelligent behaviour equivalent to, or indistinguishable from, that of a human. ") * 8,
]
MAX_LENGTH = 384


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model-dir", default=os.path.expanduser("~/.cache/loraserve/models/all-mpnet-base-v2"))
    ap.add_argument("--out", default="Tests/RealModelTests/Golden/embeddings-mpnet.json")
    args = ap.parse_args()
    torch.set_num_threads(2)
    tok = AutoTokenizer.from_pretrained(args.model_dir)
    model = AutoModel.from_pretrained(args.model_dir).eval()
    out = []
    with torch.no_grad():
        for text in SENTENCES:
            enc = tok([text], truncation=True, max_length=MAX_LENGTH, return_tensors="pt")
            h = model(**enc).last_hidden_state[0]
            v = torch.nn.functional.normalize(h.mean(0), dim=-1)
            out.append({"text": text, "token_ids": enc["input_ids"][0].tolist(),
                        "embedding": [float(f"{x:.7g}") for x in v.tolist()]})
    sha = hashlib.sha256(open(os.path.join(args.model_dir, "model.safetensors"), "rb").read()).hexdigest()
    golden = {"generator": "Scripts/golden_mpnet.py", "max_length": MAX_LENGTH, "model_safetensors_sha256": sha,
              "versions": {"torch": torch.__version__, "transformers": transformers.__version__, "numpy": np.__version__,
                           "python": platform.python_version()},
              "sentences": out}
    with open(args.out, "w", encoding="utf-8") as fh:
        json.dump(golden, fh, ensure_ascii=False)
    print(f"wrote {args.out}: {len(out)} sentences, longest {max(len(s['token_ids']) for s in out)} tokens")


if __name__ == "__main__":
    main()
