"""Collect validation histories of all runs under work/runs into work/variants.json (for the card)."""
import json, os, sys
import torch
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import WORK

NOTES = {"main": "stage 1 (GloVe init, multi-task)", "chat": "stage 2 from main best (chat PII + casual domain data)", "chat2": "stage 3 from chat best (233 PII carriers) - shipped", "v_glove": "GloVe-100d init of whole-word rows",
         "v_scratch": "random init", "smoke": "pipeline smoke test (100-step schedule)"}
rows = []
for run in sorted(os.listdir(os.path.join(WORK, "runs"))):
    p = os.path.join(WORK, "runs", run, "last.pt")
    if not os.path.exists(p):
        continue
    ck = torch.load(p, map_location="cpu")
    cfgp = os.path.join(WORK, "runs", run, "config.json")
    args = json.load(open(cfgp))["args"] if os.path.exists(cfgp) else {}
    for h in ck["history"]:
        rows.append({"variant": run, "init": args.get("init"), "schedule_steps": args.get("steps"), "step": h["step"],
                     "domain_acc": h["domain_acc"], "jailbreak_auc": h["jailbreak_auc"], "pii_f1": h["pii_f1"], "score": h["score"],
                     "note": NOTES.get(run, "")})
    if not ck["history"]:
        rows.append({"variant": run, "init": args.get("init"), "schedule_steps": args.get("steps"), "step": ck["step"],
                     "domain_acc": float("nan"), "jailbreak_auc": float("nan"), "pii_f1": float("nan"), "score": float("nan"),
                     "note": NOTES.get(run, "") + " (stopped before its first validation)"})
extra = os.path.join(WORK, "variants_notes.md")
out = {"rows": rows, "notes": open(extra).read().strip() if os.path.exists(extra) else ""}
json.dump(out, open(os.path.join(WORK, "variants.json"), "w"), indent=1)
print(json.dumps(rows, indent=0)[:2000])
