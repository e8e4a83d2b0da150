"""Refit the domain head's n-gram path (model.NgramBag; the encoder stays frozen) for prompts from other sources, and
choose its epoch and mixing weight on the OUT-OF-DISTRIBUTION dev half (issue 23), not on the pipeline's validation split.

  python3 train_domain_ood.py --run shipped --out NAME [--extra-weight W] [--soft W] [--pool-weight W] [--balance P] ...

Training rows, each with its own loss weight:
  * the pipeline's domain training split (work/data/domain.jsonl, prepare_data.py): hard label;
  * the extra labelled questions from other public sources (work/use_lite/domain_extra.jsonl, use_lite/extra/
    build_extra.py; rows also in an eval set are dropped again here, hand-written sets included): hard label, weight
    --extra-weight;
  * with --hw-weight: the hand-written training prompts of domain_handwritten/*.jsonl (chat- and exam-style, written for
    training by the team, never read from an eval set): hard label, weight --hw-weight;
  * with --soft / --pool-weight: the USE-lite tower's probabilities (teacher_probs.mjs on semroute-plus) as soft
    targets, on those labelled rows (loss = hard + soft · cross-entropy to the teacher) and on an unlabelled pool of real
    instructions and questions (domain_pool.py; soft target only, weight --pool-weight).
The hard loss can be class-balanced (--balance P: each row weighted by (its label's share)^-P, normalised to mean 1).
Features are those of the runtime's domain window (the summary window: the first 94 and last 32 content tokens of a
longer prompt, ood_select.jailbreak_windows' first sequence), for training and selection alike. The table is trained as
an EmbeddingBag (mean of the same rows NgramBag reads, plus its bias; identical logits), then written into NgramBag's
parameters.
Selection: after every epoch, for every mixing weight of --mix-grid, the mixed head (log_softmax(encoder) + mix ·
log_softmax(n-gram)) is scored on the dev half of the domain OOD sets (exam_qa_more, domain_dev, hw_domain_chat; halves as
models/eval/run.mjs) by the mean of the three macro-F1s (argmax); ties: the smaller weight. The report half is never read.
Writes work/runs/OUT/best.pt (as train_ngrams.py: the base checkpoint with this path and cfg ngram_*; key "ngram" holds
the selection) and work/runs/OUT/ood_dev.json (every epoch x mix score, and the chosen head's dev logits for calibration).
"""
import argparse
import glob
import hashlib
import json
import os
import sys
import time
from collections import Counter

import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import ood_select as O  # noqa: E402
import sr_tokenizer as T  # noqa: E402
from common import DOMAINS, WORK, jl  # noqa: E402
from domain_pool import norm, shingles  # noqa: E402
from model import NgramBag, SemrouteModel  # noqa: E402
from train_ngrams import log_softmax  # noqa: E402

PRIME = 1000003
SETS = ("exam_qa_more", "domain_dev", "hw_domain_chat")


def summary_ids(tok, text):
    """The sequence the runtime scores for the domain head (summary window)."""
    return O.jailbreak_windows(tok, text)[0]


def features(ids, buckets, vocab, prime=PRIME):
    """NgramBag.features of one unpadded sequence: token ids > 4, and hashed pairs of adjacent such tokens."""
    a = np.asarray(ids, dtype=np.int64)
    valid = a > 4
    pairs = (a[:-1] * prime + a[1:]) % (buckets - vocab) + vocab
    return np.concatenate([a[valid], pairs[valid[:-1] & valid[1:]]])


class Bag(torch.nn.Module):
    """NgramBag's logits from precomputed features (EmbeddingBag, mean; an empty bag gives the bias, as NgramBag)."""

    def __init__(self, buckets, n_out):
        super().__init__()
        self.emb = torch.nn.EmbeddingBag(buckets, n_out, mode="mean")
        torch.nn.init.zeros_(self.emb.weight)
        self.bias = torch.nn.Parameter(torch.zeros(n_out))

    def forward(self, flat, offsets):
        return self.emb(flat, offsets) + self.bias


def packed(feats, idx):
    lens = [len(feats[i]) for i in idx]
    flat = torch.from_numpy(np.concatenate([feats[i] for i in idx]) if idx.size else np.zeros(0, np.int64))
    offsets = torch.tensor(np.concatenate([[0], np.cumsum(lens)[:-1]]), dtype=torch.long)
    return flat, offsets


