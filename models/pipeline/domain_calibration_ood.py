"""Domain calibration choices on the OUT-OF-DISTRIBUTION dev half, side by side (issue 23: ECE <= 0.05 without routing
most prompts to the fallback).

  python3 domain_calibration_ood.py RUN [--temperatures 1,2,...]

Reads work/runs/RUN/ood_dev.json (train_domain_ood.py: the chosen head's torch fp32 logits on the runtime's domain window
of every dev-half prompt of exam_qa_more, domain_dev and hw_domain_chat). For each temperature, without and with an
isotonic confidence map fitted on the same dev prompts (finalize.fit_confidence_map, the map finalize.py
--calibrate-domain-on-ood ships), per set as models/eval/run.mjs scores it: ECE of the top class (10 equal-width bins),
macro-F1 as routed (top probability below the default config's 0.4 -> `other`) and the share of prompts sent to `other` by
that fallback. The NLL-optimal temperature (finalize.fit_temperature, what finalize.py chooses) is marked. Prints a table.
"""
import argparse
import json
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from common import DOMAINS, WORK, softmax  # noqa: E402
from finalize import apply_confidence_map, fit_confidence_map, fit_temperature  # noqa: E402
from ood_select import ece_top, macro_f1  # noqa: E402

SETS = ("exam_qa_more", "domain_dev", "hw_domain_chat")
FALLBACK, THRESHOLD = DOMAINS.index("other"), 0.4


def scores(p, y, sets):
    out = {}
    for s in SETS:
        m = sets == s
        routed = np.where(p[m].max(1) < THRESHOLD, FALLBACK, p[m].argmax(1))
        out[s] = {"macro_f1": macro_f1(list(y[m]), list(p[m].argmax(1))),
                  "macro_f1_routed": macro_f1(list(y[m]), list(routed)), "ece": ece_top(p[m], y[m]),
                  "to_other": float(((p[m].max(1) < THRESHOLD) & (p[m].argmax(1) != FALLBACK)).mean())}
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("run")
    ap.add_argument("--temperatures", default="1,1.5,2,2.5,3,3.5,4,5,6")
    a = ap.parse_args()
    d = json.load(open(os.path.join(WORK, "runs", a.run, "ood_dev.json")))
    logits, y, sets = np.array(d["dev_logits"]), np.array(d["dev_y"]), np.array(d["dev_sets"])
    t_nll = fit_temperature(logits, y, hi=30.0)
    temps = sorted({float(t) for t in a.temperatures.split(",")} | {round(t_nll, 3)})
    print(f"run {a.run}: NLL-optimal temperature on the dev half {t_nll:.3f}")
    print("T      map | " + " | ".join(f"{s[:14]:>14} F1 routed ECE other%" for s in SETS) + " | mean routed F1, mean ECE")
    res = []
    for t in temps:
        p = softmax(logits / t)
        cmap = fit_confidence_map(p.max(1), p.argmax(1) == y)
        for name, q in (("none", p), ("iso", apply_confidence_map(p, cmap))):
            sc = scores(q, y, sets)
            mr = np.mean([sc[s]["macro_f1_routed"] for s in SETS])
            me = np.mean([sc[s]["ece"] for s in SETS])
            res.append({"temperature": t, "map": name, "cmap": cmap if name == "iso" else None, "sets": sc,
                        "mean_routed": mr, "mean_ece": me})
            mark = "*" if abs(t - round(t_nll, 3)) < 1e-9 else " "
            print(f"{t:5.3f}{mark} {name:>4} | " + " | ".join(
                f"{sc[s]['macro_f1']:.3f} {sc[s]['macro_f1_routed']:.3f} {sc[s]['ece']:.3f} {100 * sc[s]['to_other']:4.1f}"
                for s in SETS) + f" | {mr:.3f} {me:.3f}")
    json.dump(res, open(os.path.join(WORK, "runs", a.run, "calibration_ood.json"), "w"), indent=1)


if __name__ == "__main__":
    main()
