"""Fit a head's n-gram path beside a trained encoder, and attach it (the encoder stays frozen).

Usage: python3 train_ngrams.py --run RUN [--head domain|pii|jailbreak] [--out NAME] [--buckets N] [--epochs N] [--lr X]
       [--mix-grid a,b,...] [--windows] [--row-weights] [--seed N] [--attention [--gate column|unigram|vector] [--gate-scale X] [--with-mean]]

domain (model.NgramBag): a linear bag of WordPiece unigrams and hashed bigrams, trained on the domain data, beats the
small encoder on its own (validation 2026-12-03: 0.764 vs 0.743), and the two mixed beat both (0.780): the encoder knows
phrasing, the bag remembers which subject every word of the 51k training prompts belonged to.
pii (model.TokenNgram): per token, rows for the token, the pair with the previous token and the pair with the next one;
weak alone (span F1 ~0.17) but mixed with the encoder's token logits it fixes span edges and types (0.646 -> 0.683).
jailbreak (model.NgramBag, two outputs): see fit_jailbreak; selected on the OUT-OF-DISTRIBUTION dev half, and with
--windows trained on the windows the runtime screens (window_epoch). --attention pools the features by attention
(model.NgramAttnBag) instead of the mean: tried 2026-12-07 and lost on the OOD dev half (semroute-mini card).
All are convex (the --attention path is not), seeded and fast (~1 min per epoch on one core; the jailbreak path ~3 s). The domain and PII paths' epoch
and mixing weight are chosen on the validation split by the head's own measure (domain accuracy as train.validate
computes it; PII exact-span F1). Writes work/runs/OUT/best.pt: the base checkpoint's weights (any path of another head
kept) plus this head's path, cfg keys ngram_* (domain), pii_ngram_* (pii) or jb_ngram_* (jailbreak), and the full
validation of the result.
"""
import argparse
import hashlib
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
from model import NgramBag, SemrouteModel, TokenNgram, jailbreak_bag
from train import CONT, load_data, predict, span_f1, validate

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


def length_batches(items, size=64):
    """Length-bucketed batches of indices (padding is masked out, so this only saves time)."""
    by_len = sorted(range(len(items)), key=lambda i: len(items[i]["ids"]))
    return [by_len[j:j + size] for j in range(0, len(by_len), size)]


def bag_epoch(bag, opt, train, y, batches, rng, **loss_kwargs):
    """One epoch of a sequence-level NgramBag over `batches` in a seeded random order (cross-entropy with `loss_kwargs`)."""
    bag.train()
    for b in rng.permutation(len(batches)):
        idx = batches[b]
        ids, am = padded(train, idx)
        loss = F.cross_entropy(bag(ids, am), y[idx], **loss_kwargs)
        opt.zero_grad()
        loss.backward()
        opt.step()
    bag.eval()


def fit_domain(a, data, cfg, encoder):
    """NgramBag on the domain data; returns (state dict prefix, params, cfg keys, info)."""
    train = data[("domain", "train")]
    val = [x for x in data[("domain", "val")] if x["form"] in ("stem", "chat", "clinc", "casual")]  # as train.validate
    y_train = torch.tensor([x["y"] for x in train])
    y_val = np.array([x["y"] for x in val])
    if a.buckets <= cfg["vocab_size"]:
        sys.exit(f"--buckets {a.buckets} must exceed the vocabulary ({cfg['vocab_size']}): unigrams take the first rows")
    bag = NgramBag(a.buckets, cfg["vocab_size"], cfg["n_domain"], PRIME)
    opt = torch.optim.Adam(bag.parameters(), lr=a.lr)
    rng = np.random.default_rng(a.seed)
    batches = length_batches(train)
    best = (-1.0, None, -1)
    t0 = time.time()
    for ep in range(a.epochs):
        bag_epoch(bag, opt, train, y_train, batches, rng, label_smoothing=0.05)
        acc = float((bag_logits(bag, val).argmax(1) == y_val).mean())
        print(f"epoch {ep + 1}: n-gram val domain acc {acc:.4f} ({time.time() - t0:.0f} s)", flush=True)
        if acc > best[0]:
            best = (acc, {k: v.clone() for k, v in bag.state_dict().items()}, ep + 1)
    bag.load_state_dict(best[1])
    ng_val = bag_logits(bag, val)
    enc_val = np.stack(predict(encoder, val, "domain", torch.device("cpu")))
    enc_acc = float((enc_val.argmax(1) == y_val).mean())
    grid = [float(w) for w in (a.mix_grid or "0.5,1,1.5,2,3,4,5,6,8").split(",")]
    scores = {w: float(((log_softmax(enc_val) + w * log_softmax(ng_val)).argmax(1) == y_val).mean()) for w in grid}
    mix = max(grid, key=lambda w: (scores[w], -w))  # ties: the smaller weight
    print(f"encoder alone {enc_acc:.4f}; n-gram alone {best[0]:.4f} (epoch {best[2]}); mixed: "
          + ", ".join(f"{w:g}: {sc:.4f}" for w, sc in scores.items()) + f" -> mix {mix:g}", flush=True)
    note = (f"n-gram domain path ({a.buckets} buckets, epoch {best[2]} of {a.epochs}, mix {mix:g}); "
            f"val domain: encoder {enc_acc:.4f}, n-gram {best[0]:.4f}, mixed {scores[mix]:.4f}")
    info = {"base_run": a.run, "epoch": best[2], "epochs": a.epochs, "lr": a.lr, "mix": mix, "mix_scores": scores,
            "val_domain_encoder": enc_acc, "val_domain_ngram": best[0], "note": note}
    return "domain_ngram", bag.state_dict(), {"ngram_buckets": a.buckets, "ngram_prime": PRIME, "ngram_mix": mix}, info


