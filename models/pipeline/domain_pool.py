"""Unlabelled prompt pool for distilling the domain n-gram path from the USE-lite tower (train_domain_ood.py --teacher).

Writes work/domain_pool/pool.jsonl: {"text", "src"} per line, deterministic. Real instructions and questions that people
(or, for alpaca-libre, an instruction generator seeded by people's tasks) send to an assistant, none labelled with a
domain; the tower's probabilities become their soft labels (teacher_probs.mjs). Sources (licences in
../shared/data/jailbreak/SOURCES.md and models/DATA.md):
  * mobarski/alpaca-libre (CC0 data): every task's instruction (+ its input, when it has one), status "ok" only
  * yizhongw/self-instruct (Apache-2.0): seed tasks (175) and user-oriented instructions (252)
  * f/awesome-chatgpt-prompts (CC0-1.0): the prompts ("Act as ..." role-play), minus the 16 jailbreak-like ones
  * lm-sys/FastChat (Apache-2.0): MT-bench and Vicuna-bench questions (first turn)
  * Dolly-15k open_qa (CC-BY-SA-3.0, copy prp-e/chinkara-openqa-dataset @ 6720f527): the questions
Dedup (normalised text as build_extra.py: lower-case alphanumeric runs; and any shared 12-word shingle): against EVERY
text of ../shared/data/dev-ood (all kinds: domain, jailbreak, PII — AlpacaEval, for one, contains self-instruct and
Vicuna prompts), every hand-written eval set in models/eval/handwritten, MMLU-Pro, and the labelled extra rows
(work/use_lite/domain_extra.jsonl, which hold Dolly open_qa rows with a hard label); then within the pool.
Usage: python3 domain_pool.py [--out PATH]

  python3 domain_pool.py --openstax [--out PATH]   (default work/domain_pool/paras.jsonl)
writes instead body paragraphs of the OpenStax textbooks build_extra.py reads (the same CC-BY-4.0 commits, checked the
same way, and the same chapter filter for American Government; plus their exercises' books without in-repo exercises:
philosophy, world history, Python, intellectual property), {"text", "label" (the book's subject, a weak label), "src"}:
<para> elements outside exercises and examples, 15-120 words, no figure/table/math/code inside, that do not point
outside themselves (build_extra.OUTSIDE_REF); at most PARAS_PER_BOOK per book (in sha1 order); deduplicated as above.
"""
import csv
import glob
import hashlib
import json
import os
import re
import subprocess
import sys
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = os.environ.get("SEMROUTE_SHARED", "/work/shared")
RAW = f"{SHARED}/data/jailbreak/raw"
MIRROR = os.environ.get("SEMROUTE_MIRROR", "/work/.mirror")
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(HERE, "use_lite", "extra"))
import build_extra as B  # noqa: E402  (the labelled extra rows: their text normalisation, shingles, books and licence checks)
from build_extra import norm, shingles  # noqa: E402
from common import jl  # noqa: E402
OUT = os.path.join(HERE, "work", "domain_pool", "pool.jsonl")
EXTRA = os.path.join(HERE, "work", "use_lite", "domain_extra.jsonl")
# prepare_data.prepare_jailbreak's test for jailbreak-like "Act as" prompts (kept out of the pool as there)
JAILBREAK_LIKE = re.compile(r"\b(dan|jailbreak|jailbroken|no restrictions|unfiltered|uncensored|ignore (all|previous)|developer mode)\b", re.I)


def all_strings(x):
    """Every string inside a JSON value (eval rows keep their text under different keys)."""
    if isinstance(x, str):
        yield x
    elif isinstance(x, dict):
        for v in x.values():
            yield from all_strings(v)
    elif isinstance(x, list):
        for v in x:
            yield from all_strings(v)


def reference_texts():
    files = sorted(glob.glob(f"{SHARED}/data/dev-ood/**/*.jsonl", recursive=True))
    files += sorted(glob.glob(os.path.join(REPO, "models/eval/handwritten/*.jsonl")))
    files += sorted(glob.glob(f"{SHARED}/data/mmlu-pro/*.jsonl"))
    out = []
    for f in files:
        for line in open(f, encoding="utf-8"):
            if line.strip():
                out += [s for s in all_strings(json.loads(line)) if len(s) >= 20]
    if os.path.exists(EXTRA):
        out += [r["text"] for r in jl(EXTRA)]
    return out


