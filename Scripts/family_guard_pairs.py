#!/usr/bin/env python3
"""Pairs for checking the question guards against paraphrase families (session 14's analysis).

  python3 Scripts/family_guard_pairs.py pairs FAMILIES.jsonl... > pairs.jsonl
      one labelled pair per (original, paraphrase) (same_answer true) and per (original,
      near-miss) (false), the original as the cached side: the entry a paraphrase should reuse
  loraserve cache calibrate --pairs pairs.jsonl --pairs-out checked.jsonl
  python3 Scripts/family_guard_pairs.py count checked.jsonl
      how many paraphrases and near-misses the guards veto against their original

Standard library only.
"""
import json
import sys


def pairs(paths):
    for path in paths:
        with open(path, encoding="utf-8") as f:
            for line in f:
                if not line.strip():
                    continue
                fam = json.loads(line)
                for p in fam["paraphrases"]:
                    yield {"question_a": fam["question"], "question_b": p, "same_answer": True}
                for nm in fam["near_misses"]:
                    yield {"question_a": fam["question"], "question_b": nm["question"], "same_answer": False}


def count(path):
    n = {True: [0, 0], False: [0, 0]}
    with open(path, encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            n[r["same_answer"]][0] += bool(r["findings"])
            n[r["same_answer"]][1] += 1
    print("paraphrases vetoed by the guards: %d of %d" % tuple(n[True]))
    print("near-misses vetoed by the guards: %d of %d" % tuple(n[False]))


if __name__ == "__main__":
    if len(sys.argv) < 3 or sys.argv[1] not in ("pairs", "count"):
        sys.exit(__doc__)
    if sys.argv[1] == "pairs":
        for p in pairs(sys.argv[2:]):
            print(json.dumps(p, ensure_ascii=False))
    else:
        count(sys.argv[2])
