#!/usr/bin/env python3
"""Validate the held-out paraphrase-family files against the SQuAD 2.0 dev subset.

Usage: python3 validate.py [path/to/squad2-dev-subset.json]
Default SQuAD path: $SQUAD2_DEV_SUBSET, else ../../../shared/data/qa/squad2-dev-subset.json
relative to this file (i.e. /work/shared/data/qa/ in the project layout).
Standard library only. Exit status 0 when every check passes, 1 otherwise.
"""
import collections
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_SQUAD = os.path.join(HERE, "..", "..", "..", "shared", "data", "qa", "squad2-dev-subset.json")

# (file, article, id prefix, first id): three files per article, ids 01-25, 26-50 and 51-80.
FILES = [
    ("paraphrase-families-heldout-southern-california.jsonl", "Southern_California", "socal", 1),
    ("paraphrase-families-heldout-southern-california-b.jsonl", "Southern_California", "socal", 26),
    ("paraphrase-families-heldout-southern-california-c.jsonl", "Southern_California", "socal", 51),
    ("paraphrase-families-heldout-sky.jsonl", "Sky_(United_Kingdom)", "sky", 1),
    ("paraphrase-families-heldout-sky-b.jsonl", "Sky_(United_Kingdom)", "sky", 26),
    ("paraphrase-families-heldout-sky-c.jsonl", "Sky_(United_Kingdom)", "sky", 51),
    ("paraphrase-families-heldout-victoria.jsonl", "Victoria_(Australia)", "victoria", 1),
    ("paraphrase-families-heldout-victoria-b.jsonl", "Victoria_(Australia)", "victoria", 26),
    ("paraphrase-families-heldout-victoria-c.jsonl", "Victoria_(Australia)", "victoria", 51),
]
FAMILIES_PER_FILE = {1: 25, 26: 25, 51: 30}  # by first id
MAX_PER_PARAGRAPH = 5  # over all files of an article
TOP_KEYS = ["family_id", "article", "paragraph_index", "question_id", "question", "answers",
            "paraphrases", "paraphrase_styles", "near_misses"]
STYLES = ["reworded", "keyword", "conversational"]
NM_REQUIRED = {"question", "answers", "answerable", "source"}
NM_OPTIONAL = {"question_id", "plausible_answers"}


def dedup(texts):
    return list(dict.fromkeys(texts))


def main():
    squad_path = (sys.argv[1] if len(sys.argv) > 1
                  else os.environ.get("SQUAD2_DEV_SUBSET", DEFAULT_SQUAD))
    return validate(squad_path, HERE, FILES, FAMILIES_PER_FILE, MAX_PER_PARAGRAPH)


