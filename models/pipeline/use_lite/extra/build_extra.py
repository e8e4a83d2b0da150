#!/usr/bin/env python3
"""Rebuild domain_extra.jsonl (extra labelled domain prompts for the USE-lite tower) from local git mirrors (deterministic).

Sources (details, licences and mapping rules in SOURCES.md next to this file):
  * OpenStax textbooks (CC-BY-4.0 at the pinned commit): end-of-chapter / in-chapter exercise stems, label = book's subject
  * GSM8K (openai/grade-school-math, MIT): math word problems -> math
  * Dolly-15k open_qa (databricks, CC-BY-SA-3.0; copy prp-e/chinkara-openqa-dataset): -> other, subject-looking rows dropped

Every row: {"text", "label", "src": "owner/repo@commit:path[:subject]"}.
Dedup: against /work/shared/data/dev-ood/domain/*.jsonl and /work/shared/data/mmlu-pro/*.jsonl (normalised equality and any
shared 12-word shingle), and within the output (same rules, first kept in deterministic order).
Usage: python3 build_extra.py [--out PATH]   (single process, a few seconds of CPU)
"""
import glob
import hashlib
import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections import Counter, defaultdict

import os
HERE = os.path.dirname(os.path.abspath(__file__))
# Git mirrors of the source repositories (the `fetch` tool writes them there), and where the rows go (git-ignored work dir).
MIRROR = os.environ.get("SEMROUTE_MIRROR", "/work/.mirror")
OUT = os.path.join(HERE, "..", "..", "work", "use_lite", "domain_extra.jsonl")
STATS = os.path.join(HERE, "build_stats.json")
CAP_PER_LABEL = 3000
LABELS = {"biology", "business", "chemistry", "computer science", "economics", "engineering", "health", "history", "law",
          "math", "other", "philosophy", "physics", "psychology"}

# (mirror dir, commit, label, why this commit). For books OpenStax relicensed to CC-BY-NC-SA in 2026 the commit is the
# parent of the relicensing commit, where both LICENSE and every collection's <md:license> still say CC-BY-4.0
# (asserted below at build time).
OPENSTAX = [
    ("openstax+osbooks-principles-economics-bundle", "cd31beb103fffbc09cc81ebfe117d8c40cc12d1a", "economics"),
    ("openstax+osbooks-introduction-python-programming", "d6d069bb24677a375aa28a574bd506d4b893cfdf", "computer science"),
    ("openstax+osbooks-introduction-intellectual-property", "be76c2d982080df077b6f7f7f784d0bbbc37ee8b", "law"),
    ("openstax+osbooks-chemistry-bundle", "32c719622fbb7a0ca729cd645c1df4cf4e7d5b3a", "chemistry"),
    ("openstax+osbooks-university-physics-bundle", "db44eb99e9aa1d918fd8cf182f82ccdece9c7b11", "physics"),
    ("openstax+osbooks-us-history", "046331cfcea0ac1b1a8fd461b3e6aae638845af3", "history"),
    ("openstax+osbooks-world-history", "3e17beda9130380d24be881e6d1942dfcc1be845", "history"),
    ("openstax+osbooks-psychology", "e061043bf2f9e86ace51c4e8dc9555160f60a99d", "psychology"),
    ("openstax+osbooks-introduction-philosophy", "d7bd4f0f520529b3ad83272448a9c2be25c9040a", "philosophy"),
    ("openstax+osbooks-anatomy-physiology", "b0058a743bdd2cc08196abaaa7d5469970c0d80c", "health"),
    ("openstax+osbooks-microbiology", "ecf34dad129d686703780e87ab5aa2e59c577a6a", "biology"),
    ("openstax+osbooks-college-algebra-bundle", "4922e46ebc04326979e19392ccc2384cb8b9076c", "math"),
    ("openstax+osbooks-principles-finance", "PARENT:c802474325f10146c2ba1ca9af727b7940c19772", "business"),
    ("openstax+osbooks-principles-marketing", "PARENT:3659194af32bdee4d53ac8280fa6389246774b08", "business"),
    ("openstax+osbooks-business-ethics", "PARENT:658a300b1049320d1b524a70089dc2c6007fbdcb", "business"),
    ("openstax+osbooks-entrepreneurship", "PARENT:f54bbd3a726559e99e1b66604f7eae9d12fce12a", "business"),
    ("openstax+osbooks-astronomy", "63157f370b09c06a4cc12832384aaaf4de1ced3b", "physics"),
    ("openstax+osbooks-introductory-statistics-bundle", "50ec91749080bb040b57bb40c34337cacc994cba", "math"),
    # American Government: only the chapters on constitutional law, civil liberties/rights and the courts, as law;
    # the other chapters (politics, elections, media, policy...) are not used. 3e (before the 4e update of 2025-05-30,
    # which was relicensed NC-SA on 2025-06-10), as for Introduction to Business 2e.
    ("openstax+osbooks-american-government", "9ca5ca7ddc1ee5fddbd51b15b946ce8feeea5852", "law",
     {"The Constitution and Its Origins", "Civil Liberties", "Civil Rights", "The Courts"}),
]
GSM8K = ("openai+grade-school-math", "3101c7d5072418e28b9008a6636bde82a006892c",
         ["grade_school_math/data/train.jsonl", "grade_school_math/data/test.jsonl"])
