"""Evidence for a document-reading reuse verifier (experiment E, reports/qa/verifier-evidence/).

The evidence of a pair (cached question, new question) on a document is the document unit whose
all-MiniLM-L6-v2 embedding is closest to the *cached* question: the sentence its summary was most
likely built from. Units are `DocumentSegmenter.units` (Sources/QAPipeline/DocumentSegmenter.swift)
with the focus cache's default (sentences, never split into clauses); `sentences` below is a line
by line port of it.

Token layout (BertPairClassifier.evidenceTokens in Swift):
  [CLS] cached [SEP] new [SEP] evidence [SEP], token types 0 for [CLS] cached [SEP], 1 after;
  the two questions are cut longest-first to QUESTION_BUDGET tokens together, the evidence is cut
  from its end to what is left of MAX_LENGTH.
"""
import torch

MAX_LENGTH = 128
QUESTION_BUDGET = 60
ABBREVIATIONS = {"c", "ca", "e.g", "i.e", "vs", "mr", "mrs", "dr", "st", "no", "approx", "etc"}


def _is_abbreviation(chars, i, start):
    j = i
    while j > start and not chars[j - 1].isspace():
        j -= 1
    word = "".join(chars[j:i])
    if len(word) == 1 and word.isupper():
        return True
    return word.lower() in ABBREVIATIONS


def sentences(text):
    chars = list(text)
    out, start, i = [], 0, 0
    while i < len(chars):
        c = chars[i]
        if c not in ".?!":
            i += 1
            continue
        end = i + 1
        if end < len(chars) and chars[end] in "\"')]":
            end += 1
        nxt = end
        while nxt < len(chars) and chars[nxt].isspace():
            nxt += 1
        starts = nxt < len(chars) and nxt > end and (chars[nxt].isupper() or chars[nxt].isdigit() or chars[nxt] in "\"'([")
        if starts and not (c == "." and _is_abbreviation(chars, i, start)):
            s = "".join(chars[start:end]).strip(" \t")
            if s:
                out.append(s)
            start = i = nxt
            continue
        i += 1
    rest = "".join(chars[min(start, len(chars)):]).strip()
    if rest:
        out.append(rest)
    return out


class EvidencePicker:
    """Embeds texts with the base MiniLM (mean pooling, L2 norm: what the Swift embedder computes)
    and picks, for a cached question and a passage, the passage unit closest to the question."""

    def __init__(self, tokenizer, model):
        self.tok, self.model, self.memo = tokenizer, model, {}

    def embed(self, texts):
        todo = [t for t in dict.fromkeys(texts) if t not in self.memo]
        with torch.no_grad():
            for i in range(0, len(todo), 64):
                chunk = todo[i:i + 64]
                enc = self.tok(chunk, padding=True, truncation=True, max_length=256, return_tensors="pt")
                h = self.model(**enc).last_hidden_state
                m = enc["attention_mask"].unsqueeze(-1).float()
                v = torch.nn.functional.normalize((h * m).sum(1) / m.sum(1), dim=-1)
                for t, row in zip(chunk, v):
                    self.memo[t] = row
        return torch.stack([self.memo[t] for t in texts])

    def evidence(self, cached, passage):
        units = sentences(passage) or [passage]
        scores = self.embed(units) @ self.embed([cached])[0]
        return units[int(scores.argmax())]


def encode(tok, a, b, evidence):
    """input ids and token types of one triple (the Swift layout above)."""
    ta = tok(a, add_special_tokens=False)["input_ids"]
    tb = tok(b, add_special_tokens=False)["input_ids"]
    while len(ta) + len(tb) > QUESTION_BUDGET:
        if len(ta) > len(tb):
            ta.pop()
        else:
            tb.pop()
    te = tok(evidence, add_special_tokens=False)["input_ids"][:max(0, MAX_LENGTH - 4 - len(ta) - len(tb))]
    first = [tok.cls_token_id] + ta + [tok.sep_token_id]
    rest = tb + [tok.sep_token_id] + te + [tok.sep_token_id]
    return first + rest, [0] * len(first) + [1] * len(rest)


def batch(tok, triples):
    encoded = [encode(tok, a, b, e) for a, b, e in triples]
    n = max(len(ids) for ids, _ in encoded)
    ids = torch.tensor([x + [tok.pad_token_id] * (n - len(x)) for x, _ in encoded])
    types = torch.tensor([t + [0] * (n - len(t)) for _, t in encoded])
    mask = torch.tensor([[1] * len(x) + [0] * (n - len(x)) for x, _ in encoded])
    return {"input_ids": ids, "token_type_ids": types, "attention_mask": mask}


LAYOUT_CASES = [
    ("Who sold the rights?", "who bought them", "In 1418 Jean de Béthencourt sold the rights to the Canary Islands."),
    ("東京の人口は?", "How many 🐍 are there?", "Pi is approximately 3.14; e is about 2.718."),
    ("word " * 150, "a short new question", "evidence " * 200),
    ("", "", ""),
]
SEGMENT_CASE = ("The reef was charted by J. Cook in c. 1770. It is large! \"Yes,\" he said. (See below.) "
                "Then 3 more? ok. Dr. Smith et al. wrote it in 1901. Done")


def main():
    """Writes the layout golden (token ids of LAYOUT_CASES, units of SEGMENT_CASE) that the Swift
    tests compare BertPairClassifier.evidenceTokens and DocumentSegmenter.units against."""
    import json, os, platform, sys
    import transformers
    from transformers import AutoTokenizer
    model_dir = os.path.expanduser("~/.cache/loraserve/models/all-MiniLM-L6-v2")
    tok = AutoTokenizer.from_pretrained(model_dir)
    out = {"generator": "Scripts/verifier_evidence.py", "versions": {"transformers": transformers.__version__,
                                                                     "python": platform.python_version()},
           "cases": [{"a": a, "b": b, "evidence": e, "ids": encode(tok, a, b, e)[0]} for a, b, e in LAYOUT_CASES],
           "segment": {"text": SEGMENT_CASE, "units": sentences(SEGMENT_CASE)}}
    with open(sys.argv[1], "w", encoding="utf-8") as fh:
        json.dump(out, fh, ensure_ascii=False, indent=1)


if __name__ == "__main__":
    main()
