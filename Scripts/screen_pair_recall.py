#!/usr/bin/env python3
"""Experiment M's stage-1 screen (reports/qa/verifier-mpnet/README.md): recall of same-answer
pairs at the lowest threshold on the 0.01 grid that accepts at most 2% of different-answer pairs.

Each input is a labelled-pairs JSONL with a score per row: `p` (Scripts/train_reuse_verifier.py
--score-pairs) or `similarity` (`loraserve cache calibrate --verifier … --similarity-floor 0
--pairs-out`, where it holds the verifier's P(same)). Several files for one NAME are concatenated in
the order given; NAME=A+B averages the logits of two named candidates row by row.

  python3 Scripts/screen_pair_recall.py base=base-test.jsonl,base-fresh.jsonl m=m-test.jsonl,m-fresh.jsonl m+base
"""
import json, math, sys


def load(paths):
    rows = []
    for path in paths.split(","):
        rows += [json.loads(line) for line in open(path, encoding="utf-8") if line.strip()]
    return [(r["question_a"], r["question_b"], r["same_answer"], float(r["p"] if "p" in r else r["similarity"])) for r in rows]


def logit(p):
    p = min(max(p, 1e-7), 1 - 1e-7)
    return math.log(p / (1 - p))


def recall_at(rows, max_fhr=0.02):
    same = [p for _, _, y, p in rows if y]
    diff = [p for _, _, y, p in rows if not y]
    for k in range(1, 100):
        t = k / 100
        fhr = sum(p >= t for p in diff) / len(diff)
        if fhr <= max_fhr:
            return sum(p >= t for p in same) / len(same), t, fhr, len(same), len(diff)
    return 0.0, 1.0, 0.0, len(same), len(diff)


def main():
    named = {}
    for arg in sys.argv[1:]:
        if "=" in arg:
            name, paths = arg.split("=", 1)
            named[name] = load(paths)
        else:
            a, b = arg.split("+")
            ra, rb = named[a], named[b]
            if [(x[0], x[1]) for x in ra] != [(x[0], x[1]) for x in rb]:
                sys.exit(f"{a} and {b} do not list the same pairs in the same order")
            named[arg] = [(qa, qb, y, 1 / (1 + math.exp(-(logit(p) + logit(q)) / 2)))
                          for (qa, qb, y, p), (_, _, _, q) in zip(ra, rb)]
    print("| candidate | recall at <= 2% | threshold | false-hit rate there | same / different pairs |")
    print("|---|---|---|---|---|")
    for name, rows in named.items():
        r, t, f, ns, nd = recall_at(rows)
        print(f"| {name} | {r:.3f} | {t:.2f} | {f:.3f} | {ns} / {nd} |")


if __name__ == "__main__":
    main()
