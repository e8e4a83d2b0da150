"""Score training checkpoints on the OOD development half (never on splits of our own generators).

  python3 ood_select.py RUN[/stepN.pt] ...   (a run name means its best.pt)

For each checkpoint, through torch (fp32) and the runtime's long-input rules: jailbreak: the highest score over the windows
the runtime screens (`jailbreak_windows`: summary, PII and sentence-start windows); domain: the mean of the logits of
windows of 128 tokens, stride 96, each re-wrapped in [CLS] ... [SEP]: jailbreak ROC-AUC and TPR at the threshold that flags <= 1% of realistic benign prompts and <= 2% of all benign
ones, per set; domain accuracy and macro-F1 of the encoder's own head (the n-gram path is refitted after the encoder
changes, so it is left out for every checkpoint alike). Data: the dev half of ../shared/data/dev-ood and of
models/eval/handwritten (a row's `split`, else sha256(text)[0] even = dev, as models/eval/run.mjs). Writes
work/ood_select.json (appends).
"""
import glob
import hashlib
import json
import os
import sys
import time

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import sr_tokenizer as T  # noqa: E402
from common import WORK  # noqa: E402
from model import SemrouteModel  # noqa: E402
from train import auc  # noqa: E402

REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
SHARED = os.environ.get("SEMROUTE_SHARED", "/work/shared")
DOMAINS = sorted(["biology", "business", "chemistry", "computer science", "economics", "engineering", "health", "history", "law",
                  "math", "other", "philosophy", "physics", "psychology"])
JB_SETS = {"mixed_dev": "jailbreak/mixed_dev.jsonl", "bipia_indirect": "jailbreak/bipia_indirect_injection.jsonl",
           "bipia_twins": "jailbreak/bipia_clean_twins.jsonl", "tensor_trust": "jailbreak/tensor_trust_attacks.jsonl",
           "latent_jailbreak": "jailbreak/latent_jailbreak.jsonl", "harmful_requests": "jailbreak/harmful_requests.jsonl",
           "oasst_benign": "jailbreak/oasst_benign.jsonl", "ifeval_benign": "jailbreak/ifeval_benign.jsonl"}
DOM_SETS = {"exam_qa_more": "domain/exam_qa_more.jsonl", "domain_dev": "domain/domain_dev.jsonl"}
HW = os.path.join(REPO, "models/eval/handwritten")
# Benign sets of what real users send: the false-positive rate the jailbreak threshold is chosen on (<= 1%).
REALISTIC = ("oasst_benign", "ifeval_benign", "hw_benign", "hw_assistant_meta", "mixed_dev")


def half_of(row):
    if row.get("split") in ("dev", "report"):
        return row["split"]
    return "dev" if hashlib.sha256(row["text"].encode("utf-8")).digest()[0] % 2 == 0 else "report"


def rows_of(path, name):
    if not os.path.exists(path):
        return []
    out = []
    for line in open(path, encoding="utf-8"):
        if line.strip():
            r = json.loads(line)
            if half_of(r) == "dev":
                r["set"] = name
                out.append(r)
    return out


def windows(tok, text, max_len=128, stride=96):
    ids = tok.encode(text[:200000], add_special=False)[0]
    body = max_len - 2
    if len(ids) <= body:
        return [[T.CLS] + ids + [T.SEP]]
    out, start = [], 0
    while True:
        out.append([T.CLS] + ids[start:start + body] + [T.SEP])
        if start + body >= len(ids):
            return out
        start += stride


