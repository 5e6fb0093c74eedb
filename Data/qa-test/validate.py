#!/usr/bin/env python3
"""Validate the test paraphrase-family files against the SQuAD 2.0 dev subset and the dev families.

Test families are written on the dev articles (Normans, Computational_complexity_theory) from
SQuAD questions the dev families do not use, so they can check the configuration chosen on dev.
Every check of ../qa-heldout/validate.py applies (schema, ids, verbatim SQuAD texts and answers,
near-miss sources), plus: no original or SQuAD near-miss id is used by a dev family, and no
question text equals a dev question after lowercasing and dropping punctuation.

Usage: python3 validate.py [path/to/squad2-dev-subset.json]
Defaults: $SQUAD2_DEV_SUBSET / $DEV_FAMILIES, else the shared data folder of the project layout.
Standard library only. Exit status 0 when every check passes, 1 otherwise.
"""
import importlib.util
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = os.path.join(HERE, "..", "..", "..", "shared", "data", "qa")
FILES = [
    ("paraphrase-families-test-normans.jsonl", "Normans", "test-normans", 1),
    ("paraphrase-families-test-complexity.jsonl", "Computational_complexity_theory", "test-complexity", 1),
]
FAMILIES_PER_FILE = {1: 30}  # by first id
MAX_PER_PARAGRAPH = 3

spec = importlib.util.spec_from_file_location("heldout_validate", os.path.join(HERE, "..", "qa-heldout", "validate.py"))
heldout = importlib.util.module_from_spec(spec)
spec.loader.exec_module(heldout)


def norm(text):
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))


def family_questions(*paths):
    """(question ids, normalised texts) the families in `paths` use."""
    ids, texts = set(), set()
    for path in paths:
        with open(path, encoding="utf-8") as f:
            for line in f:
                if not line.strip():
                    continue
                d = json.loads(line)
                ids.add(d["question_id"])
                texts.update(norm(t) for t in [d["question"]] + d["paraphrases"])
                for nm in d["near_misses"]:
                    texts.add(norm(nm["question"]))
                    if "question_id" in nm:
                        ids.add(nm["question_id"])
    return ids, texts


def unused_check(ids, texts, what):
    """An `extra` check for heldout.validate: no original or SQuAD near-miss id in `ids`, and no
    question text whose normalised form is in `texts` (both used by `what`)."""
    def check(rec, qas, err):
        if rec["question_id"] in ids:
            err("original is a question %s use" % what)
        for nm in rec["near_misses"]:
            if isinstance(nm, dict) and nm.get("question_id") in ids:
                err("near-miss %s is a question %s use" % (nm.get("question_id"), what))
        all_texts = [rec["question"]] + list(rec["paraphrases"])
        all_texts += [nm.get("question", "") for nm in rec["near_misses"] if isinstance(nm, dict)]
        for t in all_texts:
            if isinstance(t, str) and norm(t) in texts:
                err("question %r is in %s" % (t, what))
    return check


def main():
    squad_path = sys.argv[1] if len(sys.argv) > 1 else os.environ.get(
        "SQUAD2_DEV_SUBSET", os.path.join(SHARED, "squad2-dev-subset.json"))
    dev_ids, dev_texts = family_questions(os.environ.get("DEV_FAMILIES", os.path.join(SHARED, "paraphrase-families-dev.jsonl")))

    not_dev = unused_check(dev_ids, dev_texts, "the dev families")
    return heldout.validate(squad_path, HERE, FILES, FAMILIES_PER_FILE, MAX_PER_PARAGRAPH, extra=not_dev)


if __name__ == "__main__":
    sys.exit(main())
