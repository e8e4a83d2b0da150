"""Experiment: refit semroute-mini's encoder jailbreak head on the frozen encoder, on today's jailbreak data.

The encoder's jailbreak head (model.Head on the masked mean of the final hidden states) was last trained with the
encoder (stage 8, v2 data); since then only the n-gram path was refitted (v3 .. v5 data). This script keeps the encoder
and the shipped n-gram path fixed and trains a new head on the runtime's windows of every train row (multiple-instance
loss as train_ngrams.window_epoch), in two forms:
  mean  -- model.Head on the mean of the hidden states (the graph's head: weights only would change)
  attn  -- attention pooling over the hidden states (a learned gate per token, softmax over the window) then model.Head:
           the head can read one decisive token in its context instead of the average of all
Every epoch, for a grid of n-gram mixing weights, it scores the OOD dev half the way the runtime does (highest window)
with ood_select.jailbreak_metrics: TPR at the threshold that flags <= 1% realistic / <= 2% all benign dev prompts.
Nothing is written into the model; prints a table (and --out JSON).

Usage: python3 jb_head_refit.py --run shipped [--pool mean|attn] [--epochs 8] [--lr 1e-3] [--seed 0] [--out F]
"""
import argparse
import json
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ood_select as O
import sr_tokenizer as T
from common import WORK
from model import Head, SemrouteModel
from train import CONT, load_data
from train_ngrams import jailbreak_train_windows, padded, window_loss


class AttnPool(nn.Module):
    """Softmax over the window's tokens of a learned gate, then the weighted sum of the hidden states."""

    def __init__(self, H):
        super().__init__()
        self.gate = nn.Linear(H, 1)
        nn.init.zeros_(self.gate.weight)
        nn.init.zeros_(self.gate.bias)

    def forward(self, h, mask):
        g = self.gate(h).squeeze(-1).masked_fill(mask == 0, -1e4)
        a = torch.softmax(g, -1).unsqueeze(-1)
        return (a * h).sum(1)


class JbHead(nn.Module):
    def __init__(self, H, pool, init_head):
        super().__init__()
        self.pool = AttnPool(H) if pool == "attn" else None
        self.head = Head(H, 2)
        self.head.load_state_dict(init_head.state_dict())

    def forward(self, h, mask):
        if self.pool is None:
            m = mask.unsqueeze(-1).to(h.dtype)
            x = (h * m).sum(1) / m.sum(1).clamp(min=1.0)
        else:
            x = self.pool(h, mask)
        return self.head(x)


def encode_all(encoder, seqs, bs=128):
    """Final hidden states (fp16, unpadded) of every sequence, and the shipped n-gram path's logits on it."""
    hs, ng = [None] * len(seqs), [None] * len(seqs)
    order = sorted(range(len(seqs)), key=lambda i: len(seqs[i]))
    items = [{"ids": s} for s in seqs]
    with torch.no_grad():
        for j in range(0, len(order), bs):
            idx = order[j:j + bs]
            ids, am = padded(items, idx)
            h = encoder.encode(ids, am)
            g = encoder.jailbreak_ngram(ids, am)
            for k, i in enumerate(idx):
                hs[i] = h[k, :len(seqs[i])].to(torch.float16)
                ng[i] = g[k]
    return hs, torch.stack(ng)


def batch_h(hs, idx):
    L = max(hs[i].shape[0] for i in idx)
    H = hs[idx[0]].shape[1]
    x = torch.zeros(len(idx), L, H)
    m = torch.zeros(len(idx), L, dtype=torch.long)
    for r, i in enumerate(idx):
        n = hs[i].shape[0]
        x[r, :n] = hs[i].float()
        m[r, :n] = 1
    return x, m