DOLLY_OPENQA = ("prp-e+chinkara-openqa-dataset", "6720f527aa8da8318e57f3667ffbba23a8a196bb", "chinkara-open_qa.jsonl")
OPENTDB = ("kickturn+opentdb-scraper", "40221acc1fc3440a5c2b07621cbd05460e4eafac", "opentdb.json")
# OpenTDB category -> label. Categories not listed ("Science & Nature", "Animals", "Politics": mixed or no matching
# subject) are dropped.
OPENTDB_MAP = {
    "Science: Computers": "computer science", "History": "history", "Science: Mathematics": "math",
    "General Knowledge": "other", "Geography": "other", "Sports": "other", "Celebrities": "other", "Vehicles": "other",
    "Art": "other", "Mythology": "other", "Science: Gadgets": "other",
}
ODS = ("patmorin+ods", "9d22c44906dda2017b2ef0c762025bee644b58aa", "latex")  # Open Data Structures -> computer science
# most rows any one source may give to one label (keeps a mix of sources inside a label)
SOURCE_CAP = {"openai/grade-school-math": 2000, "prp-e/chinkara-openqa-dataset": 2000, "kickturn/opentdb-scraper": 1000}

NS = {"c": "http://cnx.rice.edu/cnxml", "m": "http://www.w3.org/1998/Math/MathML"}
C = "{%s}" % NS["c"]
M = "{%s}" % NS["m"]


# ------------------------------------------------------------------------------------------------------------ git access
class Repo:
    def __init__(self, name):
        self.name = name
        self.gd = f"{MIRROR}/{name}/repo"
        self.slug = name.replace("+", "/", 1)
        self._cat = None

    def git(self, *args):
        return subprocess.run(["git", "--git-dir", self.gd, *args], check=True, capture_output=True).stdout

    def resolve(self, commit):
        if commit.startswith("PARENT:"):
            return self.git("rev-parse", commit[7:] + "^").decode().strip()
        return commit

    def ls(self, commit, path):
        out = self.git("ls-tree", "--name-only", commit, path.rstrip("/") + "/").decode().split("\n")
        return sorted(p for p in out if p)

    def show(self, commit, path):
        if self._cat is None:
            self._cat = subprocess.Popen(["git", "--git-dir", self.gd, "cat-file", "--batch"], stdin=subprocess.PIPE,
                                         stdout=subprocess.PIPE)
        self._cat.stdin.write(f"{commit}:{path}\n".encode())
        self._cat.stdin.flush()
        header = self._cat.stdout.readline().decode()
        if header.endswith("missing\n"):
            raise FileNotFoundError(f"{self.slug}@{commit}:{path}")
        size = int(header.split()[2])
        data = self._cat.stdout.read(size)
        self._cat.stdout.read(1)
        return data

    def close(self):
        if self._cat:
            self._cat.stdin.close()
            self._cat.wait()


