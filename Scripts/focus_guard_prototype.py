#!/usr/bin/env python3
"""Offline prototype of the summary cache's document-focus guard (docs/summary-cache.md).

For every dev family: pairs (original = cached, paraphrase | near-miss = new question). Embeds the
questions and the paragraph's units (sentences, clauses, 12-word windows) with the numpy MiniLM of
golden_embeddings.py (same weights as the Swift embedder), computes the query cosine and the focus
overlap (Bhattacharyya coefficient of softmax(cos(q, unit)/tau) distributions) and reports:
AUCs, pass counts per threshold with/without the focus veto, and a train-on-one-article /
test-on-the-other parameter selection. Question-guard verdicts come from
`loraserve cache calibrate --pairs PAIRS --pairs-out FILE` (pass --guards FILE); without it the
question guards are ignored.

Usage: python3 Scripts/focus_guard_prototype.py --dataset ../shared/data/qa [--guards pairs_out.jsonl]
       [--cache /tmp/focus-emb.npz]
"""
import argparse, json, os, re, sys
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import golden_embeddings as g  # noqa: E402


def sentences(text):
    # Same rule as DocumentSegmenter.sentences (Swift): break after . ? ! (+ closing quote) before an
    # uppercase letter, digit, quote or bracket; not after an initial or a short abbreviation.
    out, start = [], 0
    for m in re.finditer(r'[.?!]["\')\]]?\s+(?=[A-Z0-9"\'(\[])', text):
        prev = text[start:m.start() + 1].split()
        last = prev[-1].rstrip('.') if prev else ""
        if m.group(0)[0] == "." and ((len(last) == 1 and last.isupper()) or last.lower() in
                                     ("c", "ca", "e.g", "i.e", "vs", "mr", "mrs", "dr", "st", "no", "approx", "etc")):
            continue
        out.append(text[start:m.end()].strip()); start = m.end()
    if text[start:].strip(): out.append(text[start:].strip())
    return out


def clauses(sent, min_words=6):
    out, cur = [], []
    for w in sent.split():
        cur.append(w)
        if w[-1] in ",;:" and len(cur) >= min_words: out.append(" ".join(cur)); cur = []
    if cur:
        if len(cur) < min_words and out: out[-1] += " " + " ".join(cur)
        else: out.append(" ".join(cur))
    return out


def windows(text, n=12, stride=6):
    w = text.split(); out = []
    for i in range(0, max(1, len(w)), stride):
        out.append(" ".join(w[i:i + n]))
        if i + n >= len(w): break
    return out


def softmax(x, tau):
    z = (x - x.max()) / tau; e = np.exp(z); return e / e.sum()


def auc(pos, neg):
    pos, neg = np.array(pos), np.array(neg)
    return (pos[:, None] > neg[None, :]).mean() + 0.5 * (pos[:, None] == neg[None, :]).mean()


