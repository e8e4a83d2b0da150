"""Fit the USE-lite domain tower: a head on frozen USE-lite sentence vectors of the pipeline's domain mix (train split), then
the blend with the shipped domain head (weight, temperature) chosen on the OOD dev half only.

Heads tried (--grid): a logistic regression, and an ensemble of small one-hidden-layer MLPs (ReLU) trained from different
seeds whose logits are averaged; the ensemble is written as ONE wider MLP (hidden layers side by side, output weights divided
by the ensemble size), so the graph stays Gemm -> Relu -> Gemm. The head with the best mean dev macro-F1 ships.

Inputs (in WORK, made by the README steps): domain_rows.jsonl + .f32 (embed.mjs), ood_<set>.jsonl + .f32 and
mini_<set>.jsonl (`semroute classify` of the shipped model) for the three OOD domain sets.
Hand-written rows (--hw-weight W, default 0 = not used): the 3,485 hand-written domain training prompts of
../domain_handwritten/ (WORK/hw_rows.jsonl + .f32: `domain_rows.py --handwritten`, then embed.mjs) join the training rows
with loss weight W each (class counts for the balancing are weighted the same way, so W = 1 is the same as having them
among the rows). --seed-base N starts the ensemble's seeds at N (a second seed set for the same settings).
Usage: python3 fit_tower.py WORK [--grid] [--hw-weight W] [--seed-base N]   → WORK/tower_head.npz (W, b for a regression; W1, b1, W2, b2 for an MLP),
WORK/tower_selection.json
"""
import itertools, json, os, sys
import numpy as np, torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from common import DOMAINS as LABELS, jl  # noqa: E402
from ood_select import ece_top, half_of, macro_f1  # noqa: E402  (models/eval's halves, macro-F1 and ECE)
from mlp_head import fold_members, tower_logits  # noqa: E402

torch.set_num_threads(1)  # the machine is shared
WORK = sys.argv[1]
L = {l: i for i, l in enumerate(LABELS)}
SETS = ['exam_qa_more', 'domain_dev', 'hw_domain_chat']
ARGS = sys.argv[2:]
HW_WEIGHT = float(ARGS[ARGS.index('--hw-weight') + 1]) if '--hw-weight' in ARGS else 0.0
SEED_BASE = int(ARGS[ARGS.index('--seed-base') + 1]) if '--seed-base' in ARGS else 0
SCALE = 10.0  # sentence vectors are unit length: scale them so a plain LR with default init learns quickly (folded into the ONNX weights)


def load():
    rows = jl(f'{WORK}/domain_rows.jsonl'); X = np.fromfile(f'{WORK}/domain_rows.f32', np.float32).reshape(len(rows), 512)
    y = np.array([L[r['label']] for r in rows]); tr = np.array([r['split'] == 'train' for r in rows])
    X, y, sw = X[tr], y[tr], np.ones(int(tr.sum()), np.float32)
    if HW_WEIGHT:
        hw = jl(f'{WORK}/hw_rows.jsonl'); H = np.fromfile(f'{WORK}/hw_rows.f32', np.float32).reshape(len(hw), 512)
        X = np.concatenate([X, H]); y = np.concatenate([y, [L[r['label']] for r in hw]])
        sw = np.concatenate([sw, np.full(len(hw), HW_WEIGHT, np.float32)])
        print(f'{len(hw)} hand-written rows, weight {HW_WEIGHT:g}', flush=True)
    ood = {}
    for s in SETS:
        rr = jl(f'{WORK}/ood_{s}.jsonl'); E = np.fromfile(f'{WORK}/ood_{s}.f32', np.float32).reshape(len(rr), 512)
        P = np.array([[m['categoryScores'][l] for l in LABELS] for m in jl(f'{WORK}/mini_{s}.jsonl')])
        ood[s] = dict(E=E, P=P, h=np.array([half_of(r) for r in rr]), g=np.array([L[r['category']] for r in rr]))
    return X, y, sw, ood


def class_weights(y, sw, balance):
    cnt = np.bincount(y, weights=sw, minlength=14)
    return torch.tensor((cnt.sum() / (14 * cnt)) ** balance, dtype=torch.float32)


def fit(m, Xt, yt, st, w, wd, epochs, lr):
    """AdamW, batches of 256 in a fresh random order each epoch, cross-entropy weighted by class (w) and row (st); with
    every row weight 1 this is cross_entropy(weight=w), the weighted mean."""
    opt = torch.optim.AdamW(m.parameters(), lr=lr, weight_decay=wd)
    for _ in range(epochs):
        perm = torch.randperm(len(yt))
        for b in range(0, len(yt), 256):
            i = perm[b:b + 256]
            rw = w[yt[i]] * st[i]
            loss = (torch.nn.functional.cross_entropy(m(Xt[i]), yt[i], reduction='none') * rw).sum() / rw.sum()
            opt.zero_grad(); loss.backward(); opt.step()