def jailbreak_windows(tok, text, head=94, tail=32, pii_w=126, pii_overlap=32, jb_w=30, jb_gap=12):
    """The sequences the runtime scores for the jailbreak head (packages/core/src/runtime/windows.ts + classifier.ts, default
    windows for max_length 128): a prompt of at most head + tail content tokens is one sequence; a longer one gives the
    summary window (first `head` + last `tail` tokens in one sequence), the PII windows (`pii_w` tokens, `pii_overlap`
    shared) and a `jb_w`-token window at the text start and at every sentence or line start at least `jb_gap` tokens after
    the previous one (a token that follows whitespace after . ! ? : or whitespace containing a line break). Each is wrapped
    in [CLS] ... [SEP]; the runtime flags on the highest window score. (Offsets here are code points, the runtime's UTF-16
    units: the same except around characters outside the BMP.)"""
    ids, offs = tok.encode(text[:200000], add_special=False)
    n = len(ids)
    wrap = lambda ranges: [T.CLS] + [i for a, b in ranges for i in ids[a:b]] + [T.SEP]  # noqa: E731
    if n <= head + tail:
        return [wrap([(0, n)])]
    out = [wrap([(0, head), (n - tail, n)])]
    if n <= pii_w:
        out.append(wrap([(0, n)]))
    else:
        st = 0
        while True:
            if st + pii_w >= n:
                out.append(wrap([(n - pii_w, n)]))
                break
            out.append(wrap([(st, st + pii_w)]))
            st += pii_w - pii_overlap
    out.append(wrap([(0, min(n, jb_w))]))
    last = 0
    for t in range(1, n):
        if t - last < jb_gap:
            continue
        prev_end, start = offs[t - 1][1], offs[t][0]
        if start <= prev_end:
            continue
        opens = text[prev_end - 1] in ".!?:" or "\n" in text[prev_end:start]
        if opens:
            out.append(wrap([(t, min(n, t + jb_w))]))
            last = t
    return out


@torch.no_grad()
def run_model(model, seqs, bs=64):
    order = sorted(range(len(seqs)), key=lambda i: len(seqs[i]))
    dom, jb = [None] * len(seqs), [None] * len(seqs)
    for j in range(0, len(order), bs):
        sel = order[j:j + bs]
        L = max(len(seqs[i]) for i in sel)
        ids = torch.zeros(len(sel), L, dtype=torch.long)
        am = torch.zeros(len(sel), L, dtype=torch.long)
        for k, i in enumerate(sel):
            ids[k, :len(seqs[i])] = torch.tensor(seqs[i])
            am[k, :len(seqs[i])] = 1
        d, b, *_ = model(ids, am)
        for k, i in enumerate(sel):
            dom[i] = d[k].numpy()
            jb[i] = b[k].numpy()
    return dom, jb


def load(spec):
    path = os.path.join(WORK, "runs", spec) if spec.endswith(".pt") else os.path.join(WORK, "runs", spec, "best.pt")
    ck = torch.load(path, map_location="cpu")
    # the domain and PII n-gram paths are refitted after the encoder changes; the jailbreak path is scored as it is
    cfg = {k: v for k, v in ck["cfg"].items() if not k.startswith(("ngram_", "pii_ngram_"))}
    model = SemrouteModel(cfg)
    sd = {k: v for k, v in ck["model"].items() if not k.startswith(("domain_ngram.", "pii_ngram."))}
    model.load_state_dict(sd)
    model.eval()
    return model


def macro_f1(gold, pred):
    f = []
    for c in sorted(set(gold)):
        tp = sum(1 for g, p in zip(gold, pred) if g == c and p == c)
        fp = sum(1 for g, p in zip(gold, pred) if g != c and p == c)
        fn = sum(1 for g, p in zip(gold, pred) if g == c and p != c)
        pr = tp / (tp + fp) if tp + fp else 0.0
        rc = tp / (tp + fn) if tp + fn else 0.0
        f.append(2 * pr * rc / (pr + rc) if pr + rc else 0.0)
    return sum(f) / len(f)



def ece_top(p, y):
    """models/eval/run.mjs's ECE: of the top class, 10 equal-width bins (a probability of 1 goes to the last bin).
    p: [n, classes] probabilities; y: the gold class indices."""
    conf, correct = p.max(1), (p.argmax(1) == y).astype(float)
    b = np.minimum(9, np.floor(conf * 10).astype(int))
    return float(sum((b == k).mean() * abs(conf[b == k].mean() - correct[b == k].mean()) for k in range(10) if (b == k).any()))

_TOK = []


def TOKENIZER():
    if not _TOK:
        _TOK.append(T.load(os.path.join(REPO, "models/semroute-mini/tokenizer.json")))
    return _TOK[0]


def jailbreak_dev_rows():
    rows = [r for n, p in JB_SETS.items() for r in rows_of(f"{SHARED}/data/dev-ood/{p}", n)]
    return rows + rows_of(f"{HW}/jailbreak_attacks.jsonl", "hw_attacks") + rows_of(f"{HW}/jailbreak_benign.jsonl", "hw_benign") + rows_of(f"{HW}/jailbreak_assistant_meta.jsonl", "hw_assistant_meta")


