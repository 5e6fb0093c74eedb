#!/usr/bin/env python3
"""Train the summary cache's reuse verifier: a cross-encoder over all-MiniLM-L6-v2.

The cached question and the new one go through MiniLM together ([CLS] a [SEP] b [SEP], token
types 0/1); a LoRA delta (rank 16 on every linear layer) and one linear unit on the L2-normalised
mean-pooled output give a logit for "same information need". Swift loads the file
(BertPairClassifier), merges the delta into the base weights and runs the same forward.

Training data: the held-out families (Data/qa-heldout/, SQuAD articles Southern_California,
Sky_(United_Kingdom), Victoria_(Australia)), SQuAD questions of those articles, and the
general-topic families of Data/qa-verifier-train/ (60 topics unrelated to the dev articles; no
document, only questions). The dev families (Normans, Computational_complexity_theory) that
`loraserve eval qa` reports on are never read. Pairs:
  positive: any two of {original, paraphrases} of a family (both orders);
  negative: a near-miss with each of them (both orders; one random order for general topics);
    each SQuAD unanswerable question with the answerable question of its paragraph it overlaps
    most (the adversarial edit it came from); answerable questions of one paragraph with
    different answers and some word overlap; one synthetic swap per answerable question (a
    content word replaced by another paragraph word);
  with --partition-negatives N (the shipped classifier A uses 2000): what else shares a cache
    partition in serving — the two near-misses of a family against each other, and up to N sampled
    pairs of questions of different families on one paragraph with different answers.
With --evidence (experiment E, reports/qa/verifier-evidence/): every pair also reads the
  document unit closest to its first (cached) question as a third segment, [CLS] a [SEP] b [SEP]
  unit [SEP] (Scripts/verifier_evidence.py); the file gets an `evidence_layout` tensor so Swift
  feeds it that unit. Not shipped: it did not beat the question-pair ensemble.
Loss: class-weighted binary cross-entropy. Fixed seed.
Model selection (--validate-article): that held-out article is left out of training; after each
epoch the model is scored on its family pairs (recall of same-need pairs at <= 2% of
different-need pairs accepted) and the best epoch's weights are exported. Dev data is never used.
--validate-families scores whole family files instead (experiment J: a spent set never trained
on). A run stopped early (--save-each-epoch) is finished by --golden-only OUT.epochN, which loads
that snapshot, exports it to --out with the full metadata and writes --golden.

Outputs:
  --out      safetensors: encoder.layer.L.<module>.lora_A [r x in] / lora_B [out x r] (F16),
             lora_scale [1], head.weight [1 x 384], head.bias [1] (F32); metadata with versions.
  --golden   JSON: logits for fixed pairs computed by torch with the F16-rounded delta (what the
             Swift forward must reproduce), plus versions and the file's sha256.

Requires (not in CI): torch, transformers, peft, safetensors, numpy. Usage:
  python Scripts/train_reuse_verifier.py --families Data/qa-heldout/*.jsonl \
      --general Data/qa-verifier-train/families-*.jsonl --validate-article "Victoria_(Australia)" \
      --out Sources/QAPipeline/Resources/reuse-verifier.safetensors \
      --golden Tests/RealModelTests/Golden/reuse-verifier.json
"""
import argparse, copy, hashlib, itertools, json, os, platform, random, re, sys, time

import numpy as np
import torch
import transformers
import peft
import safetensors
from safetensors.torch import save_file
from transformers import AutoTokenizer, AutoModel
from peft import LoraConfig, get_peft_model

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import verifier_evidence  # noqa: E402