def train(X, y, sw, wd, epochs, balance, seed=0):
    torch.manual_seed(seed)
    m = torch.nn.Linear(512, 14)
    fit(m, torch.tensor(X) * SCALE, torch.tensor(y), torch.tensor(sw), class_weights(y, sw, balance), wd, epochs, lr=3e-3)
    return m.weight.detach().numpy() * SCALE, m.bias.detach().numpy()


def train_mlp_ensemble(X, y, sw, wd, epochs, balance, hidden, dropout, members, lr=2e-3):
    """`members` one-hidden-layer ReLU MLPs (seeds SEED_BASE.. +members-1) folded into one MLP whose logits are their mean."""
    Xt = torch.tensor(X) * SCALE; yt = torch.tensor(y); st = torch.tensor(sw); w = class_weights(y, sw, balance); parts = []
    for seed in range(SEED_BASE, SEED_BASE + members):
        torch.manual_seed(seed)
        m = torch.nn.Sequential(torch.nn.Linear(512, hidden), torch.nn.ReLU(), torch.nn.Dropout(dropout), torch.nn.Linear(hidden, 14))
        fit(m, Xt, yt, st, w, wd, epochs, lr)
        parts.append([p.detach().numpy() for p in (m[0].weight, m[0].bias, m[3].weight, m[3].bias)])
    head = fold_members(parts)
    head['W1'] = head['W1'] * SCALE
    return head


def blended(head, d, k, weight, T):
    z = tower_logits(head, d['E'][k]); z -= z.max(1, keepdims=True); lt = z - np.log(np.exp(z).sum(1, keepdims=True))
    lp = ((1 - weight) * np.log(np.clip(d['P'][k], 1e-9, 1)) + weight * lt) / T
    lp -= lp.max(1, keepdims=True); P = np.exp(lp); return P / P.sum(1, keepdims=True)


def evaluate(head, ood, weight, T, part):
    out = {}
    for s, d in ood.items():
        k = d['h'] == part; P = blended(head, d, k, weight, T)
        out[s] = {'macro_f1': macro_f1(d['g'][k], P.argmax(1)), 'ece': ece_top(P, d['g'][k]), 'n': int(k.sum())}
    return out


if __name__ == '__main__':
    X, y, sw, ood = load()
    # (kind, weight decay, epochs, class-balance power[, hidden, dropout, members])
    grid = ([('lr', wd, ep, bal) for wd, ep, bal in itertools.product([0.01, 0.1], [4, 10], [0.0, 0.5, 1.0])] +
            [('mlp', 0.1, 4, 1.0, 256, 0.3, 4), ('mlp', 0.1, 6, 1.0, 128, 0.3, 4), ('mlp', 0.1, 4, 0.5, 256, 0.1, 4)]
            if '--grid' in sys.argv else [('mlp', 0.1, 4, 1.0, 256, 0.3, 4)])
    best = None
    for cfg in grid:
        if cfg[0] == 'lr':
            W, b = train(X, y, sw, *cfg[1:]); head = {'W': W, 'b': b}
        else:
            head = train_mlp_ensemble(X, y, sw, *cfg[1:])
        for weight in (0.5, 0.6, 0.7, 0.8, 0.9, 1.0):
            r = evaluate(head, ood, weight, 1.0, 'dev'); mean = np.mean([v['macro_f1'] for v in r.values()])
            print(f'{cfg} weight={weight}: mean dev macro-F1 {mean:.4f}', {s: round(v['macro_f1'], 3) for s, v in r.items()}, flush=True)
            if best is None or mean > best[0]: best = (mean, cfg, weight, head)
    mean, cfg, weight, head = best
    # Temperature of the blend: the one with the lowest mean ECE over the three dev sets (argmax unchanged by T).
    temps = np.round(np.arange(0.5, 3.01, 0.05), 2)
    eces = [np.mean([v['ece'] for v in evaluate(head, ood, weight, T, 'dev').values()]) for T in temps]
    T = float(temps[int(np.argmin(eces))])
    names = ['head', 'weight_decay', 'epochs', 'class_balance_power', 'hidden', 'dropout', 'ensemble_members']
    sel = {'chosen_on': 'OOD dev half (models/eval halves): exam_qa_more, domain_dev, hw_domain_chat',
           **dict(zip(names, ('logistic_regression' if cfg[0] == 'lr' else 'mlp_ensemble',) + cfg[1:])),
           'hand_written_weight': HW_WEIGHT, 'seed_base': SEED_BASE,
           'blend_weight': weight, 'blend_temperature': T,
           'dev': evaluate(head, ood, weight, T, 'dev'),
           'dev_tower_alone': evaluate(head, ood, 1.0, 1.0, 'dev'), 'dev_shipped_alone': evaluate(head, ood, 0.0, 1.0, 'dev')}
    print(json.dumps(sel, indent=1))
    np.savez(f'{WORK}/tower_head.npz', **{k: v.astype(np.float32) for k, v in head.items()})
    json.dump(sel, open(f'{WORK}/tower_selection.json', 'w'), indent=1)
