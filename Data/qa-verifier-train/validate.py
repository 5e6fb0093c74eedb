#!/usr/bin/env python3
"""Checks the general-topic verifier training families (stdlib only).

Usage: python3 validate.py [--dev PATH]   (run from anywhere; checks families-*.jsonl next to it)

Checks: every line parses; field names and counts (3 paraphrases in the three styles, 3
near-misses with a known kind); ids unique and in order per file; no question repeated anywhere;
no near-miss whose answer equals the original's; no topic of the dev articles (keywords); and no
question close to a dev-family question (token Jaccard >= 0.6), so the evaluation set stays clean.
Exit status 1 with one line per problem.
"""
import argparse, glob, json, os, re, sys

HERE = os.path.dirname(os.path.abspath(__file__))
KINDS = {"attribute", "entity-swap", "negation", "antonym", "number", "scope", "unanswerable", "follow-up"}
STYLES = ["reworded", "keyword", "conversational"]
BANNED = re.compile(r"\b(norman|normans|normandy|viking|vikings|norse|rollo|complexity class|turing machine|"
                    r"polynomial time|np-complete|big o)\b", re.I)
STOP = set("a an the of in on at to for from by with is are was were be been do does did what which who whom when "
           "where why how that this it its and or".split())


def words(text):
    return set(re.findall(r"\w+", text.lower())) - STOP


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dev", default=os.environ.get("DEV_FAMILIES", os.path.join(HERE, "../../../shared/data/qa/paraphrase-families-dev.jsonl")))
    args = ap.parse_args()
    problems, seen, total, kinds = [], {}, 0, {}
    dev = []
    if os.path.exists(args.dev):
        for line in open(args.dev, encoding="utf-8"):
            f = json.loads(line)
            dev += [f["question"], *f["paraphrases"], *(n["question"] for n in f["near_misses"])]
    else:
        print(f"note: dev families not found at {args.dev}; contamination check skipped")
    dev_words = [(q, words(q)) for q in dev]
    files = sorted(glob.glob(os.path.join(HERE, "families-*.jsonl")))
    if not files:
        problems.append("no families-*.jsonl files")
    for path in files:
        name = os.path.basename(path)
        letter = name[len("families-"):-len(".jsonl")]
        for n, line in enumerate(open(path, encoding="utf-8"), 1):
            where = f"{name}:{n}"
            try:
                f = json.loads(line)
            except json.JSONDecodeError as e:
                problems.append(f"{where}: not JSON ({e})"); continue
            total += 1
            need = {"family_id", "topic", "question", "answer", "paraphrases", "paraphrase_styles", "near_misses"}
            if set(f) != need:
                problems.append(f"{where}: fields {sorted(set(f) ^ need)} differ"); continue
            if f["family_id"] != f"gen-{letter}-{n:03d}":
                problems.append(f"{where}: family_id {f['family_id']!r}, expected gen-{letter}-{n:03d}")
            if len(f["paraphrases"]) != 3 or f["paraphrase_styles"] != STYLES:
                problems.append(f"{where}: needs 3 paraphrases in styles {STYLES}")
            if len(f["near_misses"]) != 3:
                problems.append(f"{where}: needs 3 near-misses")
            questions = [f["question"], *f["paraphrases"]]
            for m in f["near_misses"]:
                if set(m) != {"question", "answer", "kind"} or m["kind"] not in KINDS:
                    problems.append(f"{where}: near-miss {m!r} malformed"); continue
                kinds[m["kind"]] = kinds.get(m["kind"], 0) + 1
                questions.append(m["question"])
                if m["answer"] is not None and m["answer"].strip().lower() == str(f["answer"]).strip().lower():
                    problems.append(f"{where}: near-miss {m['question']!r} has the original's answer")
            for q in questions:
                if not isinstance(q, str) or not q.strip():
                    problems.append(f"{where}: empty question"); continue
                key = " ".join(q.lower().split())
                if key in seen:
                    problems.append(f"{where}: {q!r} repeats {seen[key]}")
                seen[key] = where
                if BANNED.search(q) or BANNED.search(f["topic"]):
                    problems.append(f"{where}: dev-article topic in {q!r}")
                wq = words(q)
                for d, wd in dev_words:
                    if wq and wd and len(wq & wd) / len(wq | wd) >= 0.6:
                        problems.append(f"{where}: {q!r} is close to dev question {d!r}")
    for p in problems:
        print(p)
    print(f"{len(files)} files, {total} families, near-miss kinds {dict(sorted(kinds.items()))}: "
          f"{'OK' if not problems else f'{len(problems)} problem(s)'}")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