def bag_logits(bag, feats, bs=2048):
    with torch.no_grad():
        return torch.cat([bag(*packed(feats, np.arange(j, min(len(feats), j + bs)))) for j in range(0, len(feats), bs)]).numpy()


def macro_f1_sets(mixed, dev):
    pred = mixed.argmax(1)
    out = {}
    for s in SETS:
        idx = [i for i, r in enumerate(dev) if r["set"] == s]
        out[s] = round(O.macro_f1([dev[i]["category"] for i in idx], [DOMAINS[pred[i]] for i in idx]), 4)
    out["mean"] = round(float(np.mean([out[s] for s in SETS])), 4)
    return out


def dev_rows():
    rows = [r for n, p in O.DOM_SETS.items() for r in O.rows_of(f"{O.SHARED}/data/dev-ood/{p}", n)]
    rows += O.rows_of(f"{O.HW}/domain_chat.jsonl", "hw_domain_chat")
    return [r for r in rows if r["category"] in DOMAINS]


def handwritten_rows(folder, pattern="*.jsonl"):
    """The hand-written training prompts (the files of folder matching pattern; keys text, category, style, lang),
    checked: a known category, no text twice, and none equal to, sharing a 12-word shingle with, or paraphrasing
    (near_duplicate) any evaluation text (dev-ood, all kinds, and the hand-written eval sets) -- an overlap is an error to
    fix in the file, not a row to drop quietly. About 30 s for 3,500 rows (the paraphrase check is all pairs)."""
    rows, seen = [], {}
    for path in sorted(glob.glob(os.path.join(folder, pattern))):
        for i, r in enumerate(jl(path), 1):
            where = f"{path}:{i}"
            if r.get("category") not in DOMAINS:
                raise SystemExit(f"{where}: category {r.get('category')!r} is not one of {DOMAINS}")
            if not isinstance(r.get("text"), str) or not r["text"].strip():
                raise SystemExit(f"{where}: empty or missing text")
            k = norm(r["text"])
            if k in seen:
                raise SystemExit(f"{where}: same text as {seen[k]}; delete one")
            seen[k] = where
            rows.append({**r, "where": where})
    refuse_eval_overlap(rows)
    return rows


def refuse_eval_overlap(rows):
    """Stops with the file:line (`where`) of every row whose text overlaps an evaluation text (eval_overlaps). Shared by
    the hand-written domain rows here and the hand-written jailbreak rows (jailbreak_bag_data.py round_rows)."""
    bad = eval_overlaps(rows)
    if bad:
        raise SystemExit(f"{len(bad)} hand-written rows equal to, sharing a 12-word shingle with, or paraphrasing an "
                         f"evaluation text (delete or rewrite them): {', '.join(bad[:30])}")


def eval_overlaps(rows):
    """The `where` of every row whose text equals, shares a 12-word shingle with, or paraphrases (near_duplicate) an
    evaluation text: dev-ood (all kinds, both halves) and the hand-written eval sets."""
    ev = [t for p in glob.glob(f"{O.SHARED}/data/dev-ood/*/*.jsonl") for t in (r["text"] for r in jl(p))]
    ev += [r["text"] for p in glob.glob(os.path.join(O.HW, "*.jsonl")) for r in jl(p)]
    ev_norm, ev_sh = {norm(t) for t in ev}, set().union(*(shingles(t) for t in ev))
    bad = [r["where"] for r in rows if norm(r["text"]) in ev_norm or shingles(r["text"]) & ev_sh]
    # writers with similar habits converge on the same everyday questions ("how do you fold a fitted sheet"): a
    # paraphrase of an evaluation prompt is refused as well, by content-word overlap
    ev_words = [content_words(t) for t in ev]
    bad += [r["where"] for r in rows if r["where"] not in bad and near_duplicate(content_words(r["text"]), ev_words)]
    return bad


STOPWORDS = frozenset("the a an of to in is and or for on what how why do does i my you your it can be with are if that "
                      "this at as by from was me we when which".split())


def content_words(text):
    return frozenset(w for w in norm(text).split() if w not in STOPWORDS)


def near_duplicate(words, others, threshold=0.4):
    """True when the Jaccard overlap of content words with any of others reaches threshold (0.4 catches reworded
    questions such as "can i take ibuprofen and paracetamol together for a toothache" vs "is it safe to take ...")."""
    return any(len(words & o) >= threshold * len(words | o) for o in others if words and o)


