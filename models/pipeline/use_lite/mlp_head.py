"""The tower heads' MLP arithmetic, shared by fit_tower.py (domain) and fit_jb_tower.py (jailbreak): an ensemble of
one-hidden-layer ReLU MLPs written as ONE wider MLP (hidden layers side by side, output weights divided by the ensemble
size, biases averaged), so its logits are the members' mean and the graph stays Gemm -> Relu -> Gemm (build_tower.py)."""
import numpy as np


def fold_members(parts):
    """parts: one (W1 [hidden, 512], b1 [hidden], W2 [outputs, hidden], b2 [outputs]) per member -> the folded head."""
    return {'W1': np.concatenate([p[0] for p in parts]), 'b1': np.concatenate([p[1] for p in parts]),
            'W2': np.concatenate([p[2] for p in parts], 1) / len(parts), 'b2': np.mean([p[3] for p in parts], 0)}


def tower_logits(head, E):
    """The head's logits for sentence vectors E, as the graph computes them (a regression: W, b; an MLP: W1 ... b2)."""
    if 'W1' in head:
        return np.maximum(E @ head['W1'].T + head['b1'], 0) @ head['W2'].T + head['b2']
    return E @ head['W'].T + head['b']


def head_from_graph(initializers, prefix):
    """A head as a built tower graph stores it (build_tower.py: initializers `<prefix>_W1` ... `<prefix>_b2`, or
    `<prefix>_W` / `<prefix>_b` for a regression, each weight matrix transposed for Gemm) -> the head as fitted (the
    transposition undone), with only the keys the graph has. `initializers`: name -> array."""
    return {k: (initializers[f'{prefix}_{k}'].T if k[0] == 'W' else initializers[f'{prefix}_{k}'])
            for k in ('W1', 'b1', 'W2', 'b2', 'W', 'b') if f'{prefix}_{k}' in initializers}