def candidates():
    rows = []
    for f in sorted(glob.glob(f"{RAW}/mobarski+alpaca-libre/*.jsonl")):
        for line in open(f, encoding="utf-8"):
            try:
                x = json.loads(line)
            except json.JSONDecodeError:
                continue  # 14 malformed lines in v2 (SOURCES.md)
            if x.get("status") == "ok" and x.get("instruction"):
                rows.append((x["instruction"] + ("\n" + x["input"] if x.get("input") else ""), "alpaca-libre"))
    for f in ("seed_tasks.jsonl", "user_oriented_instructions.jsonl"):
        for x in jl(f"{RAW}/yizhongw+self-instruct/{f}"):
            inp = (x.get("instances") or [{}])[0].get("input", "")
            rows.append((x["instruction"] + ("\n" + inp if inp else ""), "self-instruct"))
    csv.field_size_limit(10**9)
    with open(f"{RAW}/f+awesome-chatgpt-prompts/prompts.csv", encoding="utf-8") as fh:
        for x in csv.DictReader(fh):
            if x.get("prompt") and not JAILBREAK_LIKE.search(x["prompt"]):
                rows.append((x["prompt"], "awesome-chatgpt-prompts"))
    for f in ("mt_bench_question.jsonl", "vicuna_bench_question.jsonl"):
        for x in jl(f"{RAW}/lm-sys+FastChat/{f}"):
            rows.append((x["turns"][0] if "turns" in x else x.get("text", ""), "fastchat"))
    repo, commit, path = B.DOLLY_OPENQA
    blob = subprocess.run(["git", "-C", f"{MIRROR}/{repo}/repo", "show", f"{commit}:{path}"], capture_output=True,
                          text=True, check=True).stdout
    for line in blob.splitlines():
        if line.strip():
            m = re.match(r"### Human:\s*(.*?)\s*### Assistant:", json.loads(line)["text"], re.S)
            if m:
                rows.append((m.group(1), "dolly-open_qa"))
    return [(re.sub(r"[ \t]+", " ", t).strip(), s) for t, s in rows if t and t.strip()]


PARAS_PER_BOOK = 1200


def openstax_paragraphs():
    rows = []
    for name, commit, label, *chapters in B.OPENSTAX:
        repo = B.Repo(name)
        commit = repo.resolve(commit)
        B.check_cc_by(repo, commit)
        modules = repo.ls(commit, "modules")
        if chapters:
            wanted = B.chapter_modules(repo, commit, chapters[0])
            modules = [m for m in modules if m in wanted]
        book = []
        for mod in modules:
            path = f"{mod}/index.cnxml"
            try:
                root = B.ET.fromstring(repo.show(commit, path))
            except (FileNotFoundError, B.ET.ParseError):
                continue
            inside = {id(el) for tag in ("exercise", "example", "note") for ex in root.iter(B.C + tag) for el in ex.iter()}
            for para in root.iter(B.C + "para"):
                if id(para) in inside or any(el.tag in B.SKIP_TAGS for el in para.iter()):
                    continue
                t = B.clean("".join(para.itertext()))
                if 15 <= len(t.split()) <= 120 and not B.OUTSIDE_REF.search(t) and re.search(r"[a-zA-Z]{3}", t):
                    book.append({"text": t, "label": label, "src": f"{repo.slug}@{commit}:{path}:{label}"})
        repo.close()
        book.sort(key=lambda r: hashlib.sha1(norm(r["text"]).encode()).hexdigest())
        rows += book[:PARAS_PER_BOOK]
    return rows


def main():
    paras = "--openstax" in sys.argv
    out_path = sys.argv[sys.argv.index("--out") + 1] if "--out" in sys.argv else (OUT.replace("pool.jsonl", "paras.jsonl") if paras else OUT)
    ref = reference_texts()
    ref_norm = {norm(t) for t in ref}
    ref_sh = set()
    for t in ref:
        ref_sh |= shingles(t)
    if paras:
        rows = [(r["text"], r["src"].split("@")[0], r) for r in openstax_paragraphs()]
    else:
        rows = [(t, s, {"text": t, "src": s}) for t, s in candidates()]
    rows.sort(key=lambda r: hashlib.sha1(norm(r[0]).encode()).hexdigest())
    seen_norm, seen_sh, kept, drop, n_kept = set(), set(), [], Counter(), Counter()
    for text, src, row in rows:
        n, sh = norm(text), shingles(text)
        if len(n) < 8:
            drop[(src, "too_short")] += 1
        elif n in ref_norm or sh & ref_sh:
            drop[(src, "in_eval_or_labelled")] += 1
        elif n in seen_norm or sh & seen_sh:
            drop[(src, "internal_duplicate")] += 1
        else:
            seen_norm.add(n)
            seen_sh |= sh
            kept.append(row)
            n_kept[src] += 1
    os.makedirs(os.path.dirname(out_path), exist_ok=True)
    with open(out_path, "w", encoding="utf-8") as f:
        for r in kept:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    print(json.dumps({"kept": n_kept, "dropped": {f"{s}:{w}": n for (s, w), n in sorted(drop.items())},
                      "total": len(kept)}, indent=1))


if __name__ == "__main__":
    main()
