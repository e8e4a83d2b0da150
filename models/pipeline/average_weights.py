"""Uniform weight average ("model soup") of runs' best checkpoints that share one initialisation, written as a new run.
Averaging a fine-tune with the weights it started from keeps most of what the fine-tune gained while undoing part of its
drift on the other tasks (2026-12-02: shipped + context-mask fine-tune, validation PII F1 0.533 -> 0.552, domain 0.733 -> 0.732).
Usage: python3 average_weights.py OUT_RUN RUN_A RUN_B [RUN_C ...]   (writes work/runs/OUT_RUN/best.pt, then finalize.py --run OUT_RUN)
A RUN is a run name (its best.pt) or RUN/stepN.pt (a snapshot kept by train.py --snapshots)."""
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import WORK


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    out, runs = sys.argv[1], sys.argv[2:]
    cks = [torch.load(os.path.join(WORK, "runs", r if r.endswith(".pt") else os.path.join(r, "best.pt")), map_location="cpu") for r in runs]
    if any(c["cfg"] != cks[0]["cfg"] for c in cks):
        sys.exit("the runs have different model configurations; only runs fine-tuned from one another can be averaged")
    keys = cks[0]["model"].keys()
    sd = {k: (sum(c["model"][k].float() for c in cks) / len(cks)).to(cks[0]["model"][k].dtype)
          if cks[0]["model"][k].is_floating_point() else cks[0]["model"][k] for k in keys}
    parts = [f"run {r} step {c.get('step')}" for r, c in zip(runs, cks)]
    os.makedirs(os.path.join(WORK, "runs", out), exist_ok=True)
    torch.save({"model": sd, "cfg": cks[0]["cfg"], "step": None, "val": None, "run_name": out,
                "composition": "uniform weight average of " + ", ".join(parts)}, os.path.join(WORK, "runs", out, "best.pt"))
    print(f"wrote {os.path.join(WORK, 'runs', out, 'best.pt')} = mean of {', '.join(parts)}")


if __name__ == "__main__":
    main()
