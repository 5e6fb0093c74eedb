#!/usr/bin/env python3
"""Float64 numpy forward pass of a Llama GGUF (dequantised weights): an oracle with no rounding
noise to speak of, independent of llama.cpp and of our Swift code.

For each case of Tests/RealModelTests/Golden/model-greedy.json it records the logits of the top-10
tokens after the prompt (teacher-forced over the prompt and llama.cpp's first 8 greedy tokens, so
decode positions are covered too) into Golden/model-reference.json.

Usage: python3 Scripts/reference_forward.py [MODEL.gguf] [GOLDEN.json] [OUT.json]
Needs: numpy, gguf (pip install gguf).
"""
import datetime
import hashlib
import importlib.metadata
import json
import os
import sys

import numpy as np
import gguf
from gguf import GGUFReader
from gguf.quants import dequantize

FORCED = 8   # generated tokens appended (teacher forcing) after the prompt
TOP = 10


class Model:
    def __init__(self, path):
        r = GGUFReader(path)
        def field(key):
            f = r.fields[key]
            return f.parts[f.data[0]].tolist()[0] if f.types[0] != gguf.GGUFValueType.STRING else bytes(f.parts[f.data[0]]).decode()
        assert field("general.architecture") == "llama"
        self.layers = int(field("llama.block_count"))
        self.heads = int(field("llama.attention.head_count"))
        self.kv_heads = int(field("llama.attention.head_count_kv"))
        self.base = float(field("llama.rope.freq_base"))
        self.eps = float(field("llama.attention.layer_norm_rms_epsilon"))
        self.t = {}
        for t in r.tensors:
            w = dequantize(t.data, t.tensor_type).astype(np.float64)
            rows = int(np.prod(t.shape[1:])) if len(t.shape) > 1 else 1
            self.t[t.name] = w.reshape(rows, int(t.shape[0])) if len(t.shape) > 1 else w.reshape(-1)
        self.width = self.t["token_embd.weight"].shape[1]
        self.hd = self.width // self.heads

    def rms(self, x, w):
        return x / np.sqrt((x * x).mean(-1, keepdims=True) + self.eps) * w

    def rope(self, x, n_heads, start=0):
        n, hd = x.shape[0], self.hd
        x = x.reshape(n, n_heads, hd // 2, 2)
        pos = (start + np.arange(n))[:, None]
        theta = pos * self.base ** (-2.0 * np.arange(hd // 2)[None, :] / hd)
        c, s = np.cos(theta)[:, None, :], np.sin(theta)[:, None, :]
        a, b = x[..., 0], x[..., 1]
        return np.stack([a * c - b * s, a * s + b * c], -1).reshape(n, n_heads * hd)

    def new_cache(self):
        """Per-layer keys and values (rows = positions), for incremental decoding."""
        width = self.kv_heads * self.hd
        return [[np.zeros((0, width)), np.zeros((0, width))] for _ in range(self.layers)]

    def forward(self, ids, cache, start):
        """Logits for `ids` at positions start..start+len(ids)-1, appending to `cache`."""
        T, hd = self.t, self.hd
        x = T["token_embd.weight"][ids]
        n = len(ids)
        group = self.heads // self.kv_heads
        for l in range(self.layers):
            p = f"blk.{l}."
            h = self.rms(x, T[p + "attn_norm.weight"])
            q = self.rope(h @ T[p + "attn_q.weight"].T, self.heads, start)
            cache[l][0] = np.vstack([cache[l][0], self.rope(h @ T[p + "attn_k.weight"].T, self.kv_heads, start)])
            cache[l][1] = np.vstack([cache[l][1], h @ T[p + "attn_v.weight"].T])
            k, v = cache[l]
            mask = np.triu(np.full((n, k.shape[0]), -np.inf), 1 + start)
            out = np.zeros((n, self.heads * hd))
            for head in range(self.heads):
                kv = head // group
                qh, kh, vh = q[:, head * hd:(head + 1) * hd], k[:, kv * hd:(kv + 1) * hd], v[:, kv * hd:(kv + 1) * hd]
                s = qh @ kh.T / np.sqrt(hd) + mask
                s = np.exp(s - s.max(-1, keepdims=True))
                out[:, head * hd:(head + 1) * hd] = (s / s.sum(-1, keepdims=True)) @ vh
            x = x + out @ T[p + "attn_output.weight"].T
            h = self.rms(x, T[p + "ffn_norm.weight"])
            g = h @ T[p + "ffn_gate.weight"].T
            u = h @ T[p + "ffn_up.weight"].T
            x = x + (g / (1 + np.exp(-g)) * u) @ T[p + "ffn_down.weight"].T
        head = T.get("output.weight", T["token_embd.weight"])
        return self.rms(x, T["output_norm.weight"]) @ head.T

    def logits(self, ids):
        return self.forward(ids, self.new_cache(), 0)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    model = sys.argv[1] if len(sys.argv) > 1 else os.path.expanduser("~/.cache/loraserve/models/SmolLM2-135M-Instruct.Q4_1.gguf")
    golden = sys.argv[2] if len(sys.argv) > 2 else os.path.join(here, "..", "Tests", "RealModelTests", "Golden", "model-greedy.json")
    out = sys.argv[3] if len(sys.argv) > 3 else os.path.join(os.path.dirname(golden), "model-reference.json")
    m = Model(model)
    cases = []
    for c in json.load(open(golden))["cases"]:
        ids = c["promptIDs"] + c["greedy"][:FORCED]
        logits = m.logits(ids)
        rows = []
        for i in range(len(c["promptIDs"]) - 1, len(ids)):
            order = np.argsort(-logits[i], kind="stable")[:TOP]
            rows.append([[int(j), round(float(logits[i][j]), 4)] for j in order])
        cases.append({"name": c["name"], "ids": ids, "firstPosition": len(c["promptIDs"]) - 1, "top": rows})
    h = hashlib.sha256(open(model, "rb").read()).hexdigest()
    doc = {"generator": "Scripts/reference_forward.py", "oracle": "numpy float64 forward over gguf-dequantised weights",
           "numpy": np.__version__, "gguf": importlib.metadata.version("gguf"),
           "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
           "model": os.path.basename(model), "modelSHA256": h,
           "notes": f"top-{TOP} (id, logit) at every position from the prompt's last token on; ids = prompt + llama.cpp's first {FORCED} greedy tokens",
           "cases": cases}
    with open(out, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    print(f"wrote {len(cases)} cases to {out}")


if __name__ == "__main__":
    main()
