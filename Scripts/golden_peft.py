#!/usr/bin/env python3
"""Golden PEFT adapters and the logits Hugging Face + peft compute with them (independent LoRA oracle).

Independent implementation: transformers loads the Q4_1 GGUF (dequantised to float32, q/k rows
un-permuted back to HF layout, LM head tied), peft writes real adapters in HF layout and applies them.
Our engine reads the same PEFT files, permutes lora_B rows of q_proj/k_proj into the GGUF layout and
computes y = Wx + s*B(Ax); if its logits match the ones recorded here, PEFT import (names, shapes,
scales, rank/alpha patterns, permutation) is verified.

Writes:
  Tests/RealModelTests/Golden/peft-adapter/<name>/{adapter_config.json,adapter_model.safetensors}
  Tests/RealModelTests/Golden/peft-logits.json

Sanity checks (recorded in the JSON, and the script fails if they do not hold):
  * transformers' q/k equal our own un-permutation of gguf-py's dequantised attn_q/attn_k;
  * HF base argmax agrees with llama.cpp's greedy tokens (Golden/model-greedy.json, teacher-forced)
    except at near-ties;
  * base logits are bit-deterministic across two runs; adapter reloaded from disk == in memory;
    merged (merge_and_unload) == unmerged within float32 rounding.

Needs a venv with torch (CPU), transformers, peft, safetensors, gguf, numpy (see docs/golden-files.md).
Usage: python Scripts/golden_peft.py [MODEL.gguf]
"""
import copy
import datetime
import hashlib
from importlib import metadata
import json
import os
import platform
import sys

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import gguf
import numpy as np
import torch
from peft import LoraConfig, PeftModel, get_peft_model
from transformers import AutoModelForCausalLM, AutoTokenizer

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
GOLDEN = os.path.join(ROOT, "Tests", "RealModelTests", "Golden")
MODEL_SHA256 = "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"
N_HEAD, N_HEAD_KV = 9, 3
PROMPT_CASES = ["plain-capital", "plain-story", "plain-code", "chat-math"]
TOP_K = 10
HF_BASE = "HuggingFaceTB/SmolLM2-135M-Instruct"
B_STD = 0.04  # lora_B ~ N(0, B_STD); lora_A ~ N(0, 1/in_features)

