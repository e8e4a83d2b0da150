"""Train the natural-text NER recognizer (format semroute-ner v1, features in ner_features.py) and choose its epoch,
threshold and merge setting on the OOD suite's DEV half (runtime_spans.mjs output), never on its training corpora.

Usage: python3 train_ner.py TRAIN.jsonl RUNTIME_DEV.jsonl OUT_DIR [--buckets 17] [--epochs 8] [--threads 1]
Writes OUT_DIR/ner.bin (the chosen epoch, int8) and OUT_DIR/selection.json (every candidate's dev figures).
A token-level softmax over 7 BIO labels (a linear model on hashed features: torch EmbeddingBag), Adam, seeded;
decoded with BIO-constrained Viterbi like the runtime (ner_features.decode).
"""
import argparse
import json
import os
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ner_features as N
from select_ner import evaluate, load_dev

TYPE_TO_LABEL = {"PERSON": "PERSON", "LOCATION": "GPE", "GPE": "GPE", "ORGANIZATION": "ORGANIZATION"}


def token_labels(toks, ents):
    lab = ["O"] * len(toks)
    for e in ents:
        typ = TYPE_TO_LABEL.get(e["type"])
        if typ is None:
            continue
        inside = [i for i, (s, t) in enumerate(toks) if s < e["end"] and t > e["start"]]
        for k, i in enumerate(inside):
            lab[i] = ("B-" if k == 0 else "I-") + typ
    return [N.LABELS.index(x) for x in lab]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("train")
    ap.add_argument("dev")
    ap.add_argument("out")
    ap.add_argument("--buckets", type=int, default=17, help="log2 of the bucket count")
    ap.add_argument("--epochs", type=int, default=8)
    ap.add_argument("--lr", type=float, default=0.02)
    ap.add_argument("--dropout", type=float, default=0.2, help="feature dropout while training")
    ap.add_argument("--batch", type=int, default=256)
    ap.add_argument("--exclude", default="", help="comma-separated training sources to leave out (ablation)")
    ap.add_argument("--repeat", default="", help="SOURCE=N,...: train those sources' rows N times each epoch (weighting), e.g. handwritten_chat=3")
    ap.add_argument("--seed", type=int, default=0, help="torch seed (initial order of batches); the shipped file: 0")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--clusters", default="", help="cluster_table.py output (word clusters); none: no cluster features")
    ap.add_argument("--cluster-buckets", type=int, default=17, help="log2 of the cluster table's size")
    ap.add_argument("--lower-aug", type=float, default=0.0, help="share of rows also trained lower-cased (people often write names in lower case)")
    ap.add_argument("--disable", default="", help="feature kinds to leave out, e.g. ww-1,ww+1 (experiment)")
    a = ap.parse_args()
    N.DISABLED.update(filter(None, a.disable.split(",")))
    table = cluster_of = None
    if a.clusters:
        cl = json.load(open(a.clusters))
        table = N.build_cluster_table(cl["words"], cl["clusters"], a.cluster_buckets)
        cluster_of = N.cluster_lookup(table)
    torch.manual_seed(a.seed)
    torch.set_num_threads(a.threads)
    os.makedirs(a.out, exist_ok=True)
    B = 1 << a.buckets
    excl = set(filter(None, a.exclude.split(",")))
    repeat = {}
    for item in filter(None, a.repeat.split(",")):
        src, eq, n = item.partition("=")
        if not eq or not n.isdigit() or int(n) < 1:
            raise SystemExit(f"--repeat {item!r}: expected SOURCE=N with N >= 1, e.g. handwritten_chat=3")
        repeat[src] = int(n)
    t0 = time.time()
    feats, labels = [], []
    rng = np.random.default_rng(1)
    for line in open(a.train):
        r = json.loads(line)
        if r["source"] in excl:
            continue
        texts = [r["text"]]
        low = r["text"].lower()
        if a.lower_aug and rng.random() < a.lower_aug and len(low) == len(r["text"]) and low != r["text"]:
            texts.append(low)  # same offsets: lower() kept the length
        for text in texts:
            toks = N.tokenize(text)
            if not toks:
                continue
            row_feats = N.buckets_of(N.token_features(text, toks, cluster_of), B)
            row_labels = token_labels(toks, r["entities"])
            for _ in range(repeat.get(r["source"], 1)):
                feats.extend(row_feats)
                labels.extend(row_labels)
    F = len(feats[0])
    X = torch.tensor(feats, dtype=torch.long)  # [tokens, F]
    Y = torch.tensor(labels, dtype=torch.long)
    print(f"{len(Y)} tokens, {F} features each, {time.time() - t0:.0f} s to featurise", file=sys.stderr)
    dev = load_dev(a.dev, cluster_of)
    L = len(N.LABELS)
    emb = torch.nn.Embedding(B, L, sparse=True)  # only the rows a batch touches are updated: fast at 2^20 buckets
    torch.nn.init.zeros_(emb.weight)
    opt = torch.optim.SparseAdam(emb.parameters(), lr=a.lr)
    results = []
    best = None
    for ep in range(1, a.epochs + 1):
        perm = torch.randperm(len(Y))
        tot = 0.0
        for i in range(0, len(Y), a.batch):
            idx = perm[i:i + a.batch]
            keep = (torch.rand(len(idx), F, 1) >= a.dropout).float()  # feature dropout: no single feature carries a token
            logits = (emb(X[idx]) * keep).sum(1)
            loss = torch.nn.functional.cross_entropy(logits, Y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            tot += loss.item() * len(idx)
        W = emb.weight.detach().numpy().copy()
        header, Wq = quantize(W, a.buckets)
        if table is not None:
            header["clusters"] = {"buckets": len(table), "count": cl["k"]}
        for ev in evaluate(N.NerFile(header, Wq, table), dev):
            ev["epoch"] = ep
            results.append(ev)
            key = ev["objective"]
            if best is None or key > best[0]:
                best = (key, ep, ev, header, Wq)
        top = max((r for r in results if r["epoch"] == ep), key=lambda r: r["objective"])
        print(f"epoch {ep}: loss {tot / len(Y):.4f}; best setting {top['setting']} objective {top['objective']:.4f} {top['per_set_f1']}  ({time.time() - t0:.0f} s)", file=sys.stderr)
    _, ep, ev, header, Wq = best
    header = {**header, "threshold": ev["threshold"], "drop_model_types": ev["drop_model_types"], "merge": ev["merge"],
              "trained": {"epoch": ep, "buckets_log2": a.buckets, "tokens": len(Y), "excluded_sources": sorted(excl), **({"repeated_sources": repeat} if repeat else {}),
                          "selected_on": "OOD dev half (models/eval halves): " + ", ".join(sorted(ev["per_set_f1"]))}}
    N.write_file(os.path.join(a.out, "ner.bin"), header, Wq, table)
    json.dump({"chosen": {"epoch": ep, **ev}, "candidates": results}, open(os.path.join(a.out, "selection.json"), "w"), indent=1)
    print(f"chosen: epoch {ep} {ev['setting']} objective {ev['objective']:.4f} {ev['per_set_f1']}", file=sys.stderr)


def quantize(W, log2):
    """int8 per label column: scale = max |w| / 127 (the bias bucket included)."""
    scales = np.abs(W).max(0) / 127.0
    scales[scales == 0] = 1e-8
    Wq = np.clip(np.round(W / scales), -127, 127).astype(np.int8)
    header = {"format": "semroute-ner", "version": 1, "buckets": 1 << log2, "labels": list(N.LABELS),
              "scales": [float(np.float32(s)) for s in scales], "threshold": 0.5, "drop_model_types": [],
              "max_word": N.MAX_WORD, "max_shape": N.MAX_SHAPE}
    return header, Wq


if __name__ == "__main__":
    main()
