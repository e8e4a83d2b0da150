"""How far the jailbreak goal (TPR >= 90% at <= 2% of benign prompts flagged) is from reach on the OOD dev half, and
whether the USE-lite tower would gain by reading the whole prompt. Measurements only: nothing here is shipped.

  python3 jb_limits.py windows WORK RUN   # needs WORK/jb_dev_windows.f32 (node embed.mjs WORK jb_dev.jsonl
                                          # jb_dev_windows.f32 --windows) and WORK/jb_tower_head.npz
  python3 jb_limits.py ceiling WORK RUN   # needs WORK/jb_dev.f32 (fit_jb_tower.py's summary-window vectors)

WORK and RUN as for fit_jb_tower.py (RUN holds semroute-mini's weights in torch, e.g. runs/shipped).

`windows`: the tower's jailbreak head as the runtime runs it (on the summary window, first 96 + last 32 tokens) against
the same head on every 128-token window (stride 96) of the prompt, taking the highest window, the mean, or the mean of
the summary and the highest window -- each blended with semroute-mini's score at the weights fit_jb_tower.py tries.

`ceiling`: what a prompt-only classifier reaches when it may train on the evaluation sources themselves -- 5-fold cross
validation over the dev half's jailbreak and benign rows (out-of-fold scores): a logistic regression on hashed word
unigrams and bigrams, an MLP on the USE-lite sentence vector, and an MLP on that vector plus semroute-mini's score (both
fit_jb_tower.py's recipe, one seed, 40 epochs). An
optimistic bound (template-made sets leak across folds; a fold trains on ~2,200 rows), so the attacks it still misses
are ones whose text alone does not tell them from benign prompts: their label depends on a system prompt or on a user's
intent the prompt does not carry.

Both print the selection rule's TPR (at <= 1% of realistic and <= 2% of all benign prompts flagged: fit_jb_tower.py's),
TPR at <= 2% of all benign prompts (the goal's measure) and ROC-AUC; `ceiling` also the rate per set.
"""
import json
import os
import re
import sys
import zlib

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
import ood_select as O  # noqa: E402
from fit_jb_tower import WEIGHTS, jailbreak_logit, mini_logits, train_members, vectors  # noqa: E402
from mlp_head import tower_logits  # noqa: E402

FOLDS = 5
MLP_EPOCHS = 40
BUCKETS = 1 << 18


def dev_rows_and_mini(work, run):
    dev = [json.loads(l) for l in open(os.path.join(work, "jb_dev.jsonl"), encoding="utf-8")]
    heads = json.load(open(os.path.join(O.REPO, "models/semroute-mini/heads.json")))
    temperature = next(h for h in heads["heads"] if h["name"] == "jailbreak")["temperature"]
    return dev, mini_logits(run, dev, temperature)


def summary(dev, s):
    lab = np.array([r.get("label") for r in dev])
    at_2 = np.sort(s[lab == "benign"])[::-1][int(0.02 * (lab == "benign").sum())] + 1e-9  # as O.benign_threshold, all benign only
    m = O.jailbreak_metrics(dev, s)
    return m, f"rule TPR {m['tpr']:.4f}, TPR at all-benign FPR <= 2% {float((s[lab == 'jailbreak'] >= at_2).mean()):.4f}, AUC {m['auc']:.4f}"


def windows(work, run):
    dev, mini = dev_rows_and_mini(work, run)
    head = dict(np.load(os.path.join(work, "jb_tower_head.npz")))
    at_summary = jailbreak_logit(head, torch.from_numpy(vectors(work, "jb_dev", len(dev))))
    row_of = np.array(json.load(open(os.path.join(work, "jb_dev_windows.rows.json"))))
    xw = np.fromfile(os.path.join(work, "jb_dev_windows.f32"), dtype=np.float32).reshape(-1, 512)
    if len(xw) != len(row_of) or row_of.max() != len(dev) - 1:
        raise SystemExit("jb_dev_windows.f32 / .rows.json do not match jb_dev.jsonl: run embed.mjs ... --windows again")
    out = tower_logits(head, xw)
    per_window = out[:, 1] - out[:, 0]
    highest = np.full(len(dev), -np.inf)
    np.maximum.at(highest, row_of, per_window)
    mean = np.bincount(row_of, weights=per_window, minlength=len(dev)) / np.bincount(row_of, minlength=len(dev))
    print(f"{int((np.bincount(row_of) > 1).sum())} of {len(dev)} dev prompts span more than one window")
    print(f"semroute-mini ({run}) alone: {summary(dev, mini)[1]}")
    for name, tower in (("summary window (as shipped)", at_summary), ("highest window", highest), ("mean of windows", mean),
                        ("mean of summary and highest window", (at_summary + highest) / 2)):
        print(f"tower on the {name}: alone {summary(dev, tower)[1]}")
        for w in WEIGHTS:
            print(f"  blended, weight {w}: {summary(dev, (1 - w) * mini + w * tower)[1]}")


