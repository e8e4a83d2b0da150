"""Dev-half evaluation of the natural_ner recognizer on top of the shipped runtime's spans, simulating exactly what the
registry does (packages/core/src/signals/pii-ner.ts): the model's and span rules' spans of `drop_model_types` go, the
NER spans at or above `threshold` are rescored (`reported_score`) and grow over the rest of an organisation's name
(`grow_names`), each replaces the spans it overlaps, then the pattern recognizers' spans replace any span
they overlap; spans under the config's PII threshold are not reported. Scored like models/eval/run.mjs: exact-span micro P/R/F1 over the types a set annotates, GPE = LOCATION.

Usage (figures of a trained file): python3 select_ner.py NER_BIN RUNTIME_SPANS.jsonl
"""
import itertools
import json
import os
import re
import sys

import numpy as np

import ner_features as N

ALIAS = {"GPE": "LOCATION"}
# The config's PII threshold (global.classifier.pii.threshold in the default config): the runtime reports, and routing
# decisions count, only spans scoring at least this, so an NER span under it can still replace the spans it overlaps
# but is not found (runtime_spans.mjs dumps the same cut of the other spans)
_DEFAULT_CONFIG = os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../../packages/core/config/default.yaml")
_found = re.search(r"\bpii: \{threshold: ([0-9.]+)", open(_DEFAULT_CONFIG).read())
if not _found:
    raise SystemExit(f"cannot find global.classifier.pii.threshold ('pii: {{threshold: X') in {_DEFAULT_CONFIG}")
PII_THRESHOLD = float(_found.group(1))
THRESHOLDS = (0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 0.6, 0.7)
DROPS = ((), ("ORGANIZATION",), ("GPE", "ORGANIZATION"), ("PERSON", "GPE", "ORGANIZATION"))


def cp_index(text, utf16):
    """UTF-16 offset -> code-point offset."""
    units = 0
    for i, ch in enumerate(text):
        if units >= utf16:
            return i
        units += 2 if ord(ch) > 0xFFFF else 1
    return len(text)


def load_dev(path, cluster_of=None):
    """runtime_spans.mjs rows with gold spans in code points, tokens and features (cluster_of: the file's cluster lookup)."""
    rows = []
    for line in open(path):
        r = json.loads(line)
        t = r["text"]
        gold_types = {e["type"] for e in r["entities"] if "derived" not in e}
        r["gold"] = {(e["type"], cp_index(t, e["start"]), cp_index(t, e["end"])) for e in r["entities"] if e["type"] in gold_types}
        r["toks"] = N.tokenize(t)
        r["feats"] = N.token_features(t, r["toks"], cluster_of)
        rows.append(r)
    types = {}
    for r in rows:
        types.setdefault(r["set"], set()).update(g[0] for g in r["gold"])
    for r in rows:
        r["annotated"] = types[r["set"]]
    return rows


def ner_spans(nf, r):
    header, W = nf.header, nf.w
    B = header["buckets"]
    bk = r.get(("buckets", B))  # the features do not change between epochs: hash them once per row and table size
    if bk is None:
        bk = r[("buckets", B)] = np.array(N.buckets_of(r["feats"], B), dtype=np.int64).reshape(len(r["feats"]), -1)
    if len(bk) == 0:
        return []
    lg = (W[bk].astype(np.float32) * np.asarray(header["scales"], np.float32)).sum(1)
    return N.decode({**header, "threshold": 0.0}, r["toks"], lg.astype(np.float32))


# packages/core/src/signals/pii-refine.ts COMPANY_WORD and INSTITUTION_WORD, character for character (pii-ner.test.ts
# checks that they still are)
COMPANY_WORD = r"^(?:inc|incorporated|corp|corporation|co|company|ltd|limited|llc|llp|plc|gmbh|ag|kg|ab|as|a\/s|asa|aps|ba|oy|oyj|sa|sas|sarl|srl|s\.r\.l|spa|s\.p\.a|bv|b\.v|nv|n\.v|tbk|bt|kft|zrt|nyrt|s\.r\.o|a\.s|ltda|group|gruppen|gruppe|holding|holdings|bank|hospital|university|insurance|clinic|pharmacy|partners|associates|foundation|institute|college)\.?$"
INSTITUTION_WORD = r"^(?:press|publishing|publishers|council|cinemas?|airlines?|airways|labs?|laboratories|studios?|agency|ministry|department|administration|authority|bakery|restaurant|hotels?|motors|logistics|systems|technologies|solutions|services|consulting|academy|school|library|museum|club|society|association|union|committee|commission|bureau|industries|media|records)\.?$"
_COMPANY, _INSTITUTION = re.compile(COMPANY_WORD, re.I), re.compile(INSTITUTION_WORD, re.I)
_CAP = r"[A-Z]\w*(?:[.'’-]\w+)*"  # pii-ner.ts CAP ([\p{L}\p{N}\p{M}_]; Python's \w leaves out some combining marks)
_CAP_JOINED = _CAP + r"(?: (?:(?:of|for|and|&|the|de) )?" + _CAP + r")*"
_OF_TAIL = re.compile(r" of(?: the)? " + _CAP_JOINED)
_AFTER_OF = re.compile(r" " + _CAP_JOINED)
_CAP_RUN = re.compile(r" " + _CAP + r"(?: " + _CAP + r"){0,3}")