# The linear layers that get a LoRA delta, per encoder family (config.json's model_type): peft's
# target names and the module paths the exported tensors are named by.
ARCHS = {
    "bert": (["query", "key", "value", "dense"],
             ["attention.self.query", "attention.self.key", "attention.self.value",
              "attention.output.dense", "intermediate.dense", "output.dense"]),
    # Experiment M (reports/qa/verifier-mpnet/): all-mpnet-base-v2.
    "mpnet": (["q", "k", "v", "o", "dense"],
              ["attention.attn.q", "attention.attn.k", "attention.attn.v", "attention.attn.o",
               "intermediate.dense", "output.dense"]),
}
STOP = set("a an the of in on at to for from by with is are was were be been do does did what which who whom when "
           "where why how that this it its and or".split())
GOLDEN_PAIRS = [
    ("Who was the Norse leader?", "Who led the Norse raiders?"),
    ("Who bought the rights?", "Who sold the rights?"),
    ("When was the Duchy of Normandy founded?", "In what year was the Duchy of Normandy set up?"),
    ("When was the Duchy of Normandy founded?", "By what treaty was the Duchy of Normandy established?"),
    ("What are two basic primary resources used to gauge complexity?", "What are three basic primary resources used to gauge complexity?"),
    ("Où se trouve le café?", "Where is the café?"),
    ("東京の人口は?", "What is the population of Tokyo?"),
    ("", "An empty cached question"),
    ("How many 🐍 are there?", "How many snakes are there?"),
    ("What does big O notation hide?", "big O notation hides"),
    ("word " * 150, "a very long first question is truncated longest-first"),
    ("What is 3.14 rounded?", "What is pi to two decimals?"),
]

# A passage for the evidence-layout golden logits (each pair's evidence is its unit closest to a).
GOLDEN_PASSAGE = ("The Normans were descended from Norse raiders led by Rollo, who swore fealty to King Charles III. "
                  "The Duchy of Normandy was founded by the treaty of Saint-Clair-sur-Epte in 911. "
                  "Complexity theory measures the time and space an algorithm uses; big O notation hides constant factors. "
                  "Tokyo has a population of about 14 million, and the café is on the corner. "
                  "Pi is approximately 3.14.")


def families(paths):
    for p in paths:
        for line in open(p, encoding="utf-8"):
            if line.strip():
                yield json.loads(line)


def overlap(x, y):
    sx = set(re.findall(r"\w+", x.lower())) - STOP
    sy = set(re.findall(r"\w+", y.lower())) - STOP
    return len(sx & sy) / max(1, len(sx | sy))


def family_pairs(fams, rng=None):
    """Positives in both orders; negatives in both orders, or (rng given) in one random order."""
    pos, neg = [], []
    for f in fams:
        same = [f["question"]] + f["paraphrases"]
        ctx = f.get("_ctx")
        pos += [(a, b, ctx) for a, b in itertools.permutations(same, 2)]
        for n in f["near_misses"]:
            for a in same:
                if rng is None:
                    neg += [(a, n["question"], ctx), (n["question"], a, ctx)]
                else:
                    neg.append((a, n["question"], ctx) if rng.random() < 0.5 else (n["question"], a, ctx))
    return pos, neg


def partition_negatives(fams, rng, cap):
    """What else shares a cache partition (one paragraph) in serving: every earlier question is
    cached, near-misses included. Negatives: the two near-misses of a family, and questions of
    different families of one paragraph, whenever their answers differ (both orders; at most
    `cap` cross-family pairs, sampled)."""
    def answers(q):
        return {a.lower() for a in q}
    out, cross = [], []
    for f in fams:
        nms = f["near_misses"]
        for x, y in itertools.permutations(nms, 2):
            if x["question"] != y["question"] and not answers(x["answers"]) & answers(y["answers"]):
                out.append((x["question"], y["question"], f.get("_ctx")))
    by_par = {}
    for f in fams:
        by_par.setdefault((f["article"], f["paragraph_index"]), []).append(f)
    for group in by_par.values():
        for f, g in itertools.permutations(group, 2):
            if answers(f["answers"]) & answers(g["answers"]):
                continue
            qs_f = [f["question"]] + f["paraphrases"]
            qs_g = [g["question"]] + g["paraphrases"] + [n["question"] for n in g["near_misses"]
                                                          if not answers(n["answers"]) & answers(f["answers"])]
            cross += [(a, b, f.get("_ctx")) for a in qs_f for b in qs_g if a != b]
    rng.shuffle(cross)
    return out + cross[:cap]