def max_per_row(window_scores, row_windows):
    """The highest window score of each row (the runtime's long-input rule), from scores of the flattened windows."""
    out, k = [], 0
    for ws in row_windows:
        out.append(float(np.max(window_scores[k:k + len(ws)])))
        k += len(ws)
    return np.array(out)


def benign_threshold(rows, s, realistic_fpr=0.01, all_fpr=0.02):
    """The lowest score that flags at most realistic_fpr of the realistic benign rows and all_fpr of all benign rows."""
    benign = np.array([r.get("label", "benign") == "benign" for r in rows])
    realistic = np.array([r.get("label") == "benign" and r["set"] in REALISTIC for r in rows])
    rb, ab = np.sort(s[realistic])[::-1], np.sort(s[benign])[::-1]
    return max(rb[int(realistic_fpr * len(rb))], ab[int(all_fpr * len(ab))]) + 1e-9


def jailbreak_metrics(rows, s):
    """TPR at the threshold that flags <= 1% of realistic benign and <= 2% of all benign dev prompts; AUC; per set.
    `s` may be any score monotone in the jailbreak probability (a logit difference works)."""
    lab = np.array([r.get("label", "benign") for r in rows])
    pos, neg = s[lab == "jailbreak"], s[lab == "benign"]
    thr = benign_threshold(rows, s)
    per_set = {}
    for name in sorted(set(r["set"] for r in rows)):
        for lbl in ("jailbreak", "benign", "harmful_request"):
            m = np.array([r["set"] == name for r in rows]) & (lab == lbl)
            if m.any():
                per_set[f"{name}:{lbl}"] = round(float((s[m] >= thr).mean()), 3)
    return {"tpr": float((pos >= thr).mean()), "auc": float(auc(np.concatenate([pos, neg]), np.r_[np.ones(len(pos)), np.zeros(len(neg))])), "threshold": float(thr), "per_set": per_set}


def main():
    torch.set_num_threads(int(os.environ.get("THREADS", "1")))
    tok = T.load(os.path.join(REPO, "models/semroute-mini/tokenizer.json"))
    jb_rows = jailbreak_dev_rows()
    dom_rows = [r for n, p in DOM_SETS.items() for r in rows_of(f"{SHARED}/data/dev-ood/{p}", n)]
    dom_rows += rows_of(f"{HW}/domain_chat.jsonl", "hw_domain_chat")
    jb_w = [jailbreak_windows(tok, r["text"]) for r in jb_rows]
    dom_w = [windows(tok, r["text"]) for r in dom_rows]
    flat_jb = [w for ws in jb_w for w in ws]
    flat_dom = [w for ws in dom_w for w in ws]
    out_path = os.path.join(WORK, "ood_select.json")
    for spec in sys.argv[1:]:
        t0 = time.time()
        model = load(spec)
        _, jl = run_model(model, flat_jb)
        dl, _ = run_model(model, flat_dom)
        # jailbreak: the highest window logit difference (monotone in the probability, so the same ranking)
        jb = jailbreak_metrics(jb_rows, max_per_row(np.array([l[1] - l[0] for l in jl]), jb_w))
        # domain: mean of window logits
        preds, k = [], 0
        for ws in dom_w:
            preds.append(DOMAINS[int(np.mean([dl[k + i] for i in range(len(ws))], axis=0).argmax())])
            k += len(ws)
        dom = {}
        for name in sorted(set(r["set"] for r in dom_rows)):
            idx = [i for i, r in enumerate(dom_rows) if r["set"] == name]
            gold = [dom_rows[i]["category"] for i in idx]
            pred = [preds[i] for i in idx]
            dom[name] = {"acc": round(sum(g == p for g, p in zip(gold, pred)) / len(gold), 4), "macro_f1": round(macro_f1(gold, pred), 4)}
        res = {"ckpt": spec, "jb_auc": round(jb["auc"], 4), "jb_threshold_logit_diff": round(jb["threshold"], 4),
               "jb_tpr": round(jb["tpr"], 4), "jb_per_set": jb["per_set"], "domain": dom, "seconds": round(time.time() - t0)}
        print(json.dumps(res), flush=True)
        with open(out_path, "a") as f:
            f.write(json.dumps(res) + "\n")


if __name__ == "__main__":
    main()