def fit_pii(a, data, cfg, encoder):
    """TokenNgram on the PII data (BIO tags per token); returns (state dict prefix, params, cfg keys, info)."""
    train, val = data[("pii", "train")], data[("pii", "val")]
    net = TokenNgram(a.buckets, cfg["n_pii"])
    opt = torch.optim.Adam(net.parameters(), lr=a.lr)
    rng = np.random.default_rng(a.seed)
    ids_tr = [torch.tensor(x["ids"]).unsqueeze(0) for x in train]
    tags_tr = [torch.tensor(x["tags"]) for x in train]
    enc_val = predict(encoder, val, "pii", torch.device("cpu"))
    enc_f1 = span_f1(val, enc_val)
    grid = [float(w) for w in (a.mix_grid or "0.25,0.5,0.75,1").split(",")]
    best = (-1.0, None, -1, None, None)
    t0 = time.time()
    for ep in range(a.epochs):
        net.train()
        perm = rng.permutation(len(train))
        for j in range(0, len(perm), 32):
            idx = perm[j:j + 32]
            logits = torch.cat([net(ids_tr[i])[0] for i in idx])
            loss = F.cross_entropy(logits, torch.cat([tags_tr[i] for i in idx]), ignore_index=-100)
            opt.zero_grad()
            loss.backward()
            opt.step()
        net.eval()
        with torch.no_grad():
            ng_val = [net(torch.tensor(x["ids"]).unsqueeze(0))[0].numpy() for x in val]
        scores = {w: span_f1(val, [log_softmax(e) + w * log_softmax(g) for e, g in zip(enc_val, ng_val)]) for w in grid}
        mix = max(grid, key=lambda w: (scores[w], -w))
        print(f"epoch {ep + 1}: mixed val PII F1 " + ", ".join(f"{w:g}: {sc:.4f}" for w, sc in scores.items())
              + f" ({time.time() - t0:.0f} s)", flush=True)
        if scores[mix] > best[0]:
            best = (scores[mix], {k: v.clone() for k, v in net.state_dict().items()}, ep + 1, mix, scores)
    f1, state, epoch, mix, scores = best
    print(f"encoder alone {enc_f1:.4f}; mixed {f1:.4f} (epoch {epoch}, mix {mix:g})", flush=True)
    note = f"n-gram PII path ({a.buckets} buckets per table, epoch {epoch} of {a.epochs}, mix {mix:g}); val PII F1: encoder {enc_f1:.4f}, mixed {f1:.4f}"
    info = {"base_run": a.run, "epoch": epoch, "epochs": a.epochs, "lr": a.lr, "mix": mix, "mix_scores": scores,
            "val_pii_encoder": enc_f1, "val_pii_mixed": f1, "note": note}
    return "pii_ngram", state, {"pii_ngram_buckets": a.buckets, "pii_ngram_mix": mix}, info


