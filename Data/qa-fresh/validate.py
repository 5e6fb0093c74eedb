#!/usr/bin/env python3
"""Validate the fresh paraphrase-family files against the SQuAD 2.0 dev subset, the dev families
and the test families.

Fresh families are a third question set on the dev articles (Normans,
Computational_complexity_theory), from SQuAD questions neither the dev nor the test families use,
so a configuration chosen on dev + test can be checked on questions nobody has looked at. Every
check of ../qa-heldout/validate.py applies (schema, ids, verbatim SQuAD texts and answers,
near-miss sources), plus: no original or SQuAD near-miss id is used by a dev or test family, no
question text equals a dev or test question after lowercasing and dropping punctuation, and at
most 2 fresh families per paragraph.

Usage: python3 validate.py [path/to/squad2-dev-subset.json]
Defaults: $SQUAD2_DEV_SUBSET / $DEV_FAMILIES, else the shared data folder of the project layout.
Standard library only. Exit status 0 when every check passes, 1 otherwise.
"""
import importlib.util
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = os.path.join(HERE, "..", "..", "..", "shared", "data", "qa")
FILES = [
    ("paraphrase-families-fresh-normans.jsonl", "Normans", "fresh-normans", 1, 9),
    ("paraphrase-families-fresh-complexity-a.jsonl", "Computational_complexity_theory", "fresh-complexity-a", 1, 21),
    ("paraphrase-families-fresh-complexity-b.jsonl", "Computational_complexity_theory", "fresh-complexity-b", 1, 30),
]
MAX_PER_PARAGRAPH = 2


def load(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


heldout = load("heldout_validate", os.path.join(HERE, "..", "qa-heldout", "validate.py"))
test = load("test_validate", os.path.join(HERE, "..", "qa-test", "validate.py"))


def main():
    squad_path = sys.argv[1] if len(sys.argv) > 1 else os.environ.get(
        "SQUAD2_DEV_SUBSET", os.path.join(SHARED, "squad2-dev-subset.json"))
    ids, texts = test.family_questions(os.environ.get("DEV_FAMILIES", os.path.join(SHARED, "paraphrase-families-dev.jsonl")),
                                       *(os.path.join(HERE, "..", "qa-test", name) for name, *_ in test.FILES))
    unseen = test.unused_check(ids, texts, "the dev or test families")
    return heldout.validate(squad_path, HERE, FILES, {}, MAX_PER_PARAGRAPH, extra=unseen)


if __name__ == "__main__":
    sys.exit(main())