# ------------------------------------------------------------------------------------------------------------- cleaning
WS = re.compile(r"\s+")


def clean(s):
    return WS.sub(" ", s.replace("\u00a0", " ")).strip()


def norm(s):
    return " ".join(re.findall(r"[a-z0-9]+", s.lower()))


def shingles(s, k=12):
    w = norm(s).split()
    return {hashlib.md5(" ".join(w[i:i + k]).encode()).digest()[:8] for i in range(0, max(0, len(w) - k + 1))}


# ------------------------------------------------------------------------------------------------------------- OpenStax
# A stem that points outside itself cannot be understood alone: drop it.
OUTSIDE_REF = re.compile(
    r"\b(figure|table|graph|chart|diagram|image|picture|photo|map|exhibit|video|website|web site|link|url|click|"
    r"chapter|section|module|above|below|preceding|previous|prior (problem|exercise|question)|in this (unit|text|book)|"
    r"the text|textbook|feature box|case study|refer to|shown|illustrated|exercise \d|problem \d|example \d)\b", re.I)
SKIP_TAGS = {C + t for t in ("media", "figure", "table", "image", "link", "code", "preformat", "equation")} | {M + "math"}


def problem_text(problem):
    """Stem paragraphs of an exercise's <problem> (+ its option list if short), or None when not self-contained."""
    for el in problem.iter():
        if el.tag in SKIP_TAGS:
            return None
    paras, options = [], []
    for child in problem:
        if child.tag == C + "para":
            if child.find(f".//{C}list") is not None:
                # options nested inside the paragraph
                head = clean(child.text or "")
                lst = child.find(f".//{C}list")
                items = [clean("".join(it.itertext())) for it in lst.findall(f"{C}item")]
                paras.append(head)
                options.extend(items)
            else:
                paras.append(clean("".join(child.itertext())))
        elif child.tag == C + "list":
            options.extend(clean("".join(it.itertext())) for it in child.findall(f"{C}item"))
        elif child.tag in (C + "title", C + "label"):
            continue
        else:
            return None  # other block content (notes, sections): unusual, skip
    stem = clean(" ".join(p for p in paras if p))
    if options:
        if len(options) > 6 or any(len(o) > 200 or not o for o in options):
            return None
        stem = stem + " " + " ".join(f"({chr(97 + i)}) {o}" for i, o in enumerate(options))
    stem = clean(stem)
    if not (30 <= len(stem) <= 1200) or len(stem.split()) < 6 or OUTSIDE_REF.search(stem):
        return None
    if not re.search(r"[a-zA-Z]{3}", stem):
        return None
    return stem


def check_cc_by(repo, commit):
    lic = repo.show(commit, "LICENSE").decode("utf-8", "replace").lstrip()
    assert lic.startswith("Attribution 4.0 International"), (repo.slug, commit, lic[:60])
    for coll in repo.ls(commit, "collections"):
        x = repo.show(commit, coll).decode("utf-8", "replace")
        urls = re.findall(r'<md:license url="([^"]*)"', x)
        assert urls and all(re.fullmatch(r"https?://creativecommons.org/licenses/by/4.0/?", u) for u in urls), (
            repo.slug, commit, coll, urls)


COL = "{http://cnx.rice.edu/collxml}"
MD = "{http://cnx.rice.edu/mdml}"


def chapter_modules(repo, commit, chapters):
    """modules/<id> paths under the collection subcollections whose title is in `chapters`."""
    keep = set()
    for coll in repo.ls(commit, "collections"):
        root = ET.fromstring(repo.show(commit, coll))
        for sub in root.iter(COL + "subcollection"):
            title = sub.find(MD + "title")
            if title is not None and clean(title.text or "") in chapters:
                keep |= {"modules/" + m.get("document") for m in sub.iter(COL + "module")}
    assert keep, (repo.slug, chapters)
    return keep