def embed_all(texts, cache):
    if cache and os.path.exists(cache):
        z = np.load(cache, allow_pickle=True)
        if list(z["texts"]) == texts: return z["vectors"]
    md = os.path.expanduser("~/.cache/loraserve/models/all-MiniLM-L6-v2")
    W, tok = g.load_model(md), g.make_tokenizer(md)
    ids = [tok.encode(t).ids for t in texts]
    order = sorted(range(len(texts)), key=lambda i: len(ids[i]))
    out = np.zeros((len(texts), 384))
    for s in range(0, len(order), 32):
        b = order[s:s + 32]; out[b] = g.forward(W, [ids[i] for i in b])
    if cache: np.savez(cache, texts=np.array(texts, dtype=object), vectors=out)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dataset", required=True)
    ap.add_argument("--guards", help="pairs_out JSONL from `cache calibrate --pairs-out` (same pair order)")
    ap.add_argument("--cache", default="/tmp/focus-guard-embeddings.npz")
    a = ap.parse_args()
    squad = json.load(open(os.path.join(a.dataset, "squad2-dev-subset.json")))
    arts = {x["title"]: x for x in squad["data"]}
    fams = [json.loads(l) for l in open(os.path.join(a.dataset, "paraphrase-families-dev.jsonl"))]
    units = {}
    for f in fams:
        key = (f["article"], f["paragraph_index"])
        if key in units: continue
        ctx = arts[f["article"]]["paragraphs"][f["paragraph_index"]]["context"]
        sents = sentences(ctx)
        units[key] = {"sent": sents, "clause": [c for s in sents for c in clauses(s)], "window": windows(ctx)}
    texts = set()
    for f in fams:
        texts.update([f["question"]] + f["paraphrases"] + [n["question"] for n in f["near_misses"]])
    for u in units.values():
        for v in u.values(): texts.update(v)
    texts = sorted(texts)
    E = embed_all(texts, a.cache); ix = {t: i for i, t in enumerate(texts)}
    v = lambda t: E[ix[t]]
    rows = []
    for f in fams:
        U = {k: np.array([v(t) for t in ts]) for k, ts in units[(f["article"], f["paragraph_index"])].items()}
        qa = v(f["question"])
        for kind, qs in (("P", f["paraphrases"]), ("N", [n["question"] for n in f["near_misses"]])):
            for q in qs:
                qb = v(q); r = {"art": f["article"], "kind": kind, "cos": float(qa @ qb)}
                for un, S in U.items():
                    for tau in (0.01, 0.02, 0.03, 0.05, 0.1):
                        r[f"{un}/{tau}"] = float(np.sqrt(softmax(S @ qa, tau) * softmax(S @ qb, tau)).sum()) if len(S) > 1 else 1.0
                rows.append(r)
    guards = [not json.loads(l)["findings"] for l in open(a.guards)] if a.guards else [True] * len(rows)
    assert len(guards) == len(rows), "guards file must list the pairs in family order (paraphrases, then near-misses)"
    for r, ok in zip(rows, guards): r["g"] = ok
    keys = [k for k in rows[0] if "/" in k]
    arts_ = sorted({r["art"] for r in rows})
    TS = (0.65, 0.70, 0.75, 0.80)

    def passes(rr, t, key=None, mo=0.0):
        P = [r for r in rr if r["kind"] == "P"]; N = [r for r in rr if r["kind"] == "N"]
        hit = lambda r: r["cos"] >= t and r["g"] and (key is None or r[key] >= mo)
        return sum(map(hit, P)), sum(map(hit, N)), len(P), len(N)

    def score(rr, key, mo):
        dN = sum(passes(rr, t)[1] - passes(rr, t, key, mo)[1] for t in TS)
        dP = sum(passes(rr, t)[0] - passes(rr, t, key, mo)[0] for t in TS)
        return dN - 2 * dP, dN, dP

    for art in arts_:
        rr = [r for r in rows if r["art"] == art]
        P = [r for r in rr if r["kind"] == "P"]; N = [r for r in rr if r["kind"] == "N"]
        print(f"{art}: AUC cos {auc([r['cos'] for r in P], [r['cos'] for r in N]):.3f}, "
              f"focus(sent, 0.02) {auc([r['sent/0.02'] for r in P], [r['sent/0.02'] for r in N]):.3f}")
    for train in arts_:
        tr = [r for r in rows if r["art"] == train]
        (s, dN, dP), k, mo = max(((score(tr, k, mo), k, mo) for k in keys for mo in (0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8)),
                                 key=lambda x: x[0][0])
        print(f"trained on {train}: {k} overlap >= {mo} (removes {dN} near-miss hits, loses {dP} paraphrase hits over t={TS})")
        for art in arts_:
            rr = [r for r in rows if r["art"] == art]; _, n, p = score(rr, k, mo)
            print(f"   {'train' if art == train else 'held-out'} {art}: -{n} near-miss hits, -{p} paraphrase hits")
    print("default (sentences, tau 0.02, overlap 0.5): P/N passing per threshold")
    for art in arts_:
        rr = [r for r in rows if r["art"] == art]
        print("  ", art, " ".join(f"t={t}: {passes(rr, t)[0]}/{passes(rr, t)[1]} -> {passes(rr, t, 'sent/0.02', 0.5)[0]}/{passes(rr, t, 'sent/0.02', 0.5)[1]}" for t in TS))


if __name__ == "__main__":
    main()