def head_logits(model, hs, bs=256):
    out = []
    with torch.no_grad():
        for j in range(0, len(hs), bs):
            idx = list(range(j, min(len(hs), j + bs)))
            out.append(model(*batch_h(hs, idx)))
    return torch.cat(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--run", default="shipped")
    ap.add_argument("--pool", choices=("mean", "attn"), default="mean")
    ap.add_argument("--epochs", type=int, default=8)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--mix-grid", default="0,1,2,4,6,8,12")
    ap.add_argument("--out", default=None)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    tok = T.load(os.path.join(WORK, "tokenizer", "tokenizer.json"))
    CONT.update({i: t.startswith("##") for t, i in tok.vocab.items()})
    data = load_data(tok)
    ck = torch.load(os.path.join(WORK, "runs", a.run, "best.pt"), map_location="cpu")
    enc = SemrouteModel(ck["cfg"])
    enc.load_state_dict(ck["model"])
    enc.eval()
    shipped_mix = ck["cfg"]["jb_ngram_mix"]

    train = data[("jailbreak", "train")]
    y = torch.tensor([x["y"] for x in train])
    row_w = torch.tensor([float(x.get("w", 1.0)) for x in train])
    tw = jailbreak_train_windows(O, train)
    owner = [i for i, ws in enumerate(tw) for _ in ws]
    flat_train = [w for ws in tw for w in ws]
    dev = O.jailbreak_dev_rows()
    dev_windows = [O.jailbreak_windows(O.TOKENIZER(), r["text"]) for r in dev]
    flat_dev = [w for ws in dev_windows for w in ws]
    cache = os.path.join(WORK, "cache", f"jb_hidden_{a.run}_{len(flat_train)}_{len(flat_dev)}.pt")
    t0 = time.time()
    if os.path.exists(cache):
        h_train, h_dev, ng_dev = torch.load(cache)
    else:
        h_train, _ = encode_all(enc, flat_train)
        h_dev, ng_dev = encode_all(enc, flat_dev)
        torch.save((h_train, h_dev, ng_dev), cache)
    print(f"{len(flat_train)} train windows ({len(train)} rows), {len(flat_dev)} dev windows; encoded in {time.time() - t0:.0f} s", flush=True)

    def dev_metrics(head_lg, mix):
        mixed = F.log_softmax(head_lg, -1) + mix * F.log_softmax(ng_dev, -1)
        return O.jailbreak_metrics(dev, O.max_per_row((mixed[:, 1] - mixed[:, 0]).numpy(), dev_windows))

    shipped_head = JbHead(ck["cfg"]["hidden"], "mean", enc.jailbreak_head)
    base_lg = head_logits(shipped_head, h_dev)
    base = dev_metrics(base_lg, shipped_mix)
    print(f"shipped head + n-gram path (mix {shipped_mix:g}): TPR {base['tpr']:.4f} AUC {base['auc']:.4f}", flush=True)

    model = JbHead(ck["cfg"]["hidden"], a.pool, enc.jailbreak_head)
    opt = torch.optim.AdamW(model.parameters(), lr=a.lr, weight_decay=0.01)
    pos_w = float((y == 0).sum()) / max(1.0, float((y == 1).sum()))
    class_w = torch.tensor([1.0, pos_w])
    rng = np.random.default_rng(a.seed)
    rows_of = {}
    for wi, r in enumerate(owner):
        rows_of.setdefault(r, []).append(wi)
    order = list(range(len(train)))
    grid = [float(x) for x in a.mix_grid.split(",")]
    results = {"base": base, "epochs": []}
    best = None
    for ep in range(a.epochs):
        model.train()
        rng.shuffle(order)
        for j in range(0, len(order), 64):
            rows = order[j:j + 64]
            widx = [wi for r in rows for wi in rows_of[r]]
            own = torch.tensor([k for k, r in enumerate(rows) for _ in rows_of[r]])
            lg = model(*batch_h(h_train, widx))
            yb = y[rows]
            loss = window_loss(lg, own, yb, class_w[yb] * row_w[rows])
            opt.zero_grad()
            loss.backward()
            opt.step()
        model.eval()
        lg = head_logits(model, h_dev)
        per_mix = {}
        for mix in grid:
            m = dev_metrics(lg, mix)
            per_mix[mix] = m
            key = (m["tpr"], m["auc"])
            if best is None or key > best[0]:
                best = (key, ep + 1, mix, m)
        top = max(per_mix.items(), key=lambda kv: (kv[1]["tpr"], kv[1]["auc"]))
        print(f"epoch {ep + 1}: best mix {top[0]:g} TPR {top[1]['tpr']:.4f} AUC {top[1]['auc']:.4f}; head alone (mix 0) TPR "
              f"{per_mix[0.0]['tpr']:.4f} AUC {per_mix[0.0]['auc']:.4f} ({time.time() - t0:.0f} s)", flush=True)
        results["epochs"].append({str(k): {"tpr": v["tpr"], "auc": v["auc"]} for k, v in per_mix.items()})
    print(f"best: epoch {best[1]} mix {best[2]:g} TPR {best[3]['tpr']:.4f} AUC {best[3]['auc']:.4f} (shipped {base['tpr']:.4f} / {base['auc']:.4f})")
    if a.out:
        json.dump({"args": vars(a), **results, "best": {"epoch": best[1], "mix": best[2], "tpr": best[3]["tpr"], "auc": best[3]["auc"]}},
                  open(a.out, "w"), indent=1, default=float)


if __name__ == "__main__":
    main()
