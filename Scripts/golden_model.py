#!/usr/bin/env python3
"""Golden greedy decodes of SmolLM2-135M-Instruct (Q4_1 GGUF) from llama.cpp, for LlamaRealModelTests.

Independent implementation: llama-cpp-python (llama.cpp). For each prompt we record the prompt ids
(tokenised by llama.cpp with special-token parsing and no BOS), 40 greedy tokens (EOS ignored: the
model keeps generating so every prompt has 40 positions), the top-5 (id, logit) before the first
generated token and the top-2 logit margin at every generated position (a divergence from our engine
is only acceptable where this margin is small: llama.cpp's logits carry about +-0.5 of noise).

Usage: python3 Scripts/golden_model.py [MODEL.gguf] [OUT.json]
"""
import datetime
import hashlib
import json
import os
import platform
import sys

import numpy as np
import llama_cpp
from llama_cpp import Llama

GENERATED = 40
SYSTEM = "You are a helpful AI assistant named SmolLM, trained by Hugging Face"


def chatml(user, system=SYSTEM):
    return (f"<|im_start|>system\n{system}<|im_end|>\n"
            f"<|im_start|>user\n{user}<|im_end|>\n<|im_start|>assistant\n")


PROMPTS = [
    ("plain-capital", "The capital of France is"),
    ("plain-story", "Once upon a time, in a small village by the sea, there lived"),
    ("plain-code", "def fibonacci(n):\n    \"\"\"Return the n-th Fibonacci number.\"\"\"\n"),
    ("plain-list", "Here are three tips for staying healthy:\n1."),
    ("plain-numbers", "1, 2, 3, 4, 5, 6, 7,"),
    ("plain-unicode", "Le café coûte 3 € — naïve résumé: 東京は日本の首都です。"),
    ("plain-single", "Hello"),
    ("chat-photosynthesis", chatml("What is photosynthesis? Explain briefly.")),
    ("chat-math", chatml("What is 12 times 7?")),
    ("chat-poem", chatml("Write a haiku about autumn leaves.")),
    ("chat-custom-system", chatml("Translate 'good morning' into Spanish.", system="You are a translator.")),
    ("chat-multi-turn",
     f"<|im_start|>system\n{SYSTEM}<|im_end|>\n<|im_start|>user\nHi! Who are you?<|im_end|>\n"
     f"<|im_start|>assistant\nI am SmolLM, an AI assistant.<|im_end|>\n"
     f"<|im_start|>user\nName three colours of the rainbow.<|im_end|>\n<|im_start|>assistant\n"),
]


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def main():
    default_model = os.path.expanduser("~/.cache/loraserve/models/SmolLM2-135M-Instruct.Q4_1.gguf")
    model = sys.argv[1] if len(sys.argv) > 1 else default_model
    out = sys.argv[2] if len(sys.argv) > 2 else os.path.join(
        os.path.dirname(__file__), "..", "Tests", "RealModelTests", "Golden", "model-greedy.json")
    llm = Llama(model_path=model, n_ctx=2048, logits_all=True, n_threads=2, seed=0, verbose=False)
    cases = []
    for name, text in PROMPTS:
        ids = llm.tokenize(text.encode("utf-8"), add_bos=False, special=True)
        llm.reset()
        llm.eval(ids)
        generated, margins, first_top5 = [], [], None
        for step in range(GENERATED):
            logits = np.array(llm.scores[llm.n_tokens - 1], dtype=np.float64)
            order = np.argsort(-logits, kind="stable")
            if step == 0:
                first_top5 = [[int(i), round(float(logits[i]), 4)] for i in order[:5]]
            margins.append(round(float(logits[order[0]] - logits[order[1]]), 4))
            token = int(order[0])
            generated.append(token)
            llm.eval([token])
        cases.append({
            "name": name,
            "prompt": text,
            "promptIDs": [int(i) for i in ids],
            "greedy": generated,
            "firstTop5": first_top5,
            "top2Margins": margins,
            "text": llm.detokenize(generated).decode("utf-8", errors="replace"),
        })
    doc = {
        "generator": "Scripts/golden_model.py",
        "oracle": f"llama-cpp-python {llama_cpp.__version__} (llama.cpp), n_ctx=2048, logits_all=True, n_threads=2, seed=0",
        "python": platform.python_version(),
        "numpy": np.__version__,
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "model": os.path.basename(model),
        "modelSHA256": sha256(model),
        "generatedPerPrompt": GENERATED,
        "notes": "Greedy argmax, EOS ignored. promptIDs tokenised with special=True, add_bos=False.",
        "cases": cases,
    }
    with open(out, "w") as f:
        json.dump(doc, f, indent=1, ensure_ascii=False)
        f.write("\n")
    print(f"wrote {len(cases)} cases to {out}")


if __name__ == "__main__":
    main()