# Questions the books' authors ask in their running text (feature boxes, "think like a ..." prompts, section openers):
# a sentence of a <para> that ends in "?", 40-300 characters, >= 7 words, not pointing outside itself (OUTSIDE_REF), not
# starting with a word that leans on the sentence before it, and not a quotation. Not taken from the math and physics books
# (their labels are already full with exercises).
PROSE_SKIP_LABELS = {"math", "physics"}
LEANS_ON_CONTEXT = re.compile(r"^(but|so|and|or|then|yet|if so|this|that|these|those|it|they|he|she|his|her|their|its|"
                              r"here|there|why not|what about|how about|what else|which one|in (this|that|these|those))\b", re.I)
SENTENCE = re.compile(r"(?<=[.?!])\s+(?=[A-Z\u201c\"])")


def prose_questions(root):
    for p in root.iter(C + "para"):
        if any(el.tag in SKIP_TAGS for el in p.iter()):
            continue
        for s in SENTENCE.split(clean("".join(p.itertext()))):
            if (s.endswith("?") and 40 <= len(s) <= 300 and len(s.split()) >= 7 and not OUTSIDE_REF.search(s)
                    and not LEANS_ON_CONTEXT.match(s) and not re.search(r"[\u201c\u201d\"\[\]]|:", s)
                    and re.match(r"[A-Z]", s)):
                yield s


def openstax_rows(stats):
    out = []
    for name, commit, label, *chapters in OPENSTAX:
        repo = Repo(name)
        commit = repo.resolve(commit)
        check_cc_by(repo, commit)
        n_ex = n_ok = n_prose = 0
        modules = repo.ls(commit, "modules")
        if chapters:
            wanted = chapter_modules(repo, commit, chapters[0])
            modules = [m for m in modules if m in wanted]
        for mod in modules:
            path = f"{mod}/index.cnxml"
            try:
                root = ET.fromstring(repo.show(commit, path))
            except (FileNotFoundError, ET.ParseError):
                continue
            for ex in root.iter(C + "exercise"):
                n_ex += 1
                pr = ex.find(C + "problem")
                if pr is None:
                    continue
                t = problem_text(pr)
                if t:
                    n_ok += 1
                    out.append({"text": t, "label": label, "src": f"{repo.slug}@{commit}:{path}:{label}"})
            if label not in PROSE_SKIP_LABELS:
                for q in prose_questions(root):
                    n_prose += 1
                    out.append({"text": q, "label": label, "src": f"{repo.slug}@{commit}:{path}:{label}:prose_question"})
        stats["openstax"][f"{repo.slug}@{commit}"] = {"label": label, "exercises": n_ex, "kept_stems": n_ok,
                                                      "prose_questions": n_prose}
        repo.close()
    return out


# ---------------------------------------------------------------------------------------------------------------- GSM8K
def gsm8k_rows(stats):
    name, commit, paths = GSM8K
    repo = Repo(name)
    out = []
    for p in paths:
        for line in repo.show(commit, p).decode().splitlines():
            if line.strip():
                q = clean(json.loads(line)["question"])
                out.append({"text": q, "label": "math", "src": f"{repo.slug}@{commit}:{p}:math"})
    repo.close()
    stats["gsm8k_rows"] = len(out)
    return out


