#!/usr/bin/env python3
"""Build and validate the reserved QA set: new documents written for it, with their own SQuAD 2.0
questions and paraphrase families.

  python3 validate.py --merge   joins parts/*.squad.json (sorted by name) into squad-reserve.json
  python3 validate.py           checks squad-reserve.json and the families

Checks: every answer and plausible answer is the span of its paragraph at answer_start; ids are
24 hex characters and unique; then every check of ../qa-heldout/validate.py on the families
(schema, ids, verbatim texts and answers, near-miss sources; at most 3 families per paragraph),
and no question text equals a dev, test or fresh family's question. Standard library only. Exit
status 0 when every check passes, 1 otherwise.
"""
import glob
import importlib.util
import json
import os
import re
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
SQUAD = os.path.join(HERE, "squad-reserve.json")
FILES = [
    ("paraphrase-families-reserve-a.jsonl", None, "reserve-a", 1, 30),
    ("paraphrase-families-reserve-b.jsonl", None, "reserve-b", 1, 30),
]
MAX_PER_PARAGRAPH = 3


def load(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def merge(here=HERE, squad=SQUAD):
    data = []
    for path in sorted(glob.glob(os.path.join(here, "parts", "*.squad.json"))):
        with open(path, encoding="utf-8") as f:
            data += json.load(f)["data"]
    with open(squad, "w", encoding="utf-8") as f:
        json.dump({"version": "v2.0", "data": data}, f, ensure_ascii=False, indent=1)
        f.write("\n")
    print("wrote %s: %d articles" % (squad, len(data)))


def check_spans(squad):
    errors, ids = [], set()
    for art in squad["data"]:
        for pi, par in enumerate(art["paragraphs"]):
            ctx = par["context"]
            for q in par["qas"]:
                where = "%s[%d] %s" % (art["title"], pi, q.get("id"))
                if not re.fullmatch(r"[0-9a-f]{24}", str(q.get("id"))) or q["id"] in ids:
                    errors.append("%s: id must be 24 hex characters and unique" % where)
                ids.add(q.get("id"))
                spans = q["answers"] + q.get("plausible_answers", [])
                if bool(q["is_impossible"]) == bool(q["answers"]) or not spans:
                    errors.append("%s: answers iff answerable, plausible answers when not" % where)
                for a in spans:
                    s = a["answer_start"]
                    if ctx[s:s + len(a["text"])] != a["text"]:
                        errors.append("%s: %r is not at %d" % (where, a["text"], s))
    return errors


def main(here=HERE, squad_path=SQUAD, files=FILES, used_sets=("qa-test", "qa-fresh"), what="the dev, test or fresh families"):
    """Checks the set in `here` (reused by ../qa-reserve2/validate.py with its own files and the
    sets its questions must not repeat, `used_sets` folders next to this one)."""
    if "--merge" in sys.argv[1:]:
        merge(here, squad_path)
    heldout = load("heldout_validate", os.path.join(HERE, "..", "qa-heldout", "validate.py"))
    test = load("test_validate", os.path.join(HERE, "..", "qa-test", "validate.py"))
    with open(squad_path, encoding="utf-8") as f:
        squad = json.load(f)
    span_errors = check_spans(squad)
    for e in span_errors:
        print("  " + e)
    used = [os.path.join(HERE, "..", "..", "..", "shared", "data", "qa", "paraphrase-families-dev.jsonl")]
    for folder in used_sets:
        used += glob.glob(os.path.join(HERE, "..", folder, "*.jsonl"))
    ids, texts = test.family_questions(*(p for p in used if os.path.exists(p)))
    unseen = test.unused_check(ids, texts, what)
    status = 0 if not span_errors else 1
    status |= heldout.validate(squad_path, here, files, {}, MAX_PER_PARAGRAPH, extra=unseen)
    return status


def main_for_later_set(here, name, used_sets):
    """The checks for a later reserved set laid out like this one: `here`/squad-NAME.json and two
    family files of 30, paraphrase-families-NAME-{a,b}.jsonl (../qa-reserve2/, ../qa-reserve3/).
    With `--half X`, one writer's half alone: parts/NAME-X.squad.json and its family file,
    through a temporary merge (../qa-reserve5/ on)."""
    what = "the dev, test, fresh or reserve families"
    if "--half" in sys.argv[1:]:
        half = sys.argv[sys.argv.index("--half") + 1]
        with open(os.path.join(here, "parts", "%s-%s.squad.json" % (name, half)), encoding="utf-8") as f:
            part = json.load(f)
        with tempfile.TemporaryDirectory() as tmp:
            squad = os.path.join(tmp, "squad-%s-%s.json" % (name, half))
            with open(squad, "w", encoding="utf-8") as f:
                json.dump({"version": "v2.0", "data": part["data"]}, f, ensure_ascii=False)
            files = [("paraphrase-families-%s-%s.jsonl" % (name, half), None, "%s-%s" % (name, half), 1, 30)]
            sys.argv = [sys.argv[0]]
            return main(here, squad, files, used_sets, what)
    files = [("paraphrase-families-%s-%s.jsonl" % (name, half), None, "%s-%s" % (name, half), 1, 30) for half in "ab"]
    return main(here, os.path.join(here, "squad-%s.json" % name), files, used_sets, what)


if __name__ == "__main__":
    sys.exit(main())
