#!/usr/bin/env python3
"""Offline check of an "answer agreement" reuse rule (docs/qa-pipeline.md, not built).

Rule: reuse a cached summary only if the new question's answer from it equals (normalised) the
answer the cached question got from the same summary. Reads the per-question records that
`loraserve eval qa --threshold T --out DIR` writes (DIR/questions.jsonl) and prints, per run, how
many paraphrase hits and how many near-miss false hits the rule would keep.

    python3 Scripts/answer_agreement.py DIR [DIR ...]
"""
import json
import re
import sys


def norm(s):
    return " ".join(re.sub(r"[^a-z0-9 ]", " ", s.lower()).split())


def main(dirs):
    for d in dirs:
        rows = [json.loads(line) for line in open(f"{d}/questions.jsonl")]
        # A miss wrote its own summary and answered from it: that is the cached question's answer.
        own = {}
        for q in rows:
            if not q["hit"]:
                own.setdefault(q["question"], q["answer_with_cache"])
        para_hits = para_kept = false_hits = false_kept = 0
        for q in rows:
            if not q["hit"]:
                continue
            cached_answer = own.get(q.get("reused_question"))
            agree = cached_answer is not None and norm(cached_answer) == norm(q["answer_with_cache"])
            if q["kind"] == "paraphrase":
                para_hits += 1
                para_kept += agree
            elif q["kind"] == "near_miss" and q.get("correct_reuse") is False:
                false_hits += 1
                false_kept += agree
        print(f"{d}: paraphrase hits kept {para_kept}/{para_hits}, near-miss false hits kept {false_kept}/{false_hits}")


if __name__ == "__main__":
    main(sys.argv[1:])
