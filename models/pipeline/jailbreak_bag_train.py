"""Fit the jailbreak head's n-gram path (v2, 2026-12-06) and choose its mixing weight on the OOD dev half.

  python3 jailbreak_bag_train.py [--l2 a,b,...] [--preds DIR]

The path is the same kind of linear bag as the domain head's (model.NgramBag: WordPiece unigrams + adjacent pairs hashed
into the same 65,536 buckets with the same prime, so the graph reuses the domain path's feature indices), with one
output: the jailbreak logit difference. The graph then computes
    jailbreak_logits = log_softmax(encoder jailbreak logits) + mix * log_softmax([0, bag])
Trained with numpy (weighted logistic loss + L2, full-batch Adam) on work/jailbreak_bag/data.jsonl
(jailbreak_bag_data.py), first 128-token window of each prompt. Selection — L2 strength, epoch count and mix — uses ONLY
the dev half of ../shared/data/dev-ood (plus models/eval/handwritten dev rows when present): ROC-AUC of the mixed score
over attacks vs benign prompts, then TPR at the threshold that keeps realistic benign prompts at <= 1% flagged.
The encoder's own score on those prompts comes from `node models/eval/run.mjs --half dev` (its .preds folder).
Writes work/jailbreak_bag/bag.npz (w, b, mix, chosen threshold) and selection.json.
"""
import argparse
import glob
import hashlib
import json
import math
import os
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import sr_tokenizer as T  # noqa: E402

REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
WORK = os.path.join(os.environ.get("SR_WORK", os.path.join(HERE, "work")), "jailbreak_bag")
BUCKETS, VOCAB, PRIME, MAXLEN = 65536, 12288, 1000003, 128
TEMPERATURE = 2.681  # the jailbreak head's temperature in heads.json (kept)
REALISTIC = ("oasst_benign", "ifeval_benign", "hw_benign", "mixed_dev")


def features(tok, text):
    ids = tok.encode(text[:4000])[0]  # the first window only needs the first ~127 tokens
    ids = ids[:MAXLEN - 1] + [3] if len(ids) > MAXLEN else ids
    valid = [i > 4 for i in ids]
    f = [i for i, v in zip(ids, valid) if v]
    for k in range(len(ids) - 1):
        if valid[k] and valid[k + 1]:
            f.append((ids[k] * PRIME + ids[k + 1]) % (BUCKETS - VOCAB) + VOCAB)
    return f


def design(tok, texts):
    rows, cols, vals = [], [], []
    for r, t in enumerate(texts):
        f = features(tok, t)
        if not f:
            continue
        u, c = np.unique(np.array(f, dtype=np.int64), return_counts=True)
        rows.append(np.full(len(u), r))
        cols.append(u)
        vals.append(c / len(f))
    return np.concatenate(rows), np.concatenate(cols), np.concatenate(vals).astype(np.float64)


def bag_scores(w, b, X, n):
    r, c, v = X
    return np.bincount(r, weights=v * w[c], minlength=n) + b


def fit(X, n, y, wt, l2, epochs, lr=0.05, snapshot_every=50):
    r, c, v = X
    w = np.zeros(BUCKETS)
    b = 0.0
    m_w, v_w, m_b, v_b = np.zeros(BUCKETS), np.zeros(BUCKETS), 0.0, 0.0
    snaps = []
    wsum = wt.sum()
    for ep in range(1, epochs + 1):
        z = bag_scores(w, b, X, n)
        p = 1 / (1 + np.exp(-z))
        g = wt * (p - y) / wsum
        gw = np.bincount(c, weights=g[r] * v, minlength=BUCKETS) + 2 * l2 * w
        gb = g.sum()
        m_w = 0.9 * m_w + 0.1 * gw
        v_w = 0.999 * v_w + 0.001 * gw * gw
        m_b = 0.9 * m_b + 0.1 * gb
        v_b = 0.999 * v_b + 0.001 * gb * gb
        w -= lr * (m_w / (1 - 0.9 ** ep)) / (np.sqrt(v_w / (1 - 0.999 ** ep)) + 1e-8)
        b -= lr * (m_b / (1 - 0.9 ** ep)) / (math.sqrt(v_b / (1 - 0.999 ** ep)) + 1e-8)
        if ep % snapshot_every == 0:
            snaps.append((ep, w.copy(), b))
    return snaps


def auc(pos, neg):
    allv = np.concatenate([pos, neg])
    order = allv.argsort(kind="mergesort")
    ranks = np.empty(len(allv))
    ranks[order] = np.arange(1, len(allv) + 1)
    # average ties
    sv = allv[order]
    i = 0
    while i < len(sv):
        j = i
        while j < len(sv) and sv[j] == sv[i]:
            j += 1
        ranks[order[i:j]] = (i + j + 1) / 2
        i = j
    return (ranks[:len(pos)].sum() - len(pos) * (len(pos) + 1) / 2) / (len(pos) * len(neg))


def half_of(row):
    if row.get("split") in ("dev", "report"):
        return row["split"]
    return "dev" if hashlib.sha256(row["text"].encode("utf-8")).digest()[0] % 2 == 0 else "report"