def as_partition_family(f):
    """A general-topic family in the SQuAD-family shape `partition_negatives` reads (one passage
    per topic; a near-miss's `answer` null = unanswerable)."""
    def answers(a):
        return [] if a is None else [a]
    return {"article": "general:" + f["topic"], "paragraph_index": 0, "_ctx": f.get("_ctx"), "question": f["question"],
            "answers": answers(f["answer"]), "paraphrases": f["paraphrases"],
            "near_misses": [{"question": n["question"], "answers": answers(n["answer"])} for n in f["near_misses"]]}


def squad_articles(squad_paths):
    """The articles of one or more SQuAD-format files (--squad may name several)."""
    return [a for path in squad_paths for a in json.load(open(path, encoding="utf-8"))["data"]]


def with_contexts(fams, squad_path, general_paths):
    """Each family gets its document as `_ctx`: the SQuAD paragraph it points into, or (general
    topics) its topic's passage from the passages-*.jsonl next to its families file."""
    paragraphs = {(a["title"], i): p["context"] for a in squad_articles(squad_path)
                  for i, p in enumerate(a["paragraphs"])}
    passages = {}
    for path in general_paths:
        ppath = os.path.join(os.path.dirname(path), os.path.basename(path).replace("families-", "passages-"))
        for line in open(ppath, encoding="utf-8"):
            if line.strip():
                rec = json.loads(line)
                passages[rec["topic"]] = rec["passage"]
    for f in fams:
        f["_ctx"] = passages[f["topic"]] if "topic" in f else paragraphs[(f["article"], f["paragraph_index"])]
    return fams


def make_pairs(paths, squad_path, seed, general=(), exclude_article=None, partition_cap=0, general_partition=False):
    fams = with_contexts([f for f in families(paths) if f["article"] != exclude_article], squad_path, [])
    pos, neg = family_pairs(fams)
    general_fams = with_contexts(list(families(general)), squad_path, general)
    if partition_cap:
        # A general topic's families were written on one passage: in serving they would share a
        # cache partition, like the families of one SQuAD paragraph.
        grouped = fams + [as_partition_family(f) for f in general_fams] if general_partition else fams
        neg += partition_negatives(grouped, random.Random(seed + 1), partition_cap)
    # General-topic negatives in one random order each: half the pairs, the same information.
    gpos, gneg = family_pairs(general_fams, random.Random(seed))
    pos += gpos; neg += gneg
    articles = {f["article"] for f in fams}
    rng = random.Random(seed)
    mined = []
    for art in squad_articles(squad_path):
        if art["title"] not in articles:
            continue
        for p in art["paragraphs"]:
            ans = [q for q in p["qas"] if not q["is_impossible"]]
            imp = [q for q in p["qas"] if q["is_impossible"]]
            words = [w for w in re.findall(r"[A-Za-z][A-Za-z-]+", p["context"]) if w.lower() not in STOP and len(w) > 3]
            for q in imp:
                if ans:
                    best = max(ans, key=lambda x: overlap(x["question"], q["question"]))
                    mined += [(best["question"], q["question"], p["context"]), (q["question"], best["question"], p["context"])]
            for i, j in itertools.combinations(range(len(ans)), 2):
                ti = {x["text"].lower() for x in ans[i]["answers"]}
                tj = {x["text"].lower() for x in ans[j]["answers"]}
                if not (ti & tj) and overlap(ans[i]["question"], ans[j]["question"]) > 0.15:
                    mined.append((ans[i]["question"], ans[j]["question"], p["context"]))
            for q in ans[:3]:
                toks = q["question"].split()
                idx = [k for k, w in enumerate(toks) if re.sub(r"\W", "", w).lower() not in STOP and len(w) > 3]
                if not idx or not words:
                    continue
                k, w = rng.choice(idx), rng.choice(words)
                if w.lower() in q["question"].lower():
                    continue
                swapped = toks[:]
                swapped[k] = w + ("?" if toks[k].endswith("?") else "")
                mined.append((q["question"], " ".join(swapped), p["context"]))
    return pos, neg + mined, len(mined), len(gpos) + len(gneg), sorted(articles)