# ------------------------------------------------------------------------------------------------------ Dolly open_qa
# Rule: a Dolly open_qa question is "other" unless it mentions a subject term from one of the 13 subjects below; those
# rows are DROPPED (not relabelled): general-knowledge / everyday / pop-culture / sport / travel / food questions remain.
SUBJECT_TERMS = re.compile(r"\b(" + "|".join([
    # biology / health
    r"biolog\w*", r"cells?", r"gene\w*", r"dna", r"rna", r"protein\w*", r"species", r"evolution\w*", r"organism\w*",
    r"bacteri\w*", r"virus\w*", r"enzyme\w*", r"photosynthesis", r"mammals?", r"animals?", r"plants?", r"insects?",
    r"fish", r"birds?", r"dogs?", r"cats?", r"health\w*", r"disease\w*", r"medic\w*", r"doctor\w*", r"symptom\w*",
    r"cancer", r"diet\w*", r"nutrition\w*", r"vitamin\w*", r"sleep", r"exercis\w*", r"body", r"blood", r"heart",
    r"brain", r"illness", r"pain", r"drugs?", r"vaccin\w*", r"covid\w*", r"hospital\w*", r"calories?",
    # physical sciences / engineering / cs / math
    r"chemi\w*", r"molecul\w*", r"atoms?", r"atomic", r"elements?", r"acids?", r"physic\w*", r"energy", r"gravity",
    r"quantum", r"relativity", r"electric\w*", r"magnet\w*", r"light", r"speed", r"force", r"temperature",
    r"engineer\w*", r"machine\w*", r"engine\w*", r"circuit\w*", r"computer\w*", r"software", r"program\w*",
    r"algorithm\w*", r"code", r"coding", r"python", r"java\w*", r"database\w*", r"internet", r"network\w*",
    r"data", r"ai", r"artificial", r"cloud", r"math\w*", r"number\w*", r"equation\w*", r"calcul\w*", r"geometry",
    r"algebra", r"statistic\w*", r"probability", r"prime", r"sum", r"triangle\w*", r"polygon\w*",
    # social sciences, humanities, law, business
    r"econom\w*", r"inflation", r"gdp", r"market\w*", r"stocks?", r"invest\w*", r"financ\w*", r"money", r"bank\w*",
    r"tax\w*", r"interest", r"business\w*", r"compan\w*", r"corporat\w*", r"startup\w*", r"management", r"marketing",
    r"law\w*", r"legal\w*", r"court\w*", r"constitution\w*", r"crime\w*", r"criminal", r"rights?", r"contract\w*",
    r"histor\w*", r"war\w*", r"empire\w*", r"century", r"ancient", r"king\w*", r"queen\w*", r"dynasty", r"revolution\w*",
    r"president\w*", r"philosoph\w*", r"ethic\w*", r"moral\w*", r"religio\w*", r"god\w*", r"meaning of life",
    r"psycholog\w*", r"emotion\w*", r"mental", r"anxiety", r"depression", r"behavio\w*", r"personality",
]) + r")\b", re.I)


# Second list (added after inspecting the kept rows): technology, finance and medical words the first list missed
# (Dolly was written by Databricks staff: many Spark / cloud questions).
MORE_SUBJECT_TERMS = re.compile(r"(?<![\w+#])(" + "|".join([
    r"spark", r"pyspark", r"databricks", r"delta", r"lakehouse", r"dlt", r"kafka", r"kubernetes", r"k8s", r"docker",
    r"apis?", r"sql", r"nosql", r"linux", r"unix", r"freebsd", r"windows", r"macos", r"ios", r"android", r"[cg]pus?",
    r"servers?", r"serverless", r"aws", r"azure", r"gcp", r"eks", r"ecs", r"hdfs", r"hadoop", r"etl", r"json", r"xml",
    r"html", r"css", r"php", r"abap", r"ado", r"raid", r"imap", r"iaas", r"paas", r"saas", r"gpt", r"llms?",
    r"chatgpt", r"blockchain", r"bitcoin", r"crypto\w*", r"web\w*", r"apps?", r"spyware", r"malware", r"hack\w*",
    r"cyber\w*", r"encrypt\w*", r"passwords?", r"tcp", r"ip", r"https?", r"dns", r"wifi", r"usb", r"laptops?",
    r"smartphones?", r"robot\w*", r"tech\w*", r"digital", r"c\+\+", r"c#", r"h2o", r"co2", r"apr", r"fdic", r"ftx",
    r"prices?", r"pricing", r"costs?", r"loans?", r"mortgages?", r"credit", r"debt", r"salar\w*", r"ira", r"401k",
    r"capitalis\w*", r"socialis\w*", r"communis\w*", r"crispr", r"nsaids?", r"hipaa", r"surgery", r"therap\w*",
    r"medication\w*", r"chemical\w*", r"planet\w*", r"solar", r"universe", r"climate", r"weather", r"electron\w*",
]) + r")(?![\w+#])", re.I)


