#!/usr/bin/env python3
"""Embedder throughput and agreement: LoRAServe's Swift all-MiniLM-L6-v2 vs sentence-transformers.

One command measures both on this machine, interleaved, on the identical sentence set:

  * sentence-transformers (torch CPU): `model.encode(texts, batch_size=B)` over the whole set,
    torch.set_num_threads(T), one warm-up pass per (T, B), then `--runs` timed passes per round;
  * ours: `loraserve bench embed --json --threads T --batch-sizes ... --sentences FILE` (the
    `BertEmbedder.measurePasses` of Sources/BertModel), one warm-up pass per batch size in its own
    process, then `--runs` timed passes per round.

Rounds alternate which side runs first. Each figure is the median over all timed passes (rounds x
runs) of sentences/s over the whole set (tokenisation included on both sides); the ratio is
ours / sentence-transformers. Agreement: cosine of each sentence's two embeddings (min over the
set, both thread counts); the set includes the golden file's edge cases (empty input, accents,
CJK, emoji, numbers, inputs longer than 256 tokens).

The sentence set (256, deterministic): the 59 sentences of Tests/RealModelTests/Golden/
embeddings-minilm.json, 181 questions and 16 paragraphs taken at a fixed stride from
/work/shared/data/qa/squad2-dev-subset.json (file order).

Usage (needs torch, sentence-transformers; e.g. /work/sbx/peft/venv/bin/python):
  python Scripts/bench_embedder.py [--loraserve .build/release/loraserve | --runner PATH]
                                   [--threads 1,2] [--batch-sizes 1,32,128] [--rounds 2] [--runs 2]
Writes reports/embedder/bench.json, bench.md and sentences.json.
"""
import argparse, json, os, platform, statistics, subprocess, sys, time

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
GOLDEN = os.path.join(ROOT, "Tests", "RealModelTests", "Golden", "embeddings-minilm.json")
SQUAD = "/work/shared/data/qa/squad2-dev-subset.json"
TOTAL, PARAGRAPHS = 256, 16