ALL_TARGETS = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]
ADAPTERS = [
    {
        "name": "r8-list-layers",
        "seed": 1234,
        "what": "target_modules as a list, layers_to_transform, scale alpha/r",
        "config": dict(r=8, lora_alpha=16, target_modules=ALL_TARGETS,
                       layers_to_transform=[0, 1, 14, 29], use_rslora=False),
    },
    {
        "name": "r4-rslora-patterns",
        "seed": 5678,
        "what": "target_modules as a regex (layer 3 only), rsLoRA alpha/sqrt(r), rank_pattern, alpha_pattern",
        "config": dict(r=4, lora_alpha=8,
                       target_modules=r".*\.layers\.3\.(self_attn\.(q|k|v|o)_proj|mlp\.(gate|up|down)_proj)",
                       use_rslora=True, rank_pattern={"k_proj": 2}, alpha_pattern={"o_proj": 4}),
    },
]


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def gguf_permute(w, n_head):
    """llama.cpp's convert_hf_to_gguf permute: HF rotate-half rows -> adjacent-pair rows."""
    return w.reshape(n_head, 2, w.shape[0] // n_head // 2, *w.shape[1:]).swapaxes(1, 2).reshape(w.shape)


def gguf_unpermute(w, n_head):
    """Inverse of gguf_permute: what an engine that forgets the permutation effectively applies in HF layout."""
    return w.reshape(n_head, w.shape[0] // n_head // 2, 2, *w.shape[1:]).swapaxes(1, 2).reshape(w.shape)


@torch.no_grad()
def mutation_deltas(model, prompts, reference):
    """Max |logit change| for two engine bugs the golden test must catch: q/k lora_B left unpermuted,
    and the rsLoRA scale rule flipped (alpha/r <-> alpha/sqrt(r))."""
    def worst():
        return max(float(np.max(np.abs(logits_of(model, p["ids"]) - reference[p["name"]]))) for p in prompts)
    lora = [(n, m) for n, m in model.named_modules() if hasattr(m, "lora_A") and "default" in m.lora_A]
    saved = {}
    for n, m in lora:
        heads = N_HEAD if n.endswith("q_proj") else N_HEAD_KV if n.endswith("k_proj") else None
        if heads:
            w = m.lora_B["default"].weight
            saved[n] = w.detach().clone()
            w.copy_(torch.from_numpy(gguf_unpermute(w.detach().numpy(), heads)))
    not_permuted = worst()
    for n, m in lora:
        if n in saved:
            m.lora_B["default"].weight.copy_(saved[n])
    scales = {}
    for n, m in lora:
        r, s = m.r["default"], m.scaling["default"]
        scales[n] = s
        # rsLoRA alpha/sqrt(r) -> alpha/r, and plain alpha/r -> alpha/sqrt(r)
        m.scaling["default"] = s / np.sqrt(r) if m.use_rslora["default"] else s * np.sqrt(r)
    flipped = worst()
    for n, m in lora:
        m.scaling["default"] = scales[n]
    if worst() != 0.0:
        raise SystemExit("mutation restore failed")
    return {"qkLoraBNotPermutedMaxAbs": not_permuted, "rsloraRuleFlippedMaxAbs": flipped}


def check_qk_layout(model_path, model):
    """Dequantise attn_q/attn_k/attn_v of blocks 0 and 29 with gguf-py and compare to transformers."""
    reader = gguf.GGUFReader(model_path)
    tensors = {t.name: t for t in reader.tensors}
    out = {}
    for layer in (0, 29):
        attn = model.model.layers[layer].self_attn
        for gname, hf, heads in (("attn_q", attn.q_proj, N_HEAD), ("attn_k", attn.k_proj, N_HEAD_KV),
                                 ("attn_v", attn.v_proj, None)):
            t = tensors[f"blk.{layer}.{gname}.weight"]
            w_gguf = gguf.quants.dequantize(t.data, t.tensor_type).astype(np.float32)
            w_hf = hf.weight.detach().numpy()
            mapped = gguf_permute(w_hf, heads) if heads else w_hf
            diff = float(np.max(np.abs(mapped - w_gguf)))
            unpermuted_diff = float(np.max(np.abs(w_hf - w_gguf)))
            out[f"blk.{layer}.{gname}"] = {"maxAbsDiffAfterPermute": diff, "maxAbsDiffWithoutPermute": unpermuted_diff}
            if diff != 0.0 or (heads and unpermuted_diff == 0.0):
                raise SystemExit(f"q/k layout check failed for blk.{layer}.{gname}: {out}")
    return out


@torch.no_grad()
def logits_of(model, ids):
    return model(input_ids=torch.tensor([ids])).logits[0].double().numpy()


def topk(row, k=TOP_K):
    order = np.argsort(-row, kind="stable")[:k]
    return [[int(i), round(float(row[i]), 5)] for i in order]


def summary(lg):
    order = np.argsort(-lg, axis=1, kind="stable")
    margins = lg[np.arange(len(lg)), order[:, 0]] - lg[np.arange(len(lg)), order[:, 1]]
    return {
        "argmax": [int(i) for i in order[:, 0]],
        "maxLogit": [round(float(lg[p, order[p, 0]]), 5) for p in range(len(lg))],
        "top2Margin": [round(float(m), 5) for m in margins],
        "lastTop10": topk(lg[-1]),
    }


def compare_llamacpp(model, greedy_cases):
    """Teacher-force llama.cpp's greedy continuation; compare HF argmax and top-5 logits."""
    result, worst_top5 = [], 0.0
    for case in greedy_cases:
        ids = case["promptIDs"] + case["greedy"][:-1]
        lg = logits_of(model, ids)
        start = len(case["promptIDs"]) - 1
        hf_argmax = [int(i) for i in np.argmax(lg[start:], axis=1)]
        misses = [{"step": s, "llamacpp": case["greedy"][s], "hf": hf_argmax[s],
                   "llamacppTop2Margin": case["top2Margins"][s]}
                  for s in range(len(hf_argmax)) if hf_argmax[s] != case["greedy"][s]]
        top5 = max(abs(lg[start, i] - v) for i, v in case["firstTop5"])
        worst_top5 = max(worst_top5, float(top5))
        result.append({"name": case["name"], "positions": len(hf_argmax), "mismatches": misses,
                       "maxAbsDiffFirstTop5": round(float(top5), 4)})
    return result, worst_top5


def init_lora(model, seed):
    """peft initialises B = 0; overwrite A and B (sorted by name) with seeded values so the adapter matters."""
    gen = torch.Generator().manual_seed(seed)
    for name, module in sorted(model.named_modules(), key=lambda kv: kv[0]):
        if hasattr(module, "lora_A") and "default" in module.lora_A:
            a, b = module.lora_A["default"].weight, module.lora_B["default"].weight
            with torch.no_grad():
                a.copy_(torch.randn(a.shape, generator=gen) / np.sqrt(a.shape[1]))
                b.copy_(torch.randn(b.shape, generator=gen) * B_STD)


def module_table(model):
    rows = {}
    for name, module in model.named_modules():
        if hasattr(module, "lora_A") and "default" in module.lora_A:
            key = name.split("base_model.model.", 1)[-1]
            rows[key] = {"r": int(module.r["default"]), "scaling": float(module.scaling["default"]),
                         "A": list(module.lora_A["default"].weight.shape),
                         "B": list(module.lora_B["default"].weight.shape)}
    return dict(sorted(rows.items()))


def main():
    torch.set_num_threads(2)
    torch.use_deterministic_algorithms(True)
    model_path = sys.argv[1] if len(sys.argv) > 1 else os.path.expanduser(
        "~/.cache/loraserve/models/SmolLM2-135M-Instruct.Q4_1.gguf")
    digest = sha256(model_path)
    if digest != MODEL_SHA256:
        raise SystemExit(f"model sha256 {digest} != {MODEL_SHA256}")
    mdir, mfile = os.path.split(model_path)
    base = AutoModelForCausalLM.from_pretrained(mdir, gguf_file=mfile, dtype=torch.float32).eval()
    if not torch.equal(base.lm_head.weight, base.model.embed_tokens.weight):
        raise SystemExit("lm_head is not tied to embed_tokens")
    layout = check_qk_layout(model_path, base)
    base.name_or_path = base.config._name_or_path = HF_BASE  # recorded as base_model_name_or_path

    with open(os.path.join(GOLDEN, "model-greedy.json")) as f:
        greedy = json.load(f)
    by_name = {c["name"]: c for c in greedy["cases"]}
    llamacpp, worst_top5 = compare_llamacpp(base, greedy["cases"])

    tokenizer = AutoTokenizer.from_pretrained(mdir, gguf_file=mfile)
    prompts = []
    for name in PROMPT_CASES:
        c = by_name[name]
        hf_ids = tokenizer(c["prompt"], add_special_tokens=False)["input_ids"]
        prompts.append({"name": name, "prompt": c["prompt"], "ids": c["promptIDs"],
                        "hfTokenizerAgrees": hf_ids == c["promptIDs"]})

    base_logits = {p["name"]: logits_of(base, p["ids"]) for p in prompts}
    determinism = max(float(np.max(np.abs(logits_of(base, p["ids"]) - base_logits[p["name"]]))) for p in prompts)
    base64 = copy.deepcopy(base).double()
    f32_vs_f64_base = max(float(np.max(np.abs(logits_of(base64, p["ids"]) - base_logits[p["name"]])))
                          for p in prompts)

    adapters_out = []
    for spec in ADAPTERS:
        out_dir = os.path.join(GOLDEN, "peft-adapter", spec["name"])
        pm = get_peft_model(copy.deepcopy(base), LoraConfig(task_type="CAUSAL_LM", **spec["config"]))
        init_lora(pm, spec["seed"])
        pm.save_pretrained(out_dir, safe_serialization=True)
        readme = os.path.join(out_dir, "README.md")  # peft's generated model card: not part of the format
        if os.path.exists(readme):
            os.remove(readme)
        os.chmod(os.path.join(out_dir, "adapter_model.safetensors"), 0o644)
        pm.eval()
        table = module_table(pm)
        live = {p["name"]: logits_of(pm, p["ids"]) for p in prompts}
        with pm.disable_adapter():
            disabled = max(float(np.max(np.abs(logits_of(pm, p["ids"]) - base_logits[p["name"]]))) for p in prompts)

        loaded = PeftModel.from_pretrained(copy.deepcopy(base), out_dir).eval()
        adapted = {p["name"]: logits_of(loaded, p["ids"]) for p in prompts}
        reload_diff = max(float(np.max(np.abs(adapted[k] - live[k]))) for k in adapted)
        loaded64 = PeftModel.from_pretrained(copy.deepcopy(base64), out_dir).eval().double()
        f32_vs_f64 = max(float(np.max(np.abs(logits_of(loaded64, p["ids"]) - adapted[p["name"]]))) for p in prompts)
        mutations = mutation_deltas(loaded, prompts, adapted)
        merged_model = loaded.merge_and_unload().eval()
        merged = {p["name"]: logits_of(merged_model, p["ids"]) for p in prompts}

        cases = []
        for p in prompts:
            k = p["name"]
            b, a, m = base_logits[k], adapted[k], merged[k]
            cases.append({
                "name": k,
                "base": summary(b), "adapter": summary(a),
                "mergedArgmax": summary(m)["argmax"],
                "maxAbsDeltaBaseVsAdapter": round(float(np.max(np.abs(a - b))), 5),
                "maxAbsDeltaBaseVsAdapterLast": round(float(np.max(np.abs(a[-1] - b[-1]))), 5),
                "argmaxChangedPositions": int(np.sum(np.argmax(a, 1) != np.argmax(b, 1))),
                "maxAbsDeltaMergedVsUnmerged": float(np.max(np.abs(m - a))),
            })
        merged_max = max(c["maxAbsDeltaMergedVsUnmerged"] for c in cases)
        if reload_diff > 0 or disabled > 0 or merged_max > 1e-3:
            raise SystemExit(f"{spec['name']}: reload {reload_diff} disabled {disabled} merged {merged_max}")
        with open(os.path.join(out_dir, "adapter_config.json")) as f:
            saved_config = json.load(f)
        st = os.path.join(out_dir, "adapter_model.safetensors")
        adapters_out.append({
            "name": spec["name"], "directory": f"peft-adapter/{spec['name']}", "covers": spec["what"],
            "seed": spec["seed"], "init": f"lora_A ~ N(0, 1/in_features), lora_B ~ N(0, {B_STD}^2), "
                                          "torch.Generator seeded, modules in sorted name order, A then B",
            "adapterConfig": {k: saved_config.get(k) for k in (
                "r", "lora_alpha", "use_rslora", "target_modules", "layers_to_transform", "rank_pattern",
                "alpha_pattern", "fan_in_fan_out", "base_model_name_or_path")},
            "safetensorsBytes": os.path.getsize(st), "safetensorsSHA256": sha256(st),
            "modules": table,
            "mutations": mutations,
            "checks": {"reloadedVsInMemoryMaxAbs": reload_diff, "disableAdapterVsBaseMaxAbs": disabled,
                       "mergedVsUnmergedMaxAbs": merged_max, "float32VsFloat64MaxAbs": f32_vs_f64},
            "cases": cases,
        })

    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    doc = {
        "generator": "Scripts/golden_peft.py",
        "oracle": "transformers (GGUF loader: dequantised float32 weights, q/k un-permuted, tied LM head) + peft",
        "versions": {"python": platform.python_version(),
                     **{pkg: metadata.version(pkg) for pkg in (
                         "torch", "transformers", "peft", "safetensors", "gguf", "numpy")}},
        "date": now,
        "model": os.path.basename(model_path), "modelSHA256": digest,
        "notes": ("Logits are float32 HF on dequantised Q4_1 weights, single sequence, no BOS. argmax/maxLogit/"
                  "top2Margin are per prompt position (full vocabulary); lastTop10 is the last position. "
                  "Engine: permute lora_B rows of q_proj (n_head=9) and k_proj (n_head_kv=3) with "
                  "qkPermutation before applying y = Wx + s*B(Ax) on the GGUF weights."),
        "qkPermutation": "B.reshape(n_head, 2, rows/n_head/2, r).swapaxes(1, 2).reshape(rows, r)  "
                         "(llama.cpp convert_hf_to_gguf permute; HF row h*64 + i*32 + j -> GGUF row h*64 + 2j + i)",
        "checks": {
            "qkLayoutVsGgufPy": layout,
            "baseDeterminismMaxAbs": determinism,
            "baseFloat32VsFloat64MaxAbs": f32_vs_f64_base,
            "llamacppTeacherForced": llamacpp,
            "llamacppFirstTop5MaxAbsDiff": round(worst_top5, 4),
        },
        "prompts": prompts,
        "adapters": adapters_out,
    }
    out = os.path.join(GOLDEN, "peft-logits.json")
    with open(out, "w") as f:
        json.dump(doc, f, indent=1, ensure_ascii=False)
        f.write("\n")
    print(f"wrote {out} ({os.path.getsize(out)} bytes)")
    print(json.dumps(doc["checks"]["llamacppFirstTop5MaxAbsDiff"]), determinism, f32_vs_f64_base)
    for a in adapters_out:
        print(a["name"], a["safetensorsBytes"], a["checks"],
              [(c["maxAbsDeltaBaseVsAdapter"], c["argmaxChangedPositions"]) for c in a["cases"]])


if __name__ == "__main__":
    main()