def dolly_rows(stats):
    name, commit, path = DOLLY_OPENQA
    repo = Repo(name)
    out, dropped = [], 0
    for line in repo.show(commit, path).decode().splitlines():
        if not line.strip():
            continue
        t = json.loads(line)["text"]
        m = re.match(r"### Human:(.*?)### Assistant:", t, re.S)
        if not m:
            continue
        q = clean(m.group(1))
        if len(q) < 12:
            continue
        if SUBJECT_TERMS.search(q) or MORE_SUBJECT_TERMS.search(q):
            dropped += 1
            continue
        out.append({"text": q, "label": "other", "src": f"{repo.slug}@{commit}:{path}:open_qa"})
    repo.close()
    stats["dolly_open_qa"] = {"kept": len(out), "dropped_subject_terms": dropped}
    return out


# ---------------------------------------------------------------------------------------- Open Data Structures (LaTeX)
LATEX_SUBS = [(r"\\ldots|\\cdots|\\dots", "..."), (r"\\in\b", " in "), (r"\\le(q)?\b", " <= "), (r"\\ge(q)?\b", " >= "),
              (r"\\times\b", " x "), (r"\\bmod\b", " mod "), (r"\\neq?\b", " != "), (r"\\[{}]", ""), (r"~", " "),
              (r"``|''", '"')]


def delatex(s):
    s = re.sub(r"%.*", "", s)
    s = re.sub(r"\\(index|exclabel|label|cite)\{[^}]*\}", "", s)
    s = s.replace("#", "")
    for a, b in LATEX_SUBS:
        s = re.sub(a, b, s)
    s = re.sub(r"\\(emph|textit|textbf|texttt|mathit|mathrm|mathbf|mathtt|text)\{([^{}]*)\}", r"\2", s)
    s = re.sub(r"\\([a-zA-Z]+)", r"\1", s)  # remaining macros: keep the name (min, log, lceil...)
    s = s.replace("$", "").replace("{", "").replace("}", "")
    return clean(s)


def ods_rows(stats):
    name, commit, folder = ODS
    repo = Repo(name)
    out = []
    for path in repo.ls(commit, folder):
        if not path.endswith(".tex"):
            continue
        tex = repo.show(commit, path).decode("utf-8", "replace")
        for m in re.finditer(r"\\begin\{exc\}(.*?)\\end\{exc\}", tex, re.S):
            body = m.group(1)
            if re.search(r"\\\w*ref\b|\\(begin|item)\b|Exercise|Figure|Section|Chapter", body):
                continue
            t = delatex(body)
            if 30 <= len(t) <= 1000 and not OUTSIDE_REF.search(t):
                out.append({"text": t, "label": "computer science", "src": f"{repo.slug}@{commit}:{path}:exercise"})
    repo.close()
    stats["ods_exercises_kept"] = len(out)
    return out


# -------------------------------------------------------------------------------------------------------------- OpenTDB
def opentdb_rows(stats):
    import html
    name, commit, path = OPENTDB
    repo = Repo(name)
    data = json.loads(repo.show(commit, path))
    items = data["results"] if isinstance(data, dict) else data
    out, cats = [], Counter()
    for q in items:
        cat = html.unescape(q["category"])
        label = OPENTDB_MAP.get(cat) or (cat.startswith("Entertainment: ") and "other")
        cats[(cat, label or "dropped")] += 1
        if not label:
            continue
        text = clean(html.unescape(q["question"]))
        if q["type"] == "boolean":
            text = "True or false: " + text
        elif re.search(r"\bwhich (one )?of (these|the following)\b", text, re.I):
            opts = sorted(clean(html.unescape(o)) for o in [q["correct_answer"], *q["incorrect_answers"]])
            text = text + " " + " ".join(f"({chr(97 + i)}) {o}" for i, o in enumerate(opts))
        out.append({"text": text, "label": label, "src": f"{repo.slug}@{commit}:{path}:{cat}"})
    repo.close()
    stats["opentdb_categories"] = {f"{c} -> {l}": n for (c, l), n in sorted(cats.items())}
    return out


