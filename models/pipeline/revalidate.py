"""Re-validate a run's best.pt on the CURRENT validation data (which grows when data sources are added), so runs
trained on different data versions can be compared like for like.  Usage: python3 revalidate.py RUN [RUN...]
Writes revalidated.json beside this script {run: {step, domain_acc, jailbreak_auc, pii_f1, score, note}} — committed, so the card's
like-for-like table survives a fresh machine (the runs under work/ are git-ignored)."""
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sr_tokenizer as T
from common import WORK
from model import SemrouteModel
from train import CONT, load_data, validate

torch.set_num_threads(int(os.environ.get("THREADS", "1")))
tok = T.load(os.path.join(WORK, "tokenizer", "tokenizer.json"))
CONT.update({i: t.startswith("##") for t, i in tok.vocab.items()})
data = load_data(tok)
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "revalidated.json")
out = json.load(open(path)) if os.path.exists(path) else {}
for run in sys.argv[1:]:
    ck = torch.load(os.path.join(WORK, "runs", run, "best.pt"), map_location="cpu")
    model = SemrouteModel(ck["cfg"])
    model.load_state_dict(ck["model"])
    v = validate(model, data, torch.device("cpu"))
    note = out.get(run, {}).get("note")  # a hand-written note (what the run was) survives re-validation
    out[run] = dict(v, step=ck["step"], **({"note": note} if note else {}))
    print(run, json.dumps(out[run]))
json.dump(out, open(path, "w"), indent=1, ensure_ascii=False)
