#!/usr/bin/env python3
"""Golden logits for an exported reuse-verifier file, recomputed from the file alone.

Reads the safetensors that Scripts/train_reuse_verifier.py exports (LoRA A/B in F16, lora_scale,
head), merges W += scale * B @ A into the base encoder its `base_model` metadata names (HF
transformers, float32), and computes the logit of the train script's GOLDEN_PAIRS the way its
CrossEncoder does (pair tokenised with truncation at 128, mean pooling, L2 normalisation, head).
Used for a file exported per epoch (`--save-each-epoch`), which gets no golden from training.

Usage: python Scripts/golden_verifier_file.py --verifier FILE --out JSON [--models-dir DIR]
Requires (not in CI): torch, transformers, safetensors (and the train script's imports).
"""
import argparse, hashlib, json, os, platform, sys

import torch
import transformers
from safetensors import safe_open
from transformers import AutoModel, AutoTokenizer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from train_reuse_verifier import GOLDEN_PAIRS  # noqa: E402

BASES = {"sentence-transformers/all-MiniLM-L6-v2": "all-MiniLM-L6-v2",
         "sentence-transformers/all-mpnet-base-v2": "all-mpnet-base-v2"}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--verifier", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--models-dir", default=os.path.expanduser("~/.cache/loraserve/models"))
    args = ap.parse_args()
    torch.set_num_threads(2)
    with safe_open(args.verifier, "pt") as f:
        meta = f.metadata() or {}
        tensors = {k: f.get_tensor(k).float() for k in f.keys()}
    base_dir = os.path.join(args.models_dir, BASES[meta.get("base_model", "sentence-transformers/all-MiniLM-L6-v2")])
    tok = AutoTokenizer.from_pretrained(base_dir)
    model = AutoModel.from_pretrained(base_dir).eval()
    scale = float(tensors["lora_scale"][0])
    params = dict(model.named_parameters())
    with torch.no_grad():
        merged = 0
        for name, a in tensors.items():
            if not name.endswith(".lora_A"):
                continue
            base = name[: -len(".lora_A")]
            params[base + ".weight"].add_(scale * tensors[base + ".lora_B"] @ a)
            merged += 1
        logits = []
        for a, b in GOLDEN_PAIRS:
            enc = tok([a], [b], padding=True, truncation=True, max_length=128, return_tensors="pt")
            h = model(**enc).last_hidden_state
            v = torch.nn.functional.normalize(h.mean(1), dim=-1)
            logits.append(float(v @ tensors["head.weight"][0] + tensors["head.bias"][0]))
    sha = hashlib.sha256(open(args.verifier, "rb").read()).hexdigest()
    golden = {"generator": "Scripts/golden_verifier_file.py", "verifier_sha256": sha, "training": meta,
              "versions": {"torch": torch.__version__, "transformers": transformers.__version__, "python": platform.python_version()},
              "pairs": [{"a": a, "b": b, "logit": l} for (a, b), l in zip(GOLDEN_PAIRS, logits)]}
    with open(args.out, "w", encoding="utf-8") as fh:
        json.dump(golden, fh, ensure_ascii=False, indent=1)
    print(f"merged {merged} deltas; wrote {args.out}")


if __name__ == "__main__":
    main()