# ---------------------------------------------------------------------------------------------------------------- dedup
def reference_texts():
    texts = []
    handwritten = os.path.join(HERE, "..", "..", "..", "eval", "handwritten", "*.jsonl")  # models/eval's own sets
    for f in sorted(glob.glob("/work/shared/data/dev-ood/domain/*.jsonl")) + sorted(
            glob.glob("/work/shared/data/mmlu-pro/*.jsonl")) + sorted(glob.glob(handwritten)):
        for line in open(f, encoding="utf-8"):
            if line.strip():
                x = json.loads(line)
                texts.append(x.get("text") or x.get("question") or "")
    return texts


def main():
    out_path = sys.argv[sys.argv.index("--out") + 1] if "--out" in sys.argv else OUT
    stats = {"openstax": {}}
    rows = openstax_rows(stats) + gsm8k_rows(stats) + dolly_rows(stats) + opentdb_rows(stats) + ods_rows(stats)
    assert all(r["label"] in LABELS for r in rows)
    ref = reference_texts()
    ref_norm = {norm(t) for t in ref}
    ref_sh = set()
    for t in ref:
        ref_sh |= shingles(t)
    # deterministic order: by hash of the normalised text (mixes sources and books before the per-label cap)
    rows.sort(key=lambda r: hashlib.sha1((r["label"] + "|" + norm(r["text"])).encode()).hexdigest())
    seen_norm, seen_sh = set(), set()
    kept, drop = [], Counter()
    per_label, per_src_label = Counter(), Counter()
    src_kind = lambda r: r["src"].split("@")[0]
    for r in rows:
        n = norm(r["text"])
        sh = shingles(r["text"])
        if n in ref_norm:
            drop[(src_kind(r), "eval_or_mmlupro_exact")] += 1
            continue
        if sh & ref_sh:
            drop[(src_kind(r), "eval_or_mmlupro_shingle12")] += 1
            continue
        if n in seen_norm or sh & seen_sh:
            drop[(src_kind(r), "internal_duplicate")] += 1
            continue
        if per_label[r["label"]] >= CAP_PER_LABEL:
            drop[(src_kind(r), "over_label_cap")] += 1
            continue
        if per_src_label[(src_kind(r), r["label"])] >= SOURCE_CAP.get(src_kind(r), CAP_PER_LABEL):
            drop[(src_kind(r), "over_source_cap")] += 1
            continue
        per_src_label[(src_kind(r), r["label"])] += 1
        seen_norm.add(n)
        seen_sh |= sh
        per_label[r["label"]] += 1
        kept.append(r)
    kept.sort(key=lambda r: (r["label"], r["src"], r["text"]))
    with open(out_path, "w", encoding="utf-8") as f:
        for r in kept:
            f.write(json.dumps({"text": r["text"], "label": r["label"], "src": r["src"]}, ensure_ascii=False) + "\n")
    by_src_label = Counter((src_kind(r), r["label"]) for r in kept)
    stats["rows_per_label"] = dict(sorted(per_label.items()))
    stats["rows_per_source_label"] = {f"{s} | {l}": n for (s, l), n in sorted(by_src_label.items())}
    stats["dropped"] = {f"{s} | {why}": n for (s, why), n in sorted(drop.items())}
    stats["total"] = len(kept)
    json.dump(stats, open(STATS, "w"), indent=1)
    print(json.dumps(stats, indent=1))


if __name__ == "__main__":
    main()