def recall_at(model, pos, neg, max_fhr=0.02):
    """Share of same-need pairs accepted at the threshold that accepts <= max_fhr of the others."""
    model.eval()
    with torch.no_grad():
        def scores(pairs):
            res = []
            for i in range(0, len(pairs), 64):
                a, b, e = zip(*pairs[i:i + 64])
                res += torch.sigmoid(model(a, b, e)).tolist()
            return res
        sp, sn = scores(pos), sorted(scores(neg), reverse=True)
    allowed = int(max_fhr * len(sn))
    t = sn[allowed] if allowed < len(sn) else 0.0
    return sum(p > t for p in sp) / len(sp), t


def score_pairs(model, paths, out_dir, tag):
    """Experiment M's screen: P(same) for every pair of each labelled-pairs JSONL (the
    `cache calibrate --pairs` format), written as OUT_DIR/TAG-<file>: the input rows plus `p`."""
    model.eval()
    os.makedirs(out_dir, exist_ok=True)
    with torch.no_grad():
        for path in paths:
            rows = [json.loads(line) for line in open(path, encoding="utf-8") if line.strip()]
            probs = []
            for i in range(0, len(rows), 64):
                chunk = rows[i:i + 64]
                probs += torch.sigmoid(model([r["question_a"] for r in chunk], [r["question_b"] for r in chunk],
                                             [None] * len(chunk))).tolist()
            with open(os.path.join(out_dir, f"{tag}-{os.path.basename(path)}"), "w", encoding="utf-8") as fh:
                for r, p in zip(rows, probs):
                    fh.write(json.dumps({**r, "p": p}, ensure_ascii=False) + "\n")


class CrossEncoder(torch.nn.Module):
    def __init__(self, model_dir, rank, evidence=False):
        super().__init__()
        self.evidence = evidence
        self.tok = AutoTokenizer.from_pretrained(model_dir)
        base = AutoModel.from_pretrained(model_dir)
        self.arch = base.config.model_type
        if self.arch not in ARCHS:
            sys.exit(f"unsupported encoder {self.arch!r} (have {sorted(ARCHS)})")
        self.layers, self.base_name = base.config.num_hidden_layers, base.config.name_or_path
        cfg = LoraConfig(r=rank, lora_alpha=2 * rank, lora_dropout=0.1, target_modules=ARCHS[self.arch][0])
        self.enc = get_peft_model(base, cfg)
        self.head = torch.nn.Linear(base.config.hidden_size, 1)

    def forward(self, a, b, e=None):
        if self.evidence:
            enc = verifier_evidence.batch(self.tok, list(zip(a, b, e)))
        else:
            enc = self.tok(list(a), list(b), padding=True, truncation=True, max_length=128, return_tensors="pt")
        h = self.enc(**enc).last_hidden_state
        m = enc["attention_mask"].unsqueeze(-1).float()
        v = torch.nn.functional.normalize((h * m).sum(1) / m.sum(1), dim=-1)
        return self.head(v).squeeze(-1)


def base_model(model):
    """The `base_model` metadata Swift picks the base encoder by (ReuseVerifier.load)."""
    return "sentence-transformers/all-mpnet-base-v2" if model.arch == "mpnet" else "sentence-transformers/all-MiniLM-L6-v2"