def jailbreak_dev_encoded(O, encoder):
    """The OOD dev half's jailbreak rows, the runtime's windows of each, and the frozen encoder's logits on every window
    (cached under work/cache: computing them takes minutes, the encoder and the dev sets rarely change)."""
    dev = O.jailbreak_dev_rows()
    h = hashlib.sha256()
    for r in dev:
        h.update(r["text"].encode("utf-8") + b"\0")
    for k, v in sorted(encoder.state_dict().items()):
        h.update(k.encode() + v.detach().numpy().tobytes())
    cache = os.path.join(WORK, "cache", f"jb_dev_{h.hexdigest()[:16]}.pt")
    if os.path.exists(cache):
        dev_windows, enc = torch.load(cache)
        flat = [{"ids": w, "y": 0} for ws in dev_windows for w in ws]
    else:
        dev_windows = [O.jailbreak_windows(O.TOKENIZER(), r["text"]) for r in dev]  # the runtime's windows
        flat = [{"ids": w, "y": 0} for ws in dev_windows for w in ws]
        enc = np.stack(predict(encoder, flat, "jailbreak", torch.device("cpu")))
        os.makedirs(os.path.dirname(cache), exist_ok=True)
        torch.save((dev_windows, enc), cache)
    return dev, dev_windows, flat, enc


def jailbreak_train_windows(O, train):
    """The runtime's windows of every jailbreak train row, from its full text (load_data keeps only the first 128 tokens,
    which for a long pasted e-mail with an injection at its end is the clean part under an attack label)."""
    path = os.path.join(WORK, "data", "jailbreak.jsonl")
    texts = [r["text"] for r in map(json.loads, open(path, encoding="utf-8")) if r.get("split") == "train"]
    if len(texts) != len(train):
        sys.exit(f"{path}: {len(texts)} train rows, the tokenized cache has {len(train)}: delete work/cache and rerun")
    cache = os.path.join(WORK, "cache", f"jb_train_windows_{hashlib.sha256(chr(0).join(texts).encode()).hexdigest()[:16]}.pt")
    if os.path.exists(cache):
        return torch.load(cache)
    out = [O.jailbreak_windows(O.TOKENIZER(), t) for t in texts]
    torch.save(out, cache)
    return out


def window_loss(logits, owner, y_rows, row_weights):
    """The multiple-instance loss of a batch of windows (`logits` [windows, 2]; `owner[k]` = the batch row window k belongs
    to; `y_rows`, `row_weights` per batch row): an attack's loss on its highest-scoring window, a benign row's averaged over
    all its windows, rows weighted by `row_weights`. Shared by window_epoch and jb_head_refit.py."""
    margin = logits[:, 1] - logits[:, 0]
    n = len(y_rows)
    worst = torch.full((n,), -1e9).scatter_reduce(0, owner, margin, reduce="amax")
    benign_loss = torch.zeros(n).scatter_add(0, owner, F.softplus(margin)) / torch.bincount(owner, minlength=n).float()
    loss_row = torch.where(y_rows == 1, F.softplus(-worst), benign_loss)
    return (loss_row * row_weights).sum() / row_weights.sum()