def encoder_of(ck):
    cfg = {k: v for k, v in ck["cfg"].items() if not k.startswith("ngram_")}
    sd = {k: v for k, v in ck["model"].items() if not k.startswith("domain_ngram.")}
    enc = SemrouteModel(cfg)
    enc.load_state_dict(sd)
    enc.eval()
    return enc, cfg, sd


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--run", default="shipped")
    ap.add_argument("--out", required=True)
    ap.add_argument("--buckets", type=int, default=65536)
    ap.add_argument("--epochs", type=int, default=8)
    ap.add_argument("--lr", type=float, default=0.02)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--extra", default=os.path.join(WORK, "use_lite", "domain_extra.jsonl"), help="'' for none")
    ap.add_argument("--extra-weight", type=float, default=1.0)
    ap.add_argument("--pipeline-weight", type=float, default=1.0)
    ap.add_argument("--teacher-dir", default=os.path.join(WORK, "domain_pool"))
    ap.add_argument("--soft", type=float, default=0.0, help="weight of the teacher's soft targets on labelled rows")
    ap.add_argument("--pool-weight", type=float, default=0.0, help="weight of the unlabelled pool (soft targets only)")
    ap.add_argument("--paras-weight", type=float, default=0.0,
                    help="weight of the OpenStax body paragraphs (domain_pool.py --openstax) with their book's subject as a hard label")
    ap.add_argument("--paras-soft", type=float, default=0.0, help="weight of the teacher's soft targets on those paragraphs")
    ap.add_argument("--hw-dir", default=os.path.join(HERE, "domain_handwritten"))
    ap.add_argument("--hw-glob", default="*.jsonl", help="which files of --hw-dir ('[a-z]*[a-z].jsonl': round 1 only; 'round3/*.jsonl': the unshipped round 3 only)")
    ap.add_argument("--hw-weight", type=float, default=0.0,
                    help="weight of the hand-written training prompts (--hw-dir/--hw-glob, hard label); 0: not used")
    ap.add_argument("--balance", type=float, default=0.0)
    ap.add_argument("--smoothing", type=float, default=0.05)
    ap.add_argument("--mix-grid", default="0.5,1,1.5,2,3,4,5,6,8")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    t0 = time.time()
    tok = T.load(os.path.join(WORK, "tokenizer", "tokenizer.json"))
    ck = torch.load(os.path.join(WORK, "runs", a.run, "best.pt"), map_location="cpu")
    encoder, cfg, base_sd = encoder_of(ck)
    vocab = cfg["vocab_size"]

    # ---- training rows: text, hard label (-1: none), hard weight, teacher probs (or None), soft weight
    pipe = [r for r in jl(os.path.join(WORK, "data", "domain.jsonl")) if r["split"] == "train"]
    texts = [r["text"] for r in pipe]
    y = [DOMAINS.index(r["label"]) for r in pipe]
    hard_w = [a.pipeline_weight] * len(pipe)
    group = ["pipeline"] * len(pipe)
    teacher = {}
    if a.soft or a.pool_weight:
        teacher["pipeline"] = json.load(open(os.path.join(a.teacher_dir, "train_teacher.json")))["probs"]
        assert len(teacher["pipeline"]) == len(pipe), "train_teacher.json is stale: rerun teacher_probs.mjs"
    soft_p = list(teacher.get("pipeline", [None] * len(pipe)))
    n_extra = 0
    if a.extra:
        extra = jl(a.extra)
        ex_teacher = json.load(open(os.path.join(a.teacher_dir, "extra_teacher.json")))["probs"] if teacher else [None] * len(extra)
        assert len(ex_teacher) == len(extra), "extra_teacher.json is stale: rerun teacher_probs.mjs"
        # build_extra.py dedups against dev-ood and MMLU-Pro; the hand-written eval sets are checked here as well
        hw = [t for f in ("domain_chat", "jailbreak_attacks", "jailbreak_benign", "pii_natural")
              for t in (r["text"] for r in jl(os.path.join(O.HW, f + ".jsonl")))]
        ref_norm, ref_sh = {norm(t) for t in hw}, set().union(*(shingles(t) for t in hw))
        for r, tp in zip(extra, ex_teacher):
            if norm(r["text"]) in ref_norm or shingles(r["text"]) & ref_sh:
                continue
            texts.append(r["text"]); y.append(DOMAINS.index(r["label"])); hard_w.append(a.extra_weight)
            group.append("extra"); soft_p.append(tp); n_extra += 1
    n_hw = 0
    if a.hw_weight:
        for r in handwritten_rows(a.hw_dir, a.hw_glob):
            texts.append(r["text"]); y.append(DOMAINS.index(r["category"])); hard_w.append(a.hw_weight)
            group.append("handwritten"); soft_p.append(None); n_hw += 1
    n_pool = 0
    if a.pool_weight:
        pool = jl(os.path.join(a.teacher_dir, "pool.jsonl"))
        pp = json.load(open(os.path.join(a.teacher_dir, "pool_teacher.json")))["probs"]
        assert len(pp) == len(pool), "pool_teacher.json is stale: rerun teacher_probs.mjs"
        for r, tp in zip(pool, pp):
            texts.append(r["text"]); y.append(-1); hard_w.append(0.0); group.append("pool"); soft_p.append(tp); n_pool += 1
    n_paras = 0
    if a.paras_weight or a.paras_soft:
        paras = jl(os.path.join(a.teacher_dir, "paras.jsonl"))
        pt = json.load(open(os.path.join(a.teacher_dir, "paras_teacher.json")))["probs"] if a.paras_soft else [None] * len(paras)
        assert len(pt) == len(paras), "paras_teacher.json is stale: rerun teacher_probs.mjs"
        for r, tp in zip(paras, pt):
            texts.append(r["text"]); y.append(DOMAINS.index(r["label"])); hard_w.append(a.paras_weight); group.append("paras")
            soft_p.append(tp); n_paras += 1
    y = np.array(y)
    hard_w = np.array(hard_w, dtype=np.float32)
    if a.balance:
        cnt = Counter(y[y >= 0].tolist())
        cw = {c: (n / len(y[y >= 0])) ** -a.balance for c, n in cnt.items()}
        mean_w = np.mean([cw[c] for c in y[y >= 0]])
        hard_w = np.array([w * cw[c] / mean_w if c >= 0 else w for w, c in zip(hard_w, y)], dtype=np.float32)
    soft_w = np.array([{"pool": a.pool_weight, "paras": a.paras_soft}.get(g, a.soft) if p is not None else 0.0 for g, p in zip(group, soft_p)],
                      dtype=np.float32)
    soft_t = np.array([p if p is not None else [0.0] * len(DOMAINS) for p in soft_p], dtype=np.float32)
    print(f"rows: pipeline {len(pipe)}, extra {n_extra}, hand-written {n_hw}, pool {n_pool}, textbook paragraphs {n_paras}; tokenizing ({time.time() - t0:.0f} s)", flush=True)
    key = hashlib.sha1("\x00".join(texts).encode("utf-8") + open(T.__file__, "rb").read()).hexdigest()[:16]
    cache = os.path.join(WORK, "cache", f"domain_ood_feats_{key}_{a.buckets}.npz")
    if os.path.exists(cache):
        z = np.load(cache, allow_pickle=True)
        feats = list(z["feats"])
    else:
        feats = [features(summary_ids(tok, t), a.buckets, vocab) for t in texts]
        os.makedirs(os.path.dirname(cache), exist_ok=True)
        np.savez(cache, feats=np.array(feats, dtype=object))
    dev = dev_rows()
    dev_seqs = [summary_ids(tok, r["text"]) for r in dev]
    dev_feats = [features(s, a.buckets, vocab) for s in dev_seqs]
    enc_dev = np.stack(O.run_model(encoder, dev_seqs)[0])
    enc_ls = log_softmax(enc_dev)
    y_dev = np.array([DOMAINS.index(r["category"]) for r in dev])
    print(f"dev half: {Counter(r['set'] for r in dev)}; encoder alone {macro_f1_sets(enc_dev, dev)} ({time.time() - t0:.0f} s)", flush=True)
    if ck["cfg"].get("ngram_buckets"):  # the path being replaced, for comparison
        old = NgramBag(ck["cfg"]["ngram_buckets"], vocab, cfg["n_domain"], ck["cfg"]["ngram_prime"])
        old.load_state_dict({k[len("domain_ngram."):]: v for k, v in ck["model"].items() if k.startswith("domain_ngram.")})
        ob = Bag(old.buckets, cfg["n_domain"]); ob.emb.weight.data.copy_(old.table.data); ob.bias.data.copy_(old.bias.data)
        print(f"base path (mix {ck['cfg']['ngram_mix']:g}): "
              f"{macro_f1_sets(enc_ls + ck['cfg']['ngram_mix'] * log_softmax(bag_logits(ob, dev_feats)), dev)}", flush=True)

    bag = Bag(a.buckets, cfg["n_domain"])
    opt = torch.optim.Adam(bag.parameters(), lr=a.lr)
    rng = np.random.default_rng(a.seed)
    order = np.argsort([len(f) for f in feats], kind="stable")
    batches = [order[j:j + a.batch] for j in range(0, len(order), a.batch)]
    yt, hw_t, sw_t, st_t = torch.from_numpy(np.maximum(y, 0)), torch.from_numpy(hard_w), torch.from_numpy(soft_w), torch.from_numpy(soft_t)
    grid = [float(w) for w in a.mix_grid.split(",")]
    history, best = [], None
    for ep in range(a.epochs):
        for b in rng.permutation(len(batches)):
            idx = batches[b]
            lg = bag(*packed(feats, idx))
            it = torch.from_numpy(idx)
            hard = F.cross_entropy(lg, yt[it], reduction="none", label_smoothing=a.smoothing) * hw_t[it]
            soft = -(st_t[it] * F.log_softmax(lg, -1)).sum(1) * sw_t[it]
            loss = (hard + soft).sum() / len(idx)
            opt.zero_grad()
            loss.backward()
            opt.step()
        ng = log_softmax(bag_logits(bag, dev_feats))
        alone = macro_f1_sets(ng, dev)
        for mix in grid:
            sc = macro_f1_sets(enc_ls + mix * ng, dev)
            history.append({"epoch": ep + 1, "mix": mix, **sc})
            if best is None or (sc["mean"], -mix) > (best[0]["mean"], -best[2]):
                best = (sc, {k: v.clone() for k, v in bag.state_dict().items()}, mix, ep + 1)
        print(f"epoch {ep + 1}: n-gram alone {alone}; best so far epoch {best[3]} mix {best[2]:g}: {best[0]} "
              f"({time.time() - t0:.0f} s)", flush=True)
    sc, state, mix, epoch = best
    bag.load_state_dict(state)
    ngram = NgramBag(a.buckets, vocab, cfg["n_domain"], PRIME)
    ngram.table.data.copy_(bag.emb.weight.data)
    ngram.bias.data.copy_(bag.bias.data)
    cfg.update({"ngram_buckets": a.buckets, "ngram_prime": PRIME, "ngram_mix": mix})
    full = SemrouteModel(cfg)
    sd = full.state_dict()
    sd.update(base_sd)
    sd.update({f"domain_ngram.{k}": v for k, v in ngram.state_dict().items()})
    full.load_state_dict(sd)
    full.eval()
    # the checkpoint's own domain logits on the dev half must equal what was selected (Bag == NgramBag)
    dl = np.stack(O.run_model(full, dev_seqs)[0])
    check = macro_f1_sets(dl, dev)
    assert abs(check["mean"] - sc["mean"]) < 2e-3, (check, sc)
    args = {k: v for k, v in vars(a).items() if k not in ("threads",)}
    note = (f"n-gram domain path refitted for other sources ({a.buckets} buckets; pipeline {len(pipe)} + extra {n_extra} "
            f"labelled rows (weight {a.extra_weight:g}), {n_hw} hand-written prompts (weight {a.hw_weight:g}), teacher soft targets {a.soft:g}, pool {n_pool} rows (weight "
            f"{a.pool_weight:g}), {n_paras} textbook paragraphs (label weight {a.paras_weight:g}, teacher {a.paras_soft:g}), balance {a.balance:g}; epoch {epoch} of {a.epochs}, mix {mix:g}, chosen on the OOD dev half: "
            f"macro-F1 " + ", ".join(f"{s} {sc[s]:.3f}" for s in SETS) + ")")
    info = {"base_run": a.run, "epoch": epoch, "mix": mix, "args": args, "ood_dev": sc, "note": note}
    rd = os.path.join(WORK, "runs", a.out)
    os.makedirs(rd, exist_ok=True)
    saved = {k: v for k, v in ck.items() if k not in ("model", "cfg", "ngram")}  # step, val, run_name, other paths' info
    torch.save({**saved, "model": full.state_dict(), "cfg": cfg, "run_name": ck.get("run_name") or a.run, "ngram": info},
               os.path.join(rd, "best.pt"))
    json.dump({"info": info, "history": history, "dev_sets": [r["set"] for r in dev], "dev_y": y_dev.tolist(),
               "dev_logits": dl.round(5).tolist()}, open(os.path.join(rd, "ood_dev.json"), "w"))
    print(f"wrote {rd}/best.pt: {note} ({time.time() - t0:.0f} s)", flush=True)


if __name__ == "__main__":
    main()