def load_dev(preds_dir):
    """Dev-half jailbreak rows with the shipped encoder's score (from models/eval/run.mjs --half dev)."""
    out = []
    for f in sorted(glob.glob(os.path.join(preds_dir, "*.jsonl"))):
        name = os.path.basename(f)[:-6]
        for line in open(f, encoding="utf-8"):
            x = json.loads(line)
            if x.get("jailbreak") is None or x["label"] not in ("jailbreak", "benign", "harmful_request"):
                continue
            s = min(max(x["jailbreak"], 1e-6), 1 - 1e-6)
            out.append({"set": name, "text": x["text"], "label": x["label"], "technique": x.get("technique"),
                        "enc_diff": TEMPERATURE * math.log(s / (1 - s))})
    return out


def evaluate(dev, bag_diff, mix):
    """Mixed score: the graph's log-softmax sum keeps logit differences, so diff = enc_diff + mix * (log-softmax diff of the
    bag) = enc_diff + mix * bag_diff; score = sigmoid(diff / T)."""
    d = np.array([r["enc_diff"] for r in dev]) + mix * bag_diff
    s = 1 / (1 + np.exp(-d / TEMPERATURE))
    lab = np.array([r["label"] for r in dev])
    realistic = np.array([r["label"] == "benign" and r["set"] in REALISTIC for r in dev])
    pos, neg = s[lab == "jailbreak"], s[lab == "benign"]
    # flag at most 1% of realistic benign prompts AND at most 2% of all benign ones (pasted documents, BIPIA twins)
    rb = np.sort(s[realistic])[::-1]
    ab = np.sort(neg)[::-1]
    thr = max(rb[int(0.01 * len(rb))], ab[int(0.02 * len(ab))]) + 1e-6
    per_set = {}
    for name in sorted(set(r["set"] for r in dev)):
        sel = np.array([r["set"] == name for r in dev])
        for lbl in ("jailbreak", "benign", "harmful_request"):
            m = sel & (lab == lbl)
            if m.any():
                per_set[f"{name}:{lbl}"] = round(float((s[m] >= thr).mean()), 3)
    return {"per_set": per_set, "auc": auc(pos, neg), "threshold_fpr1": float(thr), "tpr_at_fpr1": float((pos >= thr).mean()),
            "fpr_all_benign": float((neg >= thr).mean()), "harmful_flagged": float((s[lab == "harmful_request"] >= thr).mean())}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--l2", default="1e-6,1e-5,1e-4")
    ap.add_argument("--epochs", type=int, default=400)
    ap.add_argument("--mix-grid", default="0,1,2,4,6,8,12,16,24")
    ap.add_argument("--preds", default=os.path.join(REPO, "models/eval/results/dev.preds"))
    ap.add_argument("--wrapper-weight", type=float, default=3.0, help="weight of the technique-wrapper/garak/BIPIA positives")
    a = ap.parse_args()
    tok = T.load(os.path.join(REPO, "models/semroute-mini/tokenizer.json"))
    data = [json.loads(l) for l in open(os.path.join(WORK, "data.jsonl"), encoding="utf-8")]
    y = np.array([r["label"] for r in data], dtype=np.float64)
    wt = np.array([r["w"] * (a.wrapper_weight if r["label"] == 1 and not r["src"].startswith("pipeline:") else 1.0) for r in data])
    # balance classes
    wt[y == 1] *= wt[y == 0].sum() / wt[y == 1].sum()
    t0 = time.time()
    X = design(tok, [r["text"] for r in data])
    dev = load_dev(a.preds)
    Xd = design(tok, [r["text"] for r in dev])
    print(f"train {len(data)} rows, dev {len(dev)} rows, features in {time.time() - t0:.1f}s", flush=True)
    enc_only = evaluate(dev, np.zeros(len(dev)), 0.0)
    print("encoder only:", json.dumps(enc_only), flush=True)
    best, log = None, []
    for l2 in [float(x) for x in a.l2.split(",")]:
        for ep, w, b in fit(X, len(data), y, wt, l2, a.epochs):
            bd = bag_scores(w, b, Xd, len(dev))
            # log_softmax([0, z]) difference is z itself
            for mix in [float(x) for x in a.mix_grid.split(",")]:
                m = evaluate(dev, bd, mix)
                m.update(l2=l2, epoch=ep, mix=mix)
                log.append(m)
                key = (m["tpr_at_fpr1"], m["auc"])
                if best is None or key > best[0]:
                    best = (key, m, w.copy(), b)
        print(f"l2 {l2}: best so far {json.dumps({k: v for k, v in best[1].items() if k != 'per_set'})}", flush=True)
    _, m, w, b = best
    np.savez(os.path.join(WORK, "bag.npz"), w=w.astype(np.float32), b=np.float32(b), mix=np.float32(m["mix"]), threshold=np.float32(m["threshold_fpr1"]))
    json.dump({"encoder_only": enc_only, "chosen": m, "grid": log}, open(os.path.join(WORK, "selection.json"), "w"), indent=1)
    print("chosen:", json.dumps(m, indent=1))


if __name__ == "__main__":
    main()