def window_epoch(bag, opt, train_windows, y, batches, rng, class_w, row_w):
    """One epoch that scores every train row the way the runtime does (multiple-instance): an attack's loss is taken on its
    highest-scoring window (the attack is somewhere in it, not necessarily in the first 128 tokens), a benign row's on every
    window (the runtime flags a prompt when ANY window scores high), averaged per row; rows weighted by class times their
    own weight (`row_w`)."""
    bag.train()
    for b in rng.permutation(len(batches)):
        idx = batches[b]
        seqs = [{"ids": w} for i in idx for w in train_windows[i]]
        owner = torch.tensor([r for r, i in enumerate(idx) for _ in train_windows[i]])
        lg = bag(*padded(seqs, range(len(seqs))))
        yb = y[idx]
        loss = window_loss(lg, owner, yb, class_w[yb] * row_w[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
    bag.eval()


def fit_jailbreak(a, data, cfg, encoder):
    """NgramBag with two outputs on the jailbreak data (work/data/jailbreak.jsonl, which jailbreak_bag_data.py
    --into-pipeline extends with technique-diverse attacks). Unlike the other heads, the epoch and mixing weight are
    chosen on the OUT-OF-DISTRIBUTION dev half (ood_select.py's data and rule: the windows the runtime screens, the highest
    window score; TPR at the threshold that flags <= 1% of realistic benign prompts and <= 2% of all benign ones; ties: AUC),
    because the in-distribution validation split overstated the head by 20-50 points (issue 23)."""
    import ood_select as O
    train = data[("jailbreak", "train")]
    y_train = torch.tensor([x["y"] for x in train])
    pos_w = float((y_train == 0).sum()) / max(1.0, float((y_train == 1).sum()))
    class_w = torch.tensor([1.0, pos_w])
    keys = {"jb_ngram_buckets": a.buckets, "jb_ngram_prime": PRIME}
    if a.attention:  # model.NgramAttnBag: features pooled by a learned gate instead of the mean
        keys.update({"jb_ngram_attention": True, "jb_ngram_gate": a.gate, "jb_ngram_gate_scale": a.gate_scale,
                     "jb_ngram_with_mean": bool(a.with_mean)})
    bag = jailbreak_bag({**cfg, **keys})
    opt = torch.optim.Adam(bag.parameters(), lr=a.lr)
    rng = np.random.default_rng(a.seed)
    batches = length_batches(train)
    dev, dev_windows, flat, enc = jailbreak_dev_encoded(O, encoder)
    # without --windows each row is one sequence, its first 128 tokens (what load_data keeps): the same loss as a class-
    # weighted cross-entropy on them
    train_windows = jailbreak_train_windows(O, train) if a.windows else [[x["ids"]] for x in train]
    row_w = torch.tensor([float(x.get("w", 1.0)) if a.row_weights else 1.0 for x in train])
    grid = [float(w) for w in (a.mix_grid or "0,0.5,1,2,3,4,6,8").split(",")]

    def score(bag_logits_flat, mix):
        mixed = log_softmax(enc) + mix * log_softmax(bag_logits_flat)
        return O.jailbreak_metrics(dev, O.max_per_row(mixed[:, 1] - mixed[:, 0], dev_windows))
    base = score(np.zeros_like(enc), 0.0)
    print(f"encoder alone on the OOD dev half: TPR {base['tpr']:.4f} AUC {base['auc']:.4f}", flush=True)
    best = None
    t0 = time.time()
    for ep in range(a.epochs):
        window_epoch(bag, opt, train_windows, y_train, batches, rng, class_w, row_w)
        ng = bag_logits(bag, flat)
        this_epoch = None
        for mix in grid:
            m = score(ng, mix)
            key = (m["tpr"], m["auc"], -mix)
            if this_epoch is None or key > this_epoch[0]:
                this_epoch = (key, mix, m)
            if best is None or key > best[0]:
                best = (key, {k: v.clone() for k, v in bag.state_dict().items()}, ep + 1, mix, m)
        print(f"epoch {ep + 1}: mix {this_epoch[1]:g} TPR {this_epoch[2]['tpr']:.4f} AUC {this_epoch[2]['auc']:.4f}; best so far epoch {best[2]} mix {best[3]:g}: TPR {best[4]['tpr']:.4f} AUC {best[4]['auc']:.4f} "
              f"({time.time() - t0:.0f} s)", flush=True)
    _, state, epoch, mix, m = best
    pooling = (f", attention-pooled (gate {a.gate}, scale {a.gate_scale:g}{', plus the mean of a second table' if a.with_mean else ''})"
               if a.attention else "")
    note = (f"n-gram jailbreak path ({a.buckets} buckets{pooling}, epoch {epoch} of {a.epochs}, mix {mix:g}"
            f"{', trained on the runtime windows' if a.windows else ''}; chosen on the OOD dev half); "
            f"OOD dev TPR at the FPR-1% threshold: encoder {base['tpr']:.4f}, mixed {m['tpr']:.4f}; AUC {base['auc']:.4f} -> {m['auc']:.4f}")
    info = {"base_run": a.run, "epoch": epoch, "epochs": a.epochs, "lr": a.lr, "mix": mix, "windows": bool(a.windows), "row_weights": bool(a.row_weights),
            "seed": a.seed, **({"attention": True, "gate": a.gate, "gate_scale": a.gate_scale, "with_mean": bool(a.with_mean)} if a.attention else {}), "ood_dev_encoder": base,
            "ood_dev_mixed": m, "note": note}
    return "jailbreak_ngram", state, {**keys, "jb_ngram_mix": mix}, info


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--run", required=True, help="run whose best.pt holds the encoder (and possibly the other head's path)")
    ap.add_argument("--head", choices=("domain", "pii", "jailbreak"), default="domain")
    ap.add_argument("--out", default=None, help="output run name (default RUN-ng / RUN-png)")
    ap.add_argument("--buckets", type=int, default=None, help="table rows (default: domain 65536 = vocabulary + hashed bigrams; pii 8192 per table)")
    ap.add_argument("--epochs", type=int, default=None, help="default: domain 8, pii 2")
    ap.add_argument("--lr", type=float, default=0.02)
    ap.add_argument("--mix-grid", default=None, help="mixing weights tried (default: domain 0.5..8, pii 0.25..1)")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--windows", action="store_true", help="jailbreak: train on the runtime's windows of each row (attack: its "
                    "highest window; benign: every window) instead of its first 128 tokens")
    ap.add_argument("--row-weights", action="store_true", help="jailbreak: weight each train row by its `w` (jailbreak_bag_data.py "
                    "writes it: v2/v3 benign look-alikes 2 / 1.5, the v4 rows --v4-weight)")
    ap.add_argument("--attention", action="store_true", help="jailbreak: pool the features by attention (model.NgramAttnBag: a gate "
                    "column per table row, softmax over the prompt's features) instead of the mean")
    ap.add_argument("--gate", choices=("column", "unigram", "vector"), default="column", help="jailbreak --attention: the gate is a column "
                    "of its own per table row (unigram: only the WordPiece rows', a hashed pair's is 0), or the row's logits dotted with "
                    "one learned vector")
    ap.add_argument("--gate-scale", type=float, default=1.0, help="jailbreak --attention: the gate's fixed temperature (gate = column * scale)")
    ap.add_argument("--with-mean", action="store_true", help="jailbreak --attention: add a second table's mean (NgramBag) to the attention logits")
    a = ap.parse_args()
    if (a.with_mean or a.gate_scale != 1.0 or a.gate != "column") and not a.attention:
        ap.error("--gate, --gate-scale and --with-mean need --attention")
    if a.attention and a.head != "jailbreak":
        ap.error("--attention is an option of --head jailbreak only")
    a.buckets = a.buckets or (8192 if a.head == "pii" else 65536)
    a.epochs = a.epochs or {"domain": 8, "pii": 2, "jailbreak": 4}[a.head]
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    out_run = a.out or f"{a.run}-{ {'domain': 'ng', 'pii': 'png', 'jailbreak': 'jng'}[a.head] }"

    tok = T.load(os.path.join(WORK, "tokenizer", "tokenizer.json"))
    CONT.update({i: t.startswith("##") for t, i in tok.vocab.items()})
    data = load_data(tok)
    ck = torch.load(os.path.join(WORK, "runs", a.run, "best.pt"), map_location="cpu")
    # this head's path, if the checkpoint already has one (e.g. recovered from the shipped graph), is refitted
    prefix, cfg_prefix = {"domain": ("domain_ngram.", "ngram_"), "pii": ("pii_ngram.", "pii_ngram_"),
                          "jailbreak": ("jailbreak_ngram.", "jb_ngram_")}[a.head]
    cfg = {k: v for k, v in ck["cfg"].items() if not k.startswith(cfg_prefix)}
    base_sd = {k: v for k, v in ck["model"].items() if not k.startswith(prefix)}
    encoder = SemrouteModel(cfg)
    encoder.load_state_dict(base_sd)
    encoder.eval()
    name, params, keys, info = {"domain": fit_domain, "pii": fit_pii, "jailbreak": fit_jailbreak}[a.head](a, data, cfg, encoder)

    cfg.update(keys)
    full = SemrouteModel(cfg)
    sd = full.state_dict()
    sd.update(base_sd)
    sd.update({f"{name}.{k}": v for k, v in params.items()})
    full.load_state_dict(sd)
    v = validate(full, data, torch.device("cpu"))
    print("validation with the n-gram path:", json.dumps(v), flush=True)
    rd = os.path.join(WORK, "runs", out_run)
    os.makedirs(rd, exist_ok=True)
    info["note"] = f"{ck.get('run_name') or a.run} + {info['note']}"
    saved = {k: ck[k] for k in ("ngram", "pii_ngram", "jb_ngram") if k in ck}
    saved[{"domain": "ngram", "pii": "pii_ngram", "jailbreak": "jb_ngram"}[a.head]] = info
    torch.save({"model": full.state_dict(), "cfg": cfg, "step": ck.get("step"), "val": v, "run_name": ck.get("run_name") or a.run, **saved},
               os.path.join(rd, "best.pt"))
    print(f"wrote {os.path.join(rd, 'best.pt')}: {info['note']}")


if __name__ == "__main__":
    main()
