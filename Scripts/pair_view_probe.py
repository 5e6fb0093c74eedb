#!/usr/bin/env python3
"""Pair-level probe (session 16): does the reuse verifier separate paraphrases from near-misses
better when it reads a *view* of each question instead of the question itself?

  python3 Scripts/pair_view_probe.py make DIR      writes DIR/raw.jsonl, DIR/core.jsonl, DIR/kw.jsonl:
                                                   (original, paraphrase) pairs labelled same and
                                                   (original, near-miss) pairs labelled different, for
                                                   dev and every Data/qa-* set but the held-out and
                                                   verifier-training ones (3,330 pairs over 11 sets)
  for v in raw core kw; do loraserve cache calibrate --pairs DIR/$v.jsonl --verifier bundled \\
      --similarity-floor 0.4 --json --pairs-out DIR/$v-scored.jsonl > /dev/null; done
  python3 Scripts/pair_view_probe.py score DIR     recall of same pairs at <= 2% of different pairs
                                                   accepted, per view and for the mean / max of the
                                                   raw and keyword logits (guard findings from raw)

Views: "core" = the last sentence ending in "?" (after ":" / ";"), "kw" = the question without
function words and conversational filler. Standard library only.
"""
import glob, json, math, os, re, sys

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
STOP = set("""a an the of to in on at by for from with about into as is are was were be been being do does did done
have has had i i'm im me my you your we our they their it its this that these those there here and or but so
could would can will shall should may might must please tell know wondering reading heard hearing keep quick question
curious just really actually exactly anyway okay ok hey hi like also any some one""".split())


def core(q):
    sentences = re.split(r"(?<=[.!?])\s+", q.strip())
    asked = [x for x in sentences if x.endswith("?")]
    return re.split(r"[:;]\s+", asked[-1] if asked else sentences[-1])[-1]


def keywords(q):
    kept = [t for t in re.findall(r"[\w'’-]+|\d+", q) if t.lower() not in STOP]
    return " ".join(kept) if kept else q


def family_files():
    sets = {"dev": [os.path.join(ROOT, "..", "shared", "data", "qa", "paraphrase-families-dev.jsonl")]}
    for d in sorted(glob.glob(os.path.join(ROOT, "Data", "qa-*"))):
        name = os.path.basename(d)[3:]
        if name not in ("heldout", "verifier-train"):
            sets[name] = sorted(glob.glob(os.path.join(d, "paraphrase-families*.jsonl")))
    return sets


def make(out):
    os.makedirs(out, exist_ok=True)
    rows = []
    for name, files in family_files().items():
        for path in files:
            for line in open(path, encoding="utf-8"):
                f = json.loads(line)
                rows += [dict(question_a=f["question"], question_b=p, same_answer=True, set=name) for p in f["paraphrases"]]
                rows += [dict(question_a=f["question"], question_b=m["question"], same_answer=False, set=name) for m in f["near_misses"]]
    for view, fn in (("raw", lambda q: q), ("core", core), ("kw", keywords)):
        with open(os.path.join(out, view + ".jsonl"), "w", encoding="utf-8") as f:
            for r in rows:
                f.write(json.dumps(dict(r, question_a=fn(r["question_a"]), question_b=fn(r["question_b"]))) + "\n")
    print(f"{len(rows)} pairs over {len(family_files())} sets in {out}")


def score(out):
    def load(view):
        return [json.loads(l) for l in open(os.path.join(out, view + "-scored.jsonl"), encoding="utf-8")]
    raw = load("raw")
    views = {"raw": [r["similarity"] for r in raw]}
    for view in ("core", "kw"):
        if os.path.exists(os.path.join(out, view + "-scored.jsonl")):
            # Below the candidate floor in the view (-1): the raw score stands.
            views[view] = [v["similarity"] if v["similarity"] >= 0 else r["similarity"] for r, v in zip(raw, load(view))]
    logit = lambda p: math.log(min(max(p, 1e-6), 1 - 1e-6) / (1 - min(max(p, 1e-6), 1 - 1e-6)))
    if "kw" in views:
        views["mean(raw,kw)"] = [-1 if r < 0 else 1 / (1 + math.exp(-(logit(r) + logit(k)) / 2)) for r, k in zip(views["raw"], views["kw"])]
        views["max(raw,kw)"] = [-1 if r < 0 else max(r, k) for r, k in zip(views["raw"], views["kw"])]
    same = [r["same_answer"] for r in raw]
    vetoed = [bool(r["findings"]) for r in raw]
    positives, negatives = sum(same), len(same) - sum(same)
    for name, scores in views.items():
        best = None
        for t in [x / 100 for x in range(30, 99)]:
            hits = [not v and s >= t for s, v in zip(scores, vetoed)]
            tp = sum(h and y for h, y in zip(hits, same)); fp = sum(h and not y for h, y in zip(hits, same))
            if fp <= 0.02 * negatives:
                best = (t, tp / positives, fp)
                break
        print(f"{name:13s} " + ("lowest threshold with <= 2%% false: %.2f, recall %.3f (%d of %d false)" % (best + (negatives,)) if best else "none"))


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ("make", "score"):
        sys.exit(__doc__)
    (make if sys.argv[1] == "make" else score)(sys.argv[2])
