"""Collect validation histories of all runs under work/runs into work/variants.json (for the card). Rows of runs whose
checkpoints are no longer on disk (an earlier machine) are kept from the existing file."""
import json, os, sys
import torch
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import WORK

NOTES = {"main": "stage 1 (GloVe init, multi-task)", "chat": "stage 2 from main best (chat PII + casual domain data)", "chat2": "stage 3 from chat best (233 PII carriers); averaged with cm1 into the shipped weights", "chat3": "fine-tune of chat2, lr 2e-4, 1,000 steps (dropped)", "v_glove": "GloVe-100d init of whole-word rows",
         "v_scratch": "random init", "smoke": "pipeline smoke test (100-step schedule)",
         "cm1": "stage 4 from chat2: PII context masking 0.3, lr 2e-4 (stopped at 2,418)",
         "v2_scratch": "like-for-like 1,200 steps: random init",
         "v2_glove": "like-for-like 1,200 steps: GloVe-100d init of whole-word rows",
         "v2_glove_mlm": "like-for-like 1,200 steps: GloVe init, first 400 steps masked-LM on all training texts"}
out_path = os.path.join(WORK, "variants.json")
old_rows = json.load(open(out_path))["rows"] if os.path.exists(out_path) else []
on_disk = {r for r in os.listdir(os.path.join(WORK, "runs")) if os.path.exists(os.path.join(WORK, "runs", r, "last.pt"))}
rows = [r for r in old_rows if r["variant"] not in on_disk]
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
old_notes = json.load(open(out_path)).get("notes", "") if os.path.exists(out_path) else ""
out = {"rows": rows, "notes": open(extra).read().strip() if os.path.exists(extra) else old_notes}
json.dump(out, open(out_path, "w"), indent=1)
print(json.dumps(rows, indent=0)[:2000])
