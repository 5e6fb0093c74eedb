#!/usr/bin/env python3
"""Greedy continuations from the float64 numpy oracle (Scripts/reference_forward.py's model, with a
KV cache), for the prompts of Golden/model-greedy.json: a second independent implementation to
compare our greedy tokens with, free of llama.cpp's int8-activation rounding noise.

Writes Golden/model-reference-greedy.json: per prompt, 40 greedy tokens and the top-2 margin at
each step (so a test can tell a genuine near-tie from a bug).

Usage: python3 Scripts/reference_greedy.py [MODEL.gguf] [GOLDEN.json] [OUT.json]
"""
import datetime, hashlib, importlib.metadata, json, os, sys
import numpy as np
from reference_forward import Model

STEPS = 40


def greedy(m, prompt):
    T, hd = m.t, m.hd
    group = m.heads // m.kv_heads
    keys = [np.zeros((0, m.kv_heads * hd)) for _ in range(m.layers)]
    values = [np.zeros((0, m.kv_heads * hd)) for _ in range(m.layers)]

    def rope(x, n_heads, start):
        n = x.shape[0]
        x = x.reshape(n, n_heads, hd // 2, 2)
        pos = (start + np.arange(n))[:, None]
        theta = pos * m.base ** (-2.0 * np.arange(hd // 2)[None, :] / hd)
        c, s = np.cos(theta)[:, None, :], np.sin(theta)[:, None, :]
        a, b = x[..., 0], x[..., 1]
        return np.stack([a * c - b * s, a * s + b * c], -1).reshape(n, n_heads * hd)

    def step(ids, start):
        x = T["token_embd.weight"][ids]
        n = len(ids)
        for l in range(m.layers):
            p = f"blk.{l}."
            h = m.rms(x, T[p + "attn_norm.weight"])
            q = rope(h @ T[p + "attn_q.weight"].T, m.heads, start)
            keys[l] = np.vstack([keys[l], rope(h @ T[p + "attn_k.weight"].T, m.kv_heads, start)])
            values[l] = np.vstack([values[l], h @ T[p + "attn_v.weight"].T])
            total = keys[l].shape[0]
            mask = np.triu(np.full((n, total), -np.inf), 1 + start)
            out = np.zeros((n, m.heads * hd))
            for head in range(m.heads):
                kv = head // group
                qh = q[:, head * hd:(head + 1) * hd]
                kh, vh = keys[l][:, kv * hd:(kv + 1) * hd], values[l][:, kv * hd:(kv + 1) * hd]
                s = qh @ kh.T / np.sqrt(hd) + mask
                s = np.exp(s - s.max(-1, keepdims=True))
                out[:, head * hd:(head + 1) * hd] = (s / s.sum(-1, keepdims=True)) @ vh
            x = x + out @ T[p + "attn_output.weight"].T
            h = m.rms(x, T[p + "ffn_norm.weight"])
            g = h @ T[p + "ffn_gate.weight"].T
            u = h @ T[p + "ffn_up.weight"].T
            x = x + (g / (1 + np.exp(-g)) * u) @ T[p + "ffn_down.weight"].T
        head = T.get("output.weight", T["token_embd.weight"])
        return m.rms(x[-1:], T["output_norm.weight"]) @ head.T

    logits = step(prompt, 0)[0]
    tokens, margins = [], []
    for i in range(STEPS):
        order = np.argsort(-logits, kind="stable")[:2]
        tokens.append(int(order[0]))
        margins.append(round(float(logits[order[0]] - logits[order[1]]), 5))
        if i + 1 < STEPS:
            logits = step([tokens[-1]], len(prompt) + i)[0]
    return tokens, margins


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    model = sys.argv[1] if len(sys.argv) > 1 else os.path.expanduser("~/.cache/loraserve/models/SmolLM2-135M-Instruct.Q4_1.gguf")
    golden = sys.argv[2] if len(sys.argv) > 2 else os.path.join(here, "..", "Tests", "RealModelTests", "Golden", "model-greedy.json")
    out = sys.argv[3] if len(sys.argv) > 3 else os.path.join(os.path.dirname(golden), "model-reference-greedy.json")
    m = Model(model)
    cases = []
    for c in json.load(open(golden))["cases"]:
        tokens, margins = greedy(m, c["promptIDs"])
        cases.append({"name": c["name"], "promptIDs": c["promptIDs"], "greedy": tokens, "top2Margin": margins})
        print(c["name"], tokens[:12], file=sys.stderr)
    doc = {"generator": "Scripts/reference_greedy.py", "oracle": "numpy float64 forward over gguf-dequantised weights, KV cache, greedy",
           "numpy": np.__version__, "gguf": importlib.metadata.version("gguf"),
           "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
           "model": os.path.basename(model), "modelSHA256": hashlib.sha256(open(model, "rb").read()).hexdigest(),
           "cases": cases}
    with open(out, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    print(f"wrote {len(cases)} cases to {out}")


if __name__ == "__main__":
    main()