def is_organisation_word(w):
    """pii-refine.ts isOrganisationWord."""
    return bool((_COMPANY.match(w) and (len(re.sub(r"\W", "", w)) > 3 or w != w.lower())) or (_INSTITUTION.match(w) and w != w.lower()))


def grow_names(text, ner):
    """pii-ner.ts growNerNames over [(type, start, end, score)] sorted and disjoint (code points here, UTF-16 there:
    the same for the texts these rules read unless an astral character sits inside a grown name)."""
    out, i = [], 0
    while i < len(ner):
        typ, start, end, score = ner[i]
        i += 1

        def grow_to(to):
            nonlocal end, i
            end = max(end, to)
            while i < len(ner) and ner[i][1] < end:
                end = max(end, ner[i][2])
                i += 1
        words = text[start:end].split()
        if words and is_organisation_word(words[-1]):
            typ = "ORGANIZATION"
        m = _CAP_RUN.match(text, end)
        if m:
            ws = m.group(0)[1:].split(" ")
            k = max((k for k in range(len(ws)) if is_organisation_word(ws[k])), default=None)
            if k is not None:
                typ = "ORGANIZATION"
                grow_to(end + 1 + len(" ".join(ws[:k + 1])))
        if typ == "ORGANIZATION":
            if end - start > 3 and text[start:end].endswith(" of"):
                m = _AFTER_OF.match(text, end)
                if m:
                    grow_to(end + len(m.group(0)))
                else:
                    end -= 3
            else:
                m = _OF_TAIL.match(text, end)
                if m:
                    grow_to(end + len(m.group(0)))
        out.append((typ, start, end, score))
    return out


def reported_score(score, threshold):
    """pii-ner.ts nerReportedScore: the file's threshold maps linearly onto the shipped default PII threshold (pii-patterns.ts
    CONFIDENT_SPAN_SCORE, the same 0.4 as PII_THRESHOLD by default), 1 onto 1."""
    return score if threshold >= 1 else 0.4 + (score - threshold) * (1 - 0.4) / (1 - threshold)


def overlaps(a, b):
    return a[1] < b[2] and b[1] < a[2]


MERGES = ("replace", "fill", "score")


def merged(r, ner, threshold, drop, merge="replace"):
    """merge: replace = a NER span replaces every span it overlaps; fill = it is added only where no span overlaps it;
    score = it replaces the spans it overlaps when its score is at least each of theirs, else it is left out."""
    spans = [(s["type"], s["start"], s["end"], s["score"]) for s in r["pii"] if not s["pattern"]]
    pats = [(s["type"], s["start"], s["end"]) for s in r["pii"] if s["pattern"]]
    spans = [s for s in spans if s[0] not in drop]
    for t, s, e, sc in grow_names(r["text"], [tuple(n) for n in ner if n[3] >= threshold]):
        sc = reported_score(sc, threshold)
        n = (t, s, e, sc)
        hit = [x for x in spans if overlaps(x, n)]
        if hit and (merge == "fill" or (merge == "score" and any(x[3] > sc for x in hit))):
            continue
        spans = [x for x in spans if not overlaps(x, n)] + [n]
    spans = [x[:3] for x in spans if x[3] >= PII_THRESHOLD]
    spans = [x for x in spans if not any(overlaps(x, p) for p in pats)] + pats
    return spans


def score(rows, preds):
    per = {}
    for r, p in zip(rows, preds):
        c = per.setdefault(r["set"], [0, 0, 0])
        pred = {(ALIAS.get(t, t), s, e) for t, s, e in p if ALIAS.get(t, t) in r["annotated"]}
        c[0] += len(pred & r["gold"])
        c[1] += len(pred - r["gold"])
        c[2] += len(r["gold"] - pred)
    out = {}
    for k, (tp, fp, fn) in sorted(per.items()):
        p = tp / (tp + fp) if tp + fp else 0.0
        rc = tp / (tp + fn) if tp + fn else 0.0
        out[k] = round(2 * p * rc / (p + rc), 4) if p + rc else 0.0
    return out


def evaluate(nf, rows):
    ner = [ner_spans(nf, r) for r in rows]
    res = []
    for th, drop, merge in itertools.product(THRESHOLDS, DROPS, MERGES):
        f1 = score(rows, [merged(r, n, th, drop, merge) for r, n in zip(rows, ner)])
        res.append({"setting": f"threshold {th}, drop {','.join(drop) or '-'}, merge {merge}", "threshold": th, "drop_model_types": list(drop), "merge": merge,
                    "per_set_f1": f1, "objective": round(float(np.mean(list(f1.values()))), 4)})
    return res


def baseline(rows):
    return score(rows, [[(s["type"], s["start"], s["end"]) for s in r["pii"]] for r in rows])


if __name__ == "__main__":
    nf = N.read_file(sys.argv[1])
    rows = load_dev(sys.argv[2], nf.cluster_of)
    print("runtime alone:", baseline(rows))
    for ev in sorted(evaluate(nf, rows), key=lambda e: -e["objective"])[:8]:
        print(ev["setting"], ev["objective"], ev["per_set_f1"])