def hashed_ngrams(text):
    words = re.findall(r"\w+|[^\w\s]", text.lower())
    grams = words + [f"{a} {b}" for a, b in zip(words, words[1:])]
    return sorted({zlib.crc32(g.encode()) % BUCKETS for g in grams})


def bag(features, idx):
    rows = [k for k, i in enumerate(idx) for _ in features[i]]
    cols = [c for i in idx for c in features[i]]
    x = torch.sparse_coo_tensor(torch.tensor([rows, cols]), torch.ones(len(rows)), (len(idx), BUCKETS)).coalesce()
    return x, torch.tensor([max(1, len(features[i])) for i in idx], dtype=torch.float32).sqrt()


def fit_ngram_lr(features, y, train, test):
    weight = torch.zeros(BUCKETS, requires_grad=True)
    bias = torch.zeros(1, requires_grad=True)
    opt = torch.optim.Adam([weight, bias], lr=0.05)
    (xt, nt), (xe, ne) = bag(features, train), bag(features, test)
    score = lambda x, n: torch.sparse.mm(x, weight[:, None]).squeeze(1) / n + bias  # noqa: E731
    for _ in range(60):
        loss = torch.nn.functional.binary_cross_entropy_with_logits(score(xt, nt), y[train]) + 1e-6 * (weight ** 2).sum()
        opt.zero_grad()
        loss.backward()
        opt.step()
    with torch.no_grad():
        return score(xe, ne).numpy()


def fit_mlp(x, y, train, test, seed):
    """fit_jb_tower.py's MLP recipe (256 units, class-balanced loss, the shipped head's 12 epochs), one seed."""
    *_, (_, net) = train_members(x[train], y[train], torch.ones(len(train)), 256, MLP_EPOCHS, seed)
    with torch.no_grad():
        return net(x[test]).squeeze(1).numpy()


def ceiling(work, run):
    torch.set_num_threads(2)
    dev, mini = dev_rows_and_mini(work, run)
    use = torch.from_numpy(vectors(work, "jb_dev", len(dev)))
    y = torch.tensor([1.0 if r["label"] == "jailbreak" else 0.0 for r in dev])
    scored = np.array([i for i, r in enumerate(dev) if r["label"] in ("jailbreak", "benign")])
    fold = np.random.default_rng(0).integers(0, FOLDS, len(scored))
    features = [hashed_ngrams(r["text"]) for r in dev]
    # semroute-mini's logit is ~10x the scale of a USE-lite vector's components: divided so one learning rate suits both
    with_mini = torch.cat([use, torch.from_numpy(mini[:, None] / 10).float()], 1)
    print(f"semroute-mini ({run}) alone, no training on the sources: {summary(dev, mini)[1]}")
    for name, fit in (("hashed word n-grams, logistic regression", lambda tr, te, k: fit_ngram_lr(features, y, tr, te)),
                      ("USE-lite vector, MLP", lambda tr, te, k: fit_mlp(use, y, tr, te, k)),
                      ("USE-lite vector + semroute-mini's score, MLP", lambda tr, te, k: fit_mlp(with_mini, y, tr, te, k))):
        out_of_fold = np.full(len(dev), -np.inf)
        for k in range(FOLDS):
            torch.manual_seed(k)
            out_of_fold[scored[fold == k]] = fit(scored[fold != k], scored[fold == k], k)
        m, line = summary(dev, out_of_fold)
        print(f"{name}, {FOLDS}-fold on the dev half: {line}")
        print("  flagged at the rule's threshold: " + ", ".join(f"{k} {v:.3f}" for k, v in m["per_set"].items()))


if __name__ == "__main__":
    commands = {"windows": windows, "ceiling": ceiling}
    if len(sys.argv) != 4 or sys.argv[1] not in commands:
        raise SystemExit(__doc__)
    commands[sys.argv[1]](sys.argv[2], sys.argv[3])