def validate(squad_path, folder, files, families_per_file, max_per_paragraph, extra=None):
    """Checks `files` ((name, article or None for any, id prefix, first id[, family count]) under `folder`); `extra(rec, qas,
    err_at)` adds checks per family (`err_at(msg)` records a problem there, for example a
    near-miss question id). Prints a summary; returns the exit status."""
    with open(squad_path, encoding="utf-8") as f:
        squad = json.load(f)
    articles = {a["title"]: a for a in squad["data"]}

    errors = []
    totals = collections.Counter()

    def err(where, msg):
        errors.append("%s: %s" % (where, msg))

    per_par_by_article = collections.defaultdict(collections.Counter)
    ids_by_article = collections.defaultdict(set)
    qids_by_article = collections.defaultdict(set)
    for entry in files:
        fname, title, prefix, first_id = entry[:4]
        expected = entry[4] if len(entry) > 4 else families_per_file[first_id]
        path = os.path.join(folder, fname)
        if not os.path.exists(path):
            err(fname, "missing file")
            continue
        # title None: the file's families may be on any article of the SQuAD file.
        art = articles.get(title)
        if title is not None and art is None:
            err(fname, "article %r not in SQuAD file" % title)
            continue
        mix = collections.Counter()
        per_par = collections.Counter()
        seen_ids, seen_qids = ids_by_article[title], qids_by_article[title]
        n_lines = 0
        with open(path, encoding="utf-8") as f:
            for lineno, line in enumerate(f, 1):
                where = "%s:%d" % (fname, lineno)
                if not line.strip():
                    err(where, "blank line")
                    continue
                n_lines += 1
                try:
                    rec = json.loads(line)
                except ValueError as e:
                    err(where, "JSON parse error: %s" % e)
                    continue
                if not isinstance(rec, dict) or list(rec.keys()) != TOP_KEYS:
                    err(where, "keys %r != %r" % (list(rec.keys()) if isinstance(rec, dict) else rec, TOP_KEYS))
                    continue
                fid = rec["family_id"]
                where = "%s:%d (%s)" % (fname, lineno, fid)
                if fid != "%s-%02d" % (prefix, first_id + n_lines - 1):
                    err(where, "family_id should be %s-%02d" % (prefix, first_id + n_lines - 1))
                if fid in seen_ids:
                    err(where, "duplicate family_id")
                seen_ids.add(fid)
                if title is None:
                    art = articles.get(rec["article"])
                    if art is None:
                        err(where, "article %r not in SQuAD file" % rec["article"])
                        continue
                elif rec["article"] != title:
                    err(where, "article %r != %r" % (rec["article"], title))
                pi = rec["paragraph_index"]
                if not isinstance(pi, int) or not 0 <= pi < len(art["paragraphs"]):
                    err(where, "paragraph_index out of range")
                    continue
                per_par[(rec["article"], pi)] += 1
                para = art["paragraphs"][pi]
                ctx = para["context"]
                qas = {q["id"]: q for q in para["qas"]}
                q = qas.get(rec["question_id"])
                if q is None:
                    err(where, "question_id %s not in paragraph %d" % (rec["question_id"], pi))
                    continue
                if rec["question_id"] in seen_qids:
                    err(where, "question_id used twice as an original")
                seen_qids.add(rec["question_id"])
                if q["is_impossible"]:
                    err(where, "original question is unanswerable in SQuAD")
                if extra is not None:
                    extra(rec, qas, lambda msg, where=where: err(where, msg))
                if rec["question"] != q["question"]:
                    err(where, "question text differs from SQuAD")
                gold = dedup(a["text"] for a in q["answers"])
                if rec["answers"] != gold:
                    err(where, "answers %r != SQuAD gold %r" % (rec["answers"], gold))
                paras = rec["paraphrases"]
                if (not isinstance(paras, list) or len(paras) != 3
                        or not all(isinstance(p, str) and p.strip() for p in paras)):
                    err(where, "paraphrases must be 3 non-empty strings")
                elif len(set(paras)) != 3 or rec["question"] in paras:
                    err(where, "paraphrases must be distinct and differ from the question")
                if rec["paraphrase_styles"] != STYLES:
                    err(where, "paraphrase_styles != %r" % STYLES)
                nms = rec["near_misses"]
                if not isinstance(nms, list) or len(nms) != 2:
                    err(where, "near_misses must be a list of exactly 2")
                    continue
                nm_texts = set()
                for j, nm in enumerate(nms):
                    w = "%s near_miss[%d]" % (where, j)
                    keys = set(nm.keys())
                    if not NM_REQUIRED <= keys or not keys <= NM_REQUIRED | NM_OPTIONAL:
                        err(w, "bad keys %r" % sorted(keys))
                        continue
                    if nm["question"] in nm_texts or nm["question"] == rec["question"] or nm["question"] in paras:
                        err(w, "near-miss question duplicates the original, a paraphrase or the other near-miss")
                    nm_texts.add(nm["question"])
                    if not isinstance(nm["answers"], list) or not isinstance(nm["answerable"], bool):
                        err(w, "answers must be a list and answerable a bool")
                        continue
                    if nm["answerable"] != bool(nm["answers"]):
                        err(w, "answerable must be true iff answers is non-empty")
                    if set(nm["answers"]) & set(rec["answers"]):
                        err(w, "near-miss shares an answer with the original")
                    src = nm["source"]
                    if src == "squad":
                        nq = qas.get(nm.get("question_id"))
                        if nq is None:
                            err(w, "squad question_id %r not in paragraph %d" % (nm.get("question_id"), pi))
                            continue
                        if nq["id"] == rec["question_id"]:
                            err(w, "near-miss is the original question")
                        if nm["question"] != nq["question"]:
                            err(w, "question text differs from SQuAD")
                        if nq["is_impossible"]:
                            if nm["answerable"] or nm["answers"]:
                                err(w, "SQuAD marks this unanswerable")
                            pa = dedup(a["text"] for a in nq.get("plausible_answers", []))
                            if nm.get("plausible_answers") != pa:
                                err(w, "plausible_answers %r != SQuAD %r" % (nm.get("plausible_answers"), pa))
                        else:
                            ng = dedup(a["text"] for a in nq["answers"])
                            if not nm["answerable"] or nm["answers"] != ng:
                                err(w, "answers %r != SQuAD gold %r" % (nm["answers"], ng))
                            if "plausible_answers" in nm:
                                err(w, "plausible_answers only for unanswerable squad near-misses")
                    elif src == "written":
                        if "question_id" in nm or "plausible_answers" in nm:
                            err(w, "written near-miss must not carry question_id/plausible_answers")
                        if not nm["answerable"]:
                            err(w, "written near-misses must be answerable")
                        for a in nm["answers"]:
                            if a not in ctx:
                                err(w, "answer %r is not a span of the paragraph" % a)
                        if any(sq["question"] == nm["question"] for sq in para["qas"]):
                            err(w, "written near-miss copies a SQuAD question; mark it squad")
                    else:
                        err(w, "source must be squad or written")
                        continue
                    mix[(src, nm["answerable"])] += 1
        if n_lines != expected:
            err(fname, "%d families, expected %d" % (n_lines, expected))
        for (article, pi), c in per_par.items():
            per_par_by_article[article][pi] += c
        totals.update(mix)
        print("%s: %d families over %d paragraphs; near-misses squad-unanswerable=%d "
              "squad-answerable=%d written-answerable=%d" % (
                  fname, n_lines, len(per_par), mix[("squad", False)], mix[("squad", True)],
                  mix[("written", True)]))
    for title, counts in per_par_by_article.items():
        for pi, c in sorted(counts.items()):
            if c > max_per_paragraph:
                err(title, "paragraph %d has %d families (max %d)" % (pi, c, max_per_paragraph))
    print("TOTAL near-misses: squad-unanswerable=%d squad-answerable=%d written-answerable=%d" % (
        totals[("squad", False)], totals[("squad", True)], totals[("written", True)]))
    if errors:
        print("FAILED: %d problem(s)" % len(errors))
        for e in errors:
            print("  " + e)
        return 1
    print("OK: all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
