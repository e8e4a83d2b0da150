"""Fit the USE-lite domain tower: a logistic regression on frozen USE-lite sentence vectors of the pipeline's domain mix
(train split), then the blend with the shipped domain head (weight, temperature) chosen on the OOD dev half only.

Inputs (in WORK, made by the README steps): domain_rows.jsonl + .f32 (embed.mjs), ood_<set>.jsonl + .f32 and
mini_<set>.jsonl (`semroute classify` of the shipped model) for the three OOD domain sets.
Usage: python3 fit_tower.py WORK [--grid]   → WORK/tower_head.npz, WORK/tower_selection.json
"""
import itertools, json, os, sys
import numpy as np, torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from common import DOMAINS as LABELS, jl  # noqa: E402
from ood_select import half_of, macro_f1  # noqa: E402  (models/eval's halves and macro-F1)

torch.set_num_threads(2)
WORK = sys.argv[1]
L = {l: i for i, l in enumerate(LABELS)}
SETS = ['exam_qa_more', 'domain_dev', 'hw_domain_chat']
SCALE = 10.0  # sentence vectors are unit length: scale them so a plain LR with default init learns quickly (folded into the ONNX weights)


def ece(g, P):
    top = P.argmax(1); conf = P.max(1); e = 0.0
    for b in range(10):
        m = np.minimum(9, np.floor(conf * 10)) == b
        if m.sum(): e += m.sum() / len(g) * abs(conf[m].mean() - (top[m] == g[m]).mean())
    return float(e)


def load():
    rows = jl(f'{WORK}/domain_rows.jsonl'); X = np.fromfile(f'{WORK}/domain_rows.f32', np.float32).reshape(len(rows), 512)
    y = np.array([L[r['label']] for r in rows]); tr = np.array([r['split'] == 'train' for r in rows])
    ood = {}
    for s in SETS:
        rr = jl(f'{WORK}/ood_{s}.jsonl'); E = np.fromfile(f'{WORK}/ood_{s}.f32', np.float32).reshape(len(rr), 512)
        P = np.array([[m['categoryScores'][l] for l in LABELS] for m in jl(f'{WORK}/mini_{s}.jsonl')])
        ood[s] = dict(E=E, P=P, h=np.array([half_of(r) for r in rr]), g=np.array([L[r['category']] for r in rr]))
    return X[tr], y[tr], ood


def train(X, y, wd, epochs, balance, seed=0):
    torch.manual_seed(seed)
    Xt = torch.tensor(X) * SCALE; yt = torch.tensor(y)
    m = torch.nn.Linear(512, 14)
    cnt = np.bincount(y, minlength=14); w = torch.tensor((cnt.sum() / (14 * cnt)) ** balance, dtype=torch.float32)
    opt = torch.optim.AdamW(m.parameters(), lr=3e-3, weight_decay=wd)
    for _ in range(epochs):
        perm = torch.randperm(len(yt))
        for b in range(0, len(yt), 256):
            i = perm[b:b + 256]
            loss = torch.nn.functional.cross_entropy(m(Xt[i]), yt[i], weight=w)
            opt.zero_grad(); loss.backward(); opt.step()
    return m.weight.detach().numpy() * SCALE, m.bias.detach().numpy()


def blended(W, b, d, k, weight, T):
    z = d['E'][k] @ W.T + b; z -= z.max(1, keepdims=True); lt = z - np.log(np.exp(z).sum(1, keepdims=True))
    lp = ((1 - weight) * np.log(np.clip(d['P'][k], 1e-9, 1)) + weight * lt) / T
    lp -= lp.max(1, keepdims=True); P = np.exp(lp); return P / P.sum(1, keepdims=True)


def evaluate(W, b, ood, weight, T, part):
    out = {}
    for s, d in ood.items():
        k = d['h'] == part; P = blended(W, b, d, k, weight, T)
        out[s] = {'macro_f1': macro_f1(d['g'][k], P.argmax(1)), 'ece': ece(d['g'][k], P), 'n': int(k.sum())}
    return out


if __name__ == '__main__':
    X, y, ood = load()
    grid = list(itertools.product([0.01, 0.1], [4, 10], [0.0, 0.5])) if '--grid' in sys.argv else [(0.1, 10, 0.5)]
    best = None
    for wd, ep, bal in grid:
        W, b = train(X, y, wd, ep, bal)
        for weight in (0.5, 0.6, 0.7, 0.8, 1.0):
            r = evaluate(W, b, ood, weight, 1.0, 'dev'); mean = np.mean([v['macro_f1'] for v in r.values()])
            print(f'wd={wd} epochs={ep} balance={bal} weight={weight}: mean dev macro-F1 {mean:.3f}', {s: round(v['macro_f1'], 3) for s, v in r.items()}, flush=True)
            if best is None or mean > best[0]: best = (mean, wd, ep, bal, weight, W, b)
    mean, wd, ep, bal, weight, W, b = best
    # Temperature of the blend: the one with the lowest mean ECE over the three dev sets (argmax unchanged by T).
    temps = np.round(np.arange(0.5, 3.01, 0.05), 2)
    eces = [np.mean([v['ece'] for v in evaluate(W, b, ood, weight, T, 'dev').values()]) for T in temps]
    T = float(temps[int(np.argmin(eces))])
    sel = {'chosen_on': 'OOD dev half (models/eval halves): exam_qa_more, domain_dev, hw_domain_chat',
           'weight_decay': wd, 'epochs': ep, 'class_balance_power': bal, 'blend_weight': weight, 'blend_temperature': T,
           'dev': evaluate(W, b, ood, weight, T, 'dev'),
           'dev_tower_alone': evaluate(W, b, ood, 1.0, 1.0, 'dev'), 'dev_shipped_alone': evaluate(W, b, ood, 0.0, 1.0, 'dev')}
    print(json.dumps(sel, indent=1))
    np.savez(f'{WORK}/tower_head.npz', W=W.astype(np.float32), b=b.astype(np.float32))
    json.dump(sel, open(f'{WORK}/tower_selection.json', 'w'), indent=1)
