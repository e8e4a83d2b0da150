"""The jailbreak head of the USE-lite tower (semroute-plus): an ensemble of one-hidden-layer MLPs on USE-lite sentence
vectors of the pipeline's jailbreak training rows, blended with semroute-mini's jailbreak head the way the runtimes do
(heads.json jailbreak `tower`: sigmoid(((1 - w) logit p_shipped + w logit p_tower) / T)).

  python3 fit_jb_tower.py rows WORK              # writes WORK/jb_train.jsonl (train split of work/data/jailbreak.jsonl,
                                                 # row weights kept) and WORK/jb_dev.jsonl (the OOD dev half)
  node embed.mjs WORK jb_train.jsonl jb_train.f32; node embed.mjs WORK jb_dev.jsonl jb_dev.f32
  python3 fit_jb_tower.py fit WORK RUN [--threshold 0.92] [--realistic-fpr 0.005] [--hidden 256[,512]] [--head-from TOWER_DIR]

`fit` scores RUN (a pipeline run: semroute-mini's weights in torch) on the dev rows with the runtime's windows (highest
window), trains the ensembles of the grid, and chooses hidden size, epochs and blend weight by the OOD dev half's rule
(ood_select.jailbreak_metrics: TPR at the threshold that flags <= 1% of realistic and <= 2% of all benign prompts; AUC
breaks ties). The blend temperature T then puts the operating point at --threshold (the default config's jailbreak
threshold), so the shipped config works unchanged: the lowest blended score that flags at most --realistic-fpr (default
0.005, semroute-mini's own dev-half rate at that threshold) of the realistic benign dev prompts and twice that of all
benign ones -- a margin under the 1% goal, because the report half's benign prompts are flagged more often than the dev
half's (semroute-mini: 0.46% dev, 0.8% report). Writes WORK/jb_tower_head.npz (the ensemble folded into one wider
hidden layer: mlp_head.fold_members) and WORK/jb_tower_selection.json. The tower sees only the summary window (first 96 + last 32 of its
tokens), as the runtime runs it; the mini head keeps screening every window. One thread, ~10 min for the grid.
"""
import json
import math
import os
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
import ood_select as O  # noqa: E402
import sr_tokenizer as T  # noqa: E402
from common import WORK as PIPELINE_WORK  # noqa: E402
from mlp_head import fold_members, head_from_graph, tower_logits  # noqa: E402

SEEDS = 4
GRID = [(256, (6, 8, 10, 12)), (512, (6, 8, 10, 12))]  # hidden units, epochs scored
WEIGHTS = (0.3, 0.4, 0.5, 0.6, 0.7)