def build_sentences(golden_path, squad_path):
    with open(golden_path, encoding="utf-8") as f:
        golden = [s["text"] for s in json.load(f)["sentences"]]
    with open(squad_path, encoding="utf-8") as f:
        articles = json.load(f)["data"]
    contexts = [p["context"] for a in articles for p in a["paragraphs"]]
    questions = [q["question"] for a in articles for p in a["paragraphs"] for q in p["qas"]]
    wanted_questions = TOTAL - len(golden) - PARAGRAPHS
    q_stride, p_stride = len(questions) // wanted_questions, len(contexts) // PARAGRAPHS
    picked_q = questions[::q_stride][:wanted_questions]
    picked_p = contexts[::p_stride][:PARAGRAPHS]
    # Interleave so every batch mixes lengths (as a real query stream would).
    rest, out, pi = list(picked_q), list(golden), 0
    for i, q in enumerate(rest):
        out.append(q)
        if i % (len(rest) // PARAGRAPHS) == 0 and pi < len(picked_p):
            out.append(picked_p[pi])
            pi += 1
    out.extend(picked_p[pi:])
    return out


def load_st(model_dir):
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    from sentence_transformers import SentenceTransformer
    try:  # sentence-transformers >= 6 moved the module classes
        from sentence_transformers.sentence_transformer.modules import Normalize, Pooling, Transformer
    except ImportError:
        from sentence_transformers.models import Normalize, Pooling, Transformer
    # Built explicitly (no hub access, no dependence on modules.json being complete).
    transformer = Transformer(model_dir, max_seq_length=256)
    dim = getattr(transformer, "get_embedding_dimension", None) or transformer.get_word_embedding_dimension
    return SentenceTransformer(modules=[transformer, Pooling(dim(), pooling_mode="mean"), Normalize()], device="cpu")


def st_passes(model, texts, batch, runs):
    seconds = []
    for _ in range(runs):
        start = time.perf_counter()
        model.encode(texts, batch_size=batch, show_progress_bar=False, convert_to_numpy=True)
        seconds.append(time.perf_counter() - start)
    return seconds


def ours(cmd, sentences_file, threads, batches, runs, embeddings):
    args = cmd + ["--json", "--threads", str(threads), "--batch-sizes", ",".join(map(str, batches)),
                  "--runs", str(runs), "--warmup", "1", "--sentences", sentences_file]
    if embeddings:
        args.append("--include-embeddings")
    out = subprocess.run(args, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def versions():
    import numpy, sentence_transformers, torch, transformers
    return {"python": platform.python_version(), "torch": torch.__version__,
            "sentence_transformers": sentence_transformers.__version__, "transformers": transformers.__version__,
            "numpy": numpy.__version__, "torch_mkldnn": bool(torch.backends.mkldnn.is_available()),
            "torch_cpu_capability": getattr(torch.backends.cpu, "get_cpu_capability", lambda: "?")(),
            "cpu": cpu_model(), "logical_cpus": os.cpu_count(), "platform": platform.platform()}


def resolve_command(args):
    if args.runner:
        return [args.runner]
    cmd = [args.loraserve, "bench", "embed"]
    probe = subprocess.run(cmd + ["--help"], capture_output=True, text=True)
    if probe.returncode != 0:
        sys.exit(f"error: `{' '.join(cmd)} --help` failed ({probe.stderr.strip()[:200]}); build it "
                 "(swift build -c release) or pass --runner PATH (a binary taking `bench embed`'s options)")
    return cmd


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--loraserve", default=os.path.join(ROOT, ".build", "release", "loraserve"))
    ap.add_argument("--runner", help="binary taking `loraserve bench embed`'s options directly (sandbox build)")
    ap.add_argument("--model-dir", default=os.path.expanduser("~/.cache/loraserve/models/all-MiniLM-L6-v2"))
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--batch-sizes", default="1,32,128")
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--runs", type=int, default=2, help="timed passes per side, batch size and round")
    ap.add_argument("--out-dir", default=os.path.join(ROOT, "reports", "embedder"))
    ap.add_argument("--label", default="", help="free text recorded in the report (e.g. the code state)")
    args = ap.parse_args()
    threads = [int(t) for t in args.threads.split(",")]
    batches = [int(b) for b in args.batch_sizes.split(",")]
    cmd = resolve_command(args)

    import numpy as np
    import torch
    torch.set_num_interop_threads(1)
    os.makedirs(args.out_dir, exist_ok=True)
    texts = build_sentences(GOLDEN, SQUAD)
    sentences_file = os.path.join(args.out_dir, "sentences.json")
    with open(sentences_file, "w", encoding="utf-8") as f:
        json.dump(texts, f, ensure_ascii=False, indent=0)
    model = load_st(args.model_dir)
    tokens = sum(len(ids) for ids in model.tokenizer(texts, truncation=True, max_length=256)["input_ids"])
    load_start = os.getloadavg()

    reference = None
    per = {}  # (threads, batch) -> {"st": [...], "ours": [...]}
    cosines = {}
    for t in threads:
        torch.set_num_threads(t)
        for b in batches:  # warm-up pass per (threads, batch): allocator, oneDNN primitives
            st_passes(model, texts, b, 1)
        if reference is None:
            reference = model.encode(texts, batch_size=32, show_progress_bar=False, convert_to_numpy=True).astype(np.float64)
        for r in range(args.rounds):
            order = ["st", "ours"] if r % 2 == 0 else ["ours", "st"]
            for side in order:
                print(f"threads {t} round {r + 1}/{args.rounds}: {side} …", file=sys.stderr, flush=True)
                if side == "st":
                    for b in batches:
                        per.setdefault((t, b), {"st": [], "ours": []})["st"] += st_passes(model, texts, b, args.runs)
                else:
                    report = ours(cmd, sentences_file, t, batches, args.runs, embeddings=(r == 0))
                    for row in report["results"]:
                        per.setdefault((t, row["batch_size"]), {"st": [], "ours": []})["ours"] += row["run_seconds"]
                    if report.get("embeddings") is not None:
                        mine = np.asarray(report["embeddings"], dtype=np.float64)
                        dots = (mine * reference).sum(1) / np.maximum(
                            np.linalg.norm(mine, axis=1) * np.linalg.norm(reference, axis=1), 1e-30)
                        cosines[t] = dots

    rows = []
    for (t, b), d in sorted(per.items()):
        st_sps, our_sps = len(texts) / statistics.median(d["st"]), len(texts) / statistics.median(d["ours"])
        rows.append({"threads": t, "batch_size": b, "st_sentences_per_second": st_sps,
                     "ours_sentences_per_second": our_sps, "ratio_ours_over_st": our_sps / st_sps,
                     "st_run_seconds": d["st"], "ours_run_seconds": d["ours"]})
    all_cos = np.concatenate(list(cosines.values()))
    worst = int(np.argmin(np.minimum.reduce(list(cosines.values()))))
    agreement = {"sentences": len(texts), "min_cosine": float(all_cos.min()), "mean_cosine": float(all_cos.mean()),
                 "worst_sentence": texts[worst][:80], "min_cosine_by_threads": {str(t): float(c.min()) for t, c in cosines.items()}}
    result = {"generator": "Scripts/bench_embedder.py", "label": args.label,
              "time_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
              "ours_command": " ".join(cmd), "st_max_seq_length": model.max_seq_length, "sentences": len(texts), "tokens_per_pass": tokens,
              "rounds": args.rounds, "runs_per_round": args.runs, "load_average_start": load_start,
              "load_average_end": os.getloadavg(), "versions": versions(), "results": rows, "agreement": agreement}
    with open(os.path.join(args.out_dir, "bench.json"), "w") as f:
        json.dump(result, f, indent=1)
    md = markdown(result)
    with open(os.path.join(args.out_dir, "bench.md"), "w") as f:
        f.write(md)
    print(md)


def markdown(r):
    v = r["versions"]
    lines = [
        "# Embedder throughput: LoRAServe (Swift) vs sentence-transformers",
        "",
        f"all-MiniLM-L6-v2, {r['sentences']} sentences ({r['tokens_per_pass']} tokens) per pass, tokenisation included; "
        f"median of {r['rounds']} rounds x {r['runs_per_round']} passes per side, interleaved in one command "
        f"({r['time_utc']}). {r['label']}".rstrip(),
        "",
        "| threads | batch | sentence-transformers sent/s | ours sent/s | ratio ours/ST |",
        "|---:|---:|---:|---:|---:|",
    ]
    for row in r["results"]:
        lines.append(f"| {row['threads']} | {row['batch_size']} | {row['st_sentences_per_second']:.1f} | "
                     f"{row['ours_sentences_per_second']:.1f} | {row['ratio_ours_over_st']:.2f}x |")
    a = r["agreement"]
    lines += ["", f"Agreement: min cosine {a['min_cosine']:.12f} (1 - {1 - a['min_cosine']:.1e}; mean {a['mean_cosine']:.12f}) over {a['sentences']} sentences "
              f"at each thread count; worst: {json.dumps(a['worst_sentence'], ensure_ascii=False)}.", "",
              f"Machine: {v['cpu']}, {v['logical_cpus']} logical CPUs (shared; load average {r['load_average_start'][0]:.2f} "
              f"at start, {r['load_average_end'][0]:.2f} at end). torch {v['torch']} (CPU capability {v['torch_cpu_capability']}), "
              f"sentence-transformers {v['sentence_transformers']}, transformers {v['transformers']}, Python {v['python']}.", "",
              "Notes: sentence-transformers pads each batch to its longest member (after sorting by length), so at "
              "batch 128 the few 256-token inputs make most rows padding; ours packs sequences without padding. "
              "On a shared 2-core machine with load > 2, two-thread figures of both sides suffer from spinning "
              "threads being descheduled (torch's OpenMP more than our pool); compare ratios, not absolutes.", "",
              f"Ours: `{r['ours_command']} --json --threads T ...`.",
              "Reproduce: `python Scripts/bench_embedder.py` (see its docstring).", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
