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
    cache = m.new_cache()
    logits = m.forward(prompt, cache, 0)[-1]
    tokens, margins = [], []
    for i in range(STEPS):
        order = np.argsort(-logits, kind="stable")[:2]
        tokens.append(int(order[0]))
        margins.append(round(float(logits[order[0]] - logits[order[1]]), 5))
        if i + 1 < STEPS:
            logits = m.forward([tokens[-1]], cache, len(prompt) + i)[-1]
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