def write_rows(work):
    rows = [json.loads(l) for l in open(os.path.join(PIPELINE_WORK, "data", "jailbreak.jsonl"), encoding="utf-8") if l.strip()]
    rows = [r for r in rows if r.get("split") == "train" and r["label"] in (0, 1)]
    with open(os.path.join(work, "jb_train.jsonl"), "w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps({"text": r["text"], "label": r["label"], "w": r.get("w", 1.0)}, ensure_ascii=False) + "\n")
    dev = O.jailbreak_dev_rows()
    with open(os.path.join(work, "jb_dev.jsonl"), "w", encoding="utf-8") as f:
        for r in dev:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    print(f"{len(rows)} training rows, {len(dev)} dev rows")


def vectors(work, name, n):
    x = np.fromfile(os.path.join(work, f"{name}.f32"), dtype=np.float32)
    if x.size != n * 512:
        raise SystemExit(f"{name}.f32 holds {x.size // 512} vectors for {n} rows of {name}.jsonl: run embed.mjs again")
    return x.reshape(n, 512)


def mini_logits(run, dev, temperature):
    """logit p_shipped per dev row: the highest window logit difference of RUN's jailbreak head / its temperature."""
    tok = T.load(os.path.join(O.REPO, "models/semroute-mini/tokenizer.json"))
    model = O.load(run)
    jw = [O.jailbreak_windows(tok, r["text"]) for r in dev]
    _, jl = O.run_model(model, [w for ws in jw for w in ws])
    return O.max_per_row(np.array([l[1] - l[0] for l in jl]), jw) / temperature


def train_members(x, y, w, hidden, epochs, seed):
    """One MLP (dropout 0.3, class-balanced weighted BCE on the tower's logit difference) over the rows of `x` (512-d
    sentence vectors here; jb_limits.py adds a column); yields (epoch, net)."""
    torch.manual_seed(seed)
    net = torch.nn.Sequential(torch.nn.Linear(x.shape[1], hidden), torch.nn.ReLU(), torch.nn.Dropout(0.3), torch.nn.Linear(hidden, 1))
    opt = torch.optim.AdamW(net.parameters(), lr=1e-3, weight_decay=1e-2)
    pos, neg = (y * w).sum(), ((1 - y) * w).sum()
    cw = torch.where(y > 0, neg / pos, torch.ones_like(y)) * w
    for ep in range(1, epochs + 1):
        net.train()
        perm = torch.randperm(len(y))
        for b in range(0, len(y), 128):
            i = perm[b:b + 128]
            loss = (torch.nn.functional.binary_cross_entropy_with_logits(net(x[i]).squeeze(1), y[i], reduction="none") * cw[i]).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
        net.eval()
        yield ep, net


def member(net):
    """One trained MLP as fold_members' part, with two logits (benign 0, jailbreak the MLP's output) whose difference is
    the MLP's."""
    w2 = net[3].weight.detach().numpy()[0]
    return (net[0].weight.detach().numpy().copy(), net[0].bias.detach().numpy().copy(),
            np.stack([np.zeros_like(w2), w2]).astype(np.float32), np.array([0.0, net[3].bias.item()], np.float32))


def jailbreak_logit(head, xd):
    """logit p_tower = the folded head's jailbreak - benign logit, as the graph computes it (tower temperature 1)."""
    out = tower_logits(head, xd.numpy())
    return out[:, 1] - out[:, 0]


def candidate_heads(x, y, w, head_from, widths):
    """(hidden units, epochs, folded head) to score: the seed ensembles of GRID (only the widths in `widths`, if given), or
    with head_from the jailbreak head already in that tower folder's graph, unchanged (then only the blend weight and
    temperature are chosen: the blend of a shipped tower re-selected for a new semroute-mini without refitting its head)."""
    if head_from:
        import onnx
        from onnx import numpy_helper as nh
        head = head_from_graph({i.name: nh.to_array(i) for i in onnx.load(os.path.join(head_from, "onnx", "model.onnx")).graph.initializer}, "jailbreak")
        if "W1" not in head:
            raise SystemExit(f"{head_from}/onnx/model.onnx has no jailbreak head (initializers jailbreak_W1, ...)")
        sel = json.load(open(os.path.join(head_from, "config.json"))).get("selection", {})
        yield head["W1"].shape[0] // SEEDS, sel.get("jailbreak_epochs"), head
        return
    if widths and not widths & {h for h, _ in GRID}:
        raise SystemExit(f"--hidden {','.join(map(str, sorted(widths)))}: the grid's widths are {', '.join(str(h) for h, _ in GRID)}")
    for hidden, keep in GRID:
        if widths and hidden not in widths:
            continue
        members = {ep: [] for ep in keep}
        for seed in range(SEEDS):
            for ep, net in train_members(x, y, w, hidden, max(keep), seed):
                if ep in members:
                    members[ep].append(member(net))
        for ep in keep:
            yield hidden, ep, fold_members(members[ep])


def fit(work, run, threshold, realistic_fpr, head_from=None, widths=None):
    torch.set_num_threads(1)
    tr = [json.loads(l) for l in open(os.path.join(work, "jb_train.jsonl"), encoding="utf-8")]
    dev = [json.loads(l) for l in open(os.path.join(work, "jb_dev.jsonl"), encoding="utf-8")]
    x, xd = torch.from_numpy(vectors(work, "jb_train", len(tr))), torch.from_numpy(vectors(work, "jb_dev", len(dev)))
    y = torch.tensor([r["label"] for r in tr], dtype=torch.float32)
    w = torch.tensor([r["w"] for r in tr], dtype=torch.float32)
    heads = json.load(open(os.path.join(O.REPO, "models/semroute-mini/heads.json")))
    temperature = next(h for h in heads["heads"] if h["name"] == "jailbreak")["temperature"]
    shipped = mini_logits(run, dev, temperature)
    alone = O.jailbreak_metrics(dev, shipped)
    print(f"semroute-mini ({run}) alone on the dev half: TPR {alone['tpr']:.4f} AUC {alone['auc']:.4f}", flush=True)
    best = None
    for hidden, ep, head in candidate_heads(x, y, w, head_from, widths):
        tower = jailbreak_logit(head, xd)
        t = O.jailbreak_metrics(dev, tower)
        for bw in WEIGHTS:
            m = O.jailbreak_metrics(dev, (1 - bw) * shipped + bw * tower)
            key = (round(m["tpr"], 4), round(m["auc"], 4))
            print(f"hidden {hidden} x{SEEDS} epoch {ep} weight {bw}: TPR {m['tpr']:.4f} AUC {m['auc']:.4f} (tower alone {t['tpr']:.4f} / {t['auc']:.4f})", flush=True)
            if best is None or key > best[0]:
                best = (key, hidden, ep, bw, head, m, t, (1 - bw) * shipped + bw * tower)
    (_, hidden, ep, bw, head, m, t, blended) = best
    z_thr = O.benign_threshold(dev, blended, realistic_fpr, 2 * realistic_fpr)  # the blended logit at the operating point
    if not z_thr > 0:
        raise SystemExit(f"the operating point sits at blended logit {z_thr:.3f} <= 0: no temperature maps it to {threshold}")
    at_op = {"tpr": round(float(np.mean(blended[np.array([r.get("label") == "jailbreak" for r in dev])] >= z_thr)), 4),
             "realistic_fpr": round(float(np.mean(blended[np.array([r.get("label") == "benign" and r["set"] in O.REALISTIC for r in dev])] >= z_thr)), 4)}
    blend_t = z_thr / math.log(threshold / (1 - threshold))
    np.savez(os.path.join(work, "jb_tower_head.npz"), **head)
    sel = {"jailbreak_head": f"MLP ensemble ({SEEDS} x {hidden} ReLU units, dropout 0.3, class-balanced weighted BCE, {ep} epochs)",
           "jailbreak_hidden": hidden, "jailbreak_epochs": ep, "jailbreak_ensemble_members": SEEDS,
           "jailbreak_blend_weight": bw, "jailbreak_blend_temperature": round(blend_t, 4), "jailbreak_threshold": threshold, "jailbreak_operating_realistic_fpr": realistic_fpr, "dev_at_threshold": at_op,
           "jailbreak_against": run, "dev_tpr": round(m["tpr"], 4), "dev_auc": round(m["auc"], 4),
           "dev_tpr_tower_alone": round(t["tpr"], 4), "dev_auc_tower_alone": round(t["auc"], 4),
           "dev_tpr_mini_alone": round(alone["tpr"], 4), "dev_auc_mini_alone": round(alone["auc"], 4), "dev_per_set": m["per_set"]}
    json.dump(sel, open(os.path.join(work, "jb_tower_selection.json"), "w"), indent=1)
    print(json.dumps(sel))


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "rows":
        write_rows(sys.argv[2])
    elif len(sys.argv) >= 4 and sys.argv[1] == "fit":
        thr = float(sys.argv[sys.argv.index("--threshold") + 1]) if "--threshold" in sys.argv else 0.92
        fpr = float(sys.argv[sys.argv.index("--realistic-fpr") + 1]) if "--realistic-fpr" in sys.argv else 0.005
        head_from = sys.argv[sys.argv.index("--head-from") + 1] if "--head-from" in sys.argv else None
        widths = {int(v) for v in sys.argv[sys.argv.index("--hidden") + 1].split(",")} if "--hidden" in sys.argv else None
        fit(sys.argv[2], sys.argv[3], thr, fpr, head_from, widths)
    else:
        raise SystemExit(__doc__)