def lora_parameters(model):
    """(exported tensor name, parameter) for every LoRA matrix: peft's
    `…encoder.layer.L.<module>.lora_A.default.weight` is exported as `encoder.layer.L.<module>.lora_A`."""
    out = []
    for name, p in model.enc.named_parameters():
        m = re.match(r".*encoder\.layer\.(\d+)\.(.+)\.lora_([AB])\.default\.weight$", name)
        if m:
            layer, module, which = m.groups()
            assert module in ARCHS[model.arch][1], module
            out.append((f"encoder.layer.{layer}.{module}.lora_{which}", p))
    assert len(out) == model.layers * len(ARCHS[model.arch][1]) * 2, len(out)
    return out


def export(model, rank, path, meta):
    tensors = {name: p.detach().to(torch.float16).contiguous() for name, p in lora_parameters(model)}
    tensors["lora_scale"] = torch.tensor([2.0 * rank / rank], dtype=torch.float32)
    tensors["head.weight"] = model.head.weight.detach().float().contiguous()
    tensors["head.bias"] = model.head.bias.detach().float().contiguous()
    if model.evidence:
        # Marks the [CLS] cached [SEP] new [SEP] evidence [SEP] layout (Scripts/verifier_evidence.py).
        tensors["evidence_layout"] = torch.tensor([1.0], dtype=torch.float32)
    save_file(tensors, path, metadata=meta)
    # What Swift will load: the delta rounded to F16.
    with torch.no_grad():
        for name, p in model.enc.named_parameters():
            if ".lora_" in name:
                p.copy_(p.to(torch.float16).to(torch.float32))


