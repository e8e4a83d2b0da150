"""Rebuild a torch checkpoint (work/runs/NAME/best.pt) from a shipped fp32 ONNX graph, so a later training stage can start
from the committed model when the training checkpoints (git-ignored, under work/) are gone — e.g. on a fresh machine.

Usage: python3 recover_from_onnx.py [--model ../semroute-mini] [--run shipped]

Parameters used as they are (embeddings, norms, head output layers) are initializers named `m.<param>`. Linear weights
are `W.<param>` (transposed) in graphs written by export_onnx.build_graph; graphs from torch.onnx.export (models shipped
before 2026-12-02's second export) hold them as anonymous `onnx::MatMul_N` constants, mapped back here by walking the
MatMul nodes in forward order. The result is checked: torch logits must match the reference ONNX outputs on fixed
inputs (max |diff| <= 1e-4, all three heads; padded PII positions are not compared). Training-only parameters
(distill_proj, mlm_bias) are not in the graph and keep their init.
"""
import argparse
import json
import os
import sys

import numpy as np
import onnx
import torch
from onnx import numpy_helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import WORK
from model import SemrouteModel


def linear_weight_names(model):
    """The bias-free Linear weights in forward order, as the exporter meets them (per layer Wqkv, Wo, Wi, Wmo; then the
    domain and jailbreak head dense layers; then the PII head's output layer, whose bias stays a named initializer)."""
    names = []
    for i in range(model.cfg["layers"]):
        names += [f"layers.{i}.Wqkv.weight", f"layers.{i}.Wo.weight", f"layers.{i}.Wi.weight", f"layers.{i}.Wmo.weight"]
    names += ["domain_head.dense.weight", "jailbreak_head.dense.weight", "pii_head.1.weight"]
    return names


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default=os.path.join(here, "..", "semroute-mini"))
    ap.add_argument("--run", default="shipped")
    a = ap.parse_args()
    mcfg = json.load(open(os.path.join(a.model, "eval.json")))["model"]["config"]
    g = onnx.load(os.path.join(a.model, "onnx", "model.onnx")).graph
    inits = {i.name: numpy_helper.to_array(i) for i in g.initializer}
    model = SemrouteModel(dict(mcfg))
    sd = model.state_dict()
    new = {}
    for k, v in inits.items():
        if k.startswith("m.") and k[2:] in sd:
            new[k[2:]] = torch.from_numpy(v.copy())
    if any(k.startswith("W.") for k in inits):  # export_onnx.build_graph: named, transposed
        for k, v in inits.items():
            if k.startswith("W.") and k[2:] in sd:
                new[k[2:]] = torch.from_numpy(v.T.copy())
    else:  # torch.onnx.export: anonymous MatMul weight constants, in the order the graph consumes them
        matmul_consts = []
        for n in g.node:
            if n.op_type == "MatMul":
                for inp in n.input:
                    if inp in inits and not inp.startswith("m.") and inp not in matmul_consts:
                        matmul_consts.append(inp)
        want = linear_weight_names(model)
        if len(matmul_consts) != len(want):
            sys.exit(f"expected {len(want)} MatMul weight constants, found {len(matmul_consts)}: the graph layout changed")
        for name, const in zip(want, matmul_consts):
            new[name] = torch.from_numpy(inits[const].T.copy())
    for name, w in new.items():
        if tuple(w.shape) != tuple(sd[name].shape):
            sys.exit(f"{name}: the graph holds shape {tuple(w.shape)}, the model needs {tuple(sd[name].shape)}")
    missing = [k for k in sd if k not in new]
    if any(not (k.startswith("distill_proj") or k == "mlm_bias") for k in missing):
        sys.exit(f"parameters not recovered: {missing}")
    model.load_state_dict({**sd, **new})
    model.eval()
    # check against ONNX Runtime through the reference inputs the pipeline wrote
    ref = json.load(open(os.path.join(a.model, "reference", "reference_logits.json")))
    worst = 0.0
    with torch.no_grad():
        for case in ref["cases"]:
            ids = torch.tensor(case["input_ids"], dtype=torch.long)
            am = torch.tensor(case["attention_mask"], dtype=torch.long)
            dom, jb, pii, _, _, _ = model(ids, am)
            for out, t in (("domain_logits", dom), ("jailbreak_logits", jb), ("pii_logits", pii)):
                want, got = np.array(case["torch_fp32"][out]), t.numpy()
                if out == "pii_logits":  # padded positions of a batch are not compared (their values are arbitrary)
                    keep = np.array(case["attention_mask"], dtype=bool)
                    want, got = want[keep], got[keep]
                worst = max(worst, float(np.abs(want - got).max()))
    print(f"recovered {len(new)} tensors; max |torch - onnx fp32| over {len(ref['cases'])} reference cases: {worst:.2e}")
    if worst > 1e-4:
        sys.exit("recovered weights do not reproduce the ONNX graph")
    rd = os.path.join(WORK, "runs", a.run)
    os.makedirs(rd, exist_ok=True)
    # keep the shipped model's provenance (run, step, validation) so a re-finalized card still names where it came from
    shipped = json.load(open(os.path.join(a.model, "eval.json")))["model"]
    torch.save({"model": model.state_dict(), "step": shipped.get("step"), "val": shipped.get("val_at_checkpoint"), "cfg": dict(mcfg),
                "run_name": shipped.get("run"), "recovered_from_onnx": os.path.relpath(os.path.join(a.model, "onnx", "model.onnx"), here),
                **{k: shipped[k] for k in ("ngram", "pii_ngram", "jb_ngram") if k in shipped}},
               os.path.join(rd, "best.pt"))
    print(f"wrote {os.path.join(rd, 'best.pt')}")


if __name__ == "__main__":
    main()
