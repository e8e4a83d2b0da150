"""Fit the domain head's n-gram path (model.NgramBag) beside a trained encoder, and attach it.

Usage: python3 train_ngrams.py --run RUN [--out RUN-ng] [--buckets 65536] [--epochs 8] [--lr 0.02] [--mix-grid 0.5,1,...]

Why: a linear bag of WordPiece unigrams and hashed bigrams, trained on the same domain data, beats the small encoder on
its own (validation 2026-12-03: 0.767 vs 0.743), and the two together beat both: the encoder knows phrasing, the bag
remembers which subject every word of the 50k training prompts belonged to. The bag is fitted alone (the encoder
stays frozen; convex, seeded, ~1 min per epoch on one core); the epoch and the mixing weight are chosen on the
validation split (the same domain score train.py selects checkpoints by). Writes work/runs/OUT/best.pt: the encoder's
weights plus `domain_ngram.*`, cfg with ngram_buckets / ngram_prime / ngram_mix, and the full validation of the result.
"""
import argparse
import json
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sr_tokenizer as T
from common import WORK
from model import NgramBag, SemrouteModel
from train import CONT, load_data, predict, validate

PRIME = 1000003


def padded(items, idx):
    """Right-padded input_ids / attention_mask for items[idx] (the layout the ONNX graph sees)."""
    L = max(len(items[i]["ids"]) for i in idx)
    ids = torch.zeros(len(idx), L, dtype=torch.long)
    am = torch.zeros(len(idx), L, dtype=torch.long)
    for r, i in enumerate(idx):
        s = items[i]["ids"]
        ids[r, :len(s)] = torch.tensor(s)
        am[r, :len(s)] = 1
    return ids, am


def bag_logits(bag, items, bs=256):
    out = []
    order = sorted(range(len(items)), key=lambda i: len(items[i]["ids"]))
    with torch.no_grad():
        for j in range(0, len(order), bs):
            ids, am = padded(items, order[j:j + bs])
            out.append(bag(ids, am))
    lg = torch.cat(out).numpy()
    res = np.empty_like(lg)
    res[order] = lg
    return res


def log_softmax(x):
    x = x - x.max(1, keepdims=True)
    return x - np.log(np.exp(x).sum(1, keepdims=True))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--run", required=True, help="run whose best.pt holds the encoder")
    ap.add_argument("--out", default=None, help="output run name (default RUN-ng)")
    ap.add_argument("--buckets", type=int, default=65536, help="table rows: the vocabulary's unigrams, then hashed bigrams")
    ap.add_argument("--epochs", type=int, default=8)
    ap.add_argument("--lr", type=float, default=0.02)
    ap.add_argument("--mix-grid", default="0.5,1,1.5,2,3,4,5,6,8")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    out_run = a.out or f"{a.run}-ng"

    tok = T.load(os.path.join(WORK, "tokenizer", "tokenizer.json"))
    CONT.update({i: t.startswith("##") for t, i in tok.vocab.items()})
    data = load_data(tok)
    train = data[("domain", "train")]
    val = [x for x in data[("domain", "val")] if x["form"] in ("stem", "chat", "clinc", "casual")]  # as train.validate
    y_train = torch.tensor([x["y"] for x in train])
    y_val = np.array([x["y"] for x in val])

    ck = torch.load(os.path.join(WORK, "runs", a.run, "best.pt"), map_location="cpu")
    # a checkpoint that already has an n-gram path (e.g. recovered from the shipped graph) is refitted from its encoder
    cfg = {k: v for k, v in ck["cfg"].items() if not k.startswith("ngram_")}
    encoder_sd = {k: v for k, v in ck["model"].items() if not k.startswith("domain_ngram.")}
    if a.buckets <= cfg["vocab_size"]:
        sys.exit(f"--buckets {a.buckets} must exceed the vocabulary ({cfg['vocab_size']}): unigrams take the first rows")
    bag = NgramBag(a.buckets, cfg["vocab_size"], cfg["n_domain"], PRIME)
    opt = torch.optim.Adam(bag.parameters(), lr=a.lr)
    rng = np.random.default_rng(a.seed)
    # length-bucketed batches of 64 (padding is masked out, so this only saves time)
    by_len = sorted(range(len(train)), key=lambda i: len(train[i]["ids"]))
    batches = [by_len[j:j + 64] for j in range(0, len(by_len), 64)]
    best = (-1.0, None, -1)
    t0 = time.time()
    for ep in range(a.epochs):
        bag.train()
        for b in rng.permutation(len(batches)):
            idx = batches[b]
            ids, am = padded(train, idx)
            loss = F.cross_entropy(bag(ids, am), y_train[idx], label_smoothing=0.05)
            opt.zero_grad()
            loss.backward()
            opt.step()
        bag.eval()
        acc = float((bag_logits(bag, val).argmax(1) == y_val).mean())
        print(f"epoch {ep + 1}: n-gram val domain acc {acc:.4f} ({time.time() - t0:.0f} s)", flush=True)
        if acc > best[0]:
            best = (acc, {k: v.clone() for k, v in bag.state_dict().items()}, ep + 1)
    bag.load_state_dict(best[1])
    ng_val = bag_logits(bag, val)

    model = SemrouteModel(cfg)
    model.load_state_dict(encoder_sd)
    enc_val = np.stack(predict(model, val, "domain", torch.device("cpu")))
    enc_acc = float((enc_val.argmax(1) == y_val).mean())
    grid = [float(w) for w in a.mix_grid.split(",")]
    scores = {w: float(((log_softmax(enc_val) + w * log_softmax(ng_val)).argmax(1) == y_val).mean()) for w in grid}
    mix = max(grid, key=lambda w: (scores[w], -w))  # ties: the smaller weight
    print(f"encoder alone {enc_acc:.4f}; n-gram alone {best[0]:.4f} (epoch {best[2]}); mixed: "
          + ", ".join(f"{w:g}: {s:.4f}" for w, s in scores.items()) + f" -> mix {mix:g}", flush=True)

    cfg.update(ngram_buckets=a.buckets, ngram_prime=PRIME, ngram_mix=mix)
    full = SemrouteModel(cfg)
    sd = full.state_dict()
    sd.update(encoder_sd)
    sd.update({f"domain_ngram.{k}": v for k, v in bag.state_dict().items()})
    full.load_state_dict(sd)
    v = validate(full, data, torch.device("cpu"))
    print("validation with the n-gram path:", json.dumps(v), flush=True)
    rd = os.path.join(WORK, "runs", out_run)
    os.makedirs(rd, exist_ok=True)
    note = (f"{ck.get('run_name') or a.run} + n-gram domain path ({a.buckets} buckets, epoch {best[2]} of {a.epochs}, mix {mix:g}); "
            f"val domain: encoder {enc_acc:.4f}, n-gram {best[0]:.4f}, mixed {scores[mix]:.4f}")
    torch.save({"model": full.state_dict(), "cfg": cfg, "step": ck.get("step"), "val": v, "run_name": ck.get("run_name") or a.run,
                "ngram": {"base_run": a.run, "epoch": best[2], "epochs": a.epochs, "lr": a.lr, "mix": mix, "mix_scores": scores,
                          "val_domain_encoder": enc_acc, "val_domain_ngram": best[0], "note": note}},
               os.path.join(rd, "best.pt"))
    print(f"wrote {os.path.join(rd, 'best.pt')}: {note}")


if __name__ == "__main__":
    main()