def load_snapshot(model, path, log_path):
    """Loads an `export`ed file (F16 delta, F32 head) into `model`; returns the validation records
    of the run's log (`epoch N: … recall R at … (p > T)` lines) and the snapshot's epoch count."""
    from safetensors import safe_open
    with safe_open(path, framework="pt") as f:
        tensors = {k: f.get_tensor(k) for k in f.keys()}
        epochs = int(f.metadata().get("epochs", "0"))
    with torch.no_grad():
        for name, p in lora_parameters(model):
            p.copy_(tensors[name].float())
        model.head.weight.copy_(tensors["head.weight"]); model.head.bias.copy_(tensors["head.bias"])
    selection = []
    for line in open(log_path, encoding="utf-8") if log_path else []:
        m = re.match(r"epoch (\d+): .* recall ([0-9.]+) at .*\(p > ([0-9.]+)\)", line)
        if m:
            selection.append({"epoch": int(m.group(1)), "recall_at_2pct": round(float(m.group(2)), 4), "threshold": round(float(m.group(3)), 4)})
    return selection, epochs


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--families", nargs="+", required=True)
    ap.add_argument("--squad", nargs="+", default=["../shared/data/qa/squad2-dev-subset.json"],
                    help="SQuAD-format files the families point into (their articles are mined for negatives)")
    ap.add_argument("--model-dir", default=os.path.expanduser("~/.cache/loraserve/models/all-MiniLM-L6-v2"))
    ap.add_argument("--out", required=True)
    ap.add_argument("--golden", required=True)
    ap.add_argument("--general", nargs="*", default=[], help="general-topic families (Data/qa-verifier-train)")
    ap.add_argument("--validate-article", default=None, help="held-out article left out for epoch selection")
    ap.add_argument("--validate-families", nargs="*", default=[],
                    help="family files left out for epoch selection (experiment J: a whole spent set; their SQuAD file must be in --squad)")
    ap.add_argument("--golden-only", default=None, metavar="SNAPSHOT",
                    help="no training: load an OUT.epochN snapshot of a run with these arguments, export it to --out "
                         "with the full metadata and write --golden (a run stopped before its last epoch)")
    ap.add_argument("--validation-log", default=None,
                    help="with --golden-only: the stopped run's log, whose 'epoch N: …' lines become the validation metadata")
    ap.add_argument("--epochs", type=int, default=2)
    ap.add_argument("--rank", type=int, default=16)
    ap.add_argument("--lr", type=float, default=5e-4)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--partition-negatives", type=int, default=0,
                    help="also train on what shares a cache partition: near-miss vs near-miss of a family, and up to N "
                         "cross-family pairs of one paragraph with different answers")
    ap.add_argument("--save-each-epoch", action="store_true", help="also export OUT.epochN after each epoch but the last")
    ap.add_argument("--evidence", action="store_true",
                    help="experiment E: read the document unit closest to the cached question as a third segment "
                         "(Scripts/verifier_evidence.py)")
    ap.add_argument("--general-partition", action="store_true",
                    help="with --partition-negatives: also group the general-topic families by topic (one passage each)")
    ap.add_argument("--score-pairs", nargs="*", default=[],
                    help="labelled-pairs JSONL files to score after each epoch (experiment M's screen)")
    ap.add_argument("--score-dir", default=None, help="where --score-pairs writes epochN-<file>")
    args = ap.parse_args()
    if any("paraphrase-families-dev" in f for f in args.families + args.general):
        sys.exit("refusing to train on the dev families (they are the evaluation set)")
    # Sets not yet run are never read. reserve3-6 were refused until their registered runs
    # (reports/qa/{verifier-mpnet2,guards-contrast,guards-aliases,guards-names}/); they are spent
    # and experiment J (reports/qa/verifier-indomain/) trains on them.
    for folder, report in [("qa-reserve7", "verifier-indomain")]:
        if any(folder in f for f in args.families + args.general + args.squad + args.validate_families):
            sys.exit("refusing to read %s (an evaluation set: reports/qa/%s/)" % (folder, report))
    dev_articles = {"Normans", "Computational_complexity_theory"}
    if any(f["article"] in dev_articles for f in families(args.families)):
        sys.exit("refusing to train on families of the dev articles (Data/qa-test, Data/qa-fresh): "
                 "the dev evaluation would see its documents' questions")
    torch.manual_seed(args.seed); random.seed(args.seed); np.random.seed(args.seed)
    torch.set_num_threads(2)
    pos, neg, mined, general, articles = make_pairs(args.families, args.squad, args.seed, args.general, args.validate_article,
                                                     args.partition_negatives, args.general_partition)
    print(f"articles {articles}: {len(pos)} positive, {len(neg)} negative ({mined} mined from SQuAD, "
          f"{general} from {len(args.general)} general-topic files)", flush=True)
    if args.validate_article and args.validate_families:
        sys.exit("--validate-article and --validate-families exclude each other")
    held = [f for f in families(args.families) if f["article"] == args.validate_article] if args.validate_article \
        else list(families(args.validate_families))
    vpos, vneg = family_pairs(with_contexts(held, args.squad, []))
    validation_name = args.validate_article or ",".join(os.path.basename(f) for f in args.validate_families)
    if (args.validate_article or args.validate_families) and not vpos:
        sys.exit(f"no families of {validation_name!r} to validate on")
    model = CrossEncoder(args.model_dir, args.rank, args.evidence)
    if args.evidence:
        picker = verifier_evidence.EvidencePicker(AutoTokenizer.from_pretrained(args.model_dir), AutoModel.from_pretrained(args.model_dir).eval())
        t0 = time.time()
        pos, neg, vpos, vneg = ([(a, b, picker.evidence(a, c)) for a, b, c in pairs] for pairs in (pos, neg, vpos, vneg))
        print(f"evidence picked for {len(pos) + len(neg) + len(vpos) + len(vneg)} pairs in {time.time() - t0:.0f} s", flush=True)
    opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=args.lr, weight_decay=0.01)
    data = [(a, b, e, 1.0) for a, b, e in pos] + [(a, b, e, 0.0) for a, b, e in neg]
    weight = torch.tensor(len(neg) / len(pos))
    best, selection = None, []
    if args.golden_only:
        # No training: the snapshot's epoch count is what the metadata reports.
        selection, args.epochs = load_snapshot(model, args.golden_only, args.validation_log)
    for epoch in range(0 if args.golden_only else args.epochs):
        model.train(); random.shuffle(data); t0 = time.time(); total = 0.0
        for i in range(0, len(data), 32):
            batch = data[i:i + 32]
            a, b, e, y = zip(*batch)
            loss = torch.nn.functional.binary_cross_entropy_with_logits(model(a, b, e), torch.tensor(y), pos_weight=weight)
            opt.zero_grad(); loss.backward(); opt.step(); total += loss.item()
        line = f"epoch {epoch + 1}: loss {total:.1f} ({time.time() - t0:.0f} s)"
        if vpos:
            rec, thr = recall_at(model, vpos, vneg)
            selection.append({"epoch": epoch + 1, "recall_at_2pct": round(rec, 4), "threshold": round(thr, 4)})
            line += f"; {validation_name}: recall {rec:.3f} at <= 2% of {len(vneg)} near-miss pairs (p > {thr:.3f})"
            if best is None or rec > best[0]:
                best = (rec, epoch + 1, {k: v.detach().clone() for k, v in model.state_dict().items()})
        print(line, flush=True)
        if args.score_pairs:
            score_pairs(model, args.score_pairs, args.score_dir or os.path.dirname(os.path.abspath(args.out)), f"epoch{epoch + 1}")
        if args.save_each_epoch and epoch + 1 < args.epochs:
            snapshot = copy.deepcopy(model).eval()
            export(snapshot, args.rank, f"{args.out}.epoch{epoch + 1}", {"epochs": str(epoch + 1), "base_model": base_model(model)})
    if best is not None:
        model.load_state_dict(best[2])
        print(f"selected epoch {best[1]} (validation recall {best[0]:.3f})", flush=True)
    model.eval()
    versions = {"torch": torch.__version__, "transformers": transformers.__version__, "peft": peft.__version__,
                "safetensors": safetensors.__version__, "numpy": np.__version__, "python": platform.python_version()}
    meta = {"base_model": base_model(model), "rank": str(args.rank),
            "epochs": str(best[1] if best else args.epochs), "validation_article": validation_name,
            "validation": json.dumps(selection), "general_families": ",".join(os.path.basename(f) for f in args.general),
            "seed": str(args.seed), "training_articles": ",".join(articles),
            "partition_negatives": str(args.partition_negatives), "evidence": "top-unit" if args.evidence else "", "general_partition": str(args.general_partition),
            "families": ",".join(os.path.basename(f) for f in args.families), **versions}
    export(model, args.rank, args.out, meta)
    golden_ev = [None] * len(GOLDEN_PAIRS)
    if args.evidence:
        golden_ev = [picker.evidence(a, GOLDEN_PASSAGE) for a, _ in GOLDEN_PAIRS]
    with torch.no_grad():
        logits = model([a for a, _ in GOLDEN_PAIRS], [b for _, b in GOLDEN_PAIRS], golden_ev).tolist()
    sha = hashlib.sha256(open(args.out, "rb").read()).hexdigest()
    golden = {"generator": "Scripts/train_reuse_verifier.py", "versions": versions, "verifier_sha256": sha,
              "training": meta, "pairs": [{"a": a, "b": b, "logit": l, **({"evidence": e} if e is not None else {})}
                        for (a, b), l, e in zip(GOLDEN_PAIRS, logits, golden_ev)]}
    with open(args.golden, "w", encoding="utf-8") as fh:
        json.dump(golden, fh, ensure_ascii=False, indent=1)
    print(f"wrote {args.out} ({os.path.getsize(args.out)} bytes, sha256 {sha[:16]}…) and {args.golden}")


if __name__ == "__main__":
    main()
