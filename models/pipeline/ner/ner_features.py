"""Reference implementation of the natural-text NER recognizer's file format, features and decoding (format
`semroute-ner` version 1). The TypeScript runtime (`packages/core/src/signals/pii-ner.ts`) must give identical tokens,
buckets, logits (within int8 dequantisation rounding, same float order) and spans; `make_vectors.py` writes test vectors.

Why a separate recognizer: the shipped encoder's tokenizer lower-cases everything, so it cannot see capital letters, and
it learned names from template fills. This is a case-aware linear token classifier over hashed word features, trained on
human-annotated NER text (see `models/DATA.md`), decoded with BIO-constrained Viterbi.

File (`ner/ner.bin` in a model folder, named by heads.json's pii head `"ner": {"file": "ner/ner.bin"}`):
  bytes 0-7   ASCII magic `SRNER001`
  bytes 8-11  uint32 little-endian H: length of the JSON header
  12..12+H    UTF-8 JSON header: {format: "semroute-ner", version: 1, buckets (power of two), labels (the 7 BIO labels
              below, in logit order; a span's type is its label without the B-/I- prefix), scales (one float per label), threshold (minimum span score), max_word (24),
              max_shape (12), drop_model_types (entity types whose PII-head spans this recognizer replaces entirely,
              possibly empty), merge ("score" or "replace": how a NER span meets the spans found so far, see
              below; absent = "replace"), clusters (optional, below), plus informational keys (training data, figures) a reader ignores}
  zero bytes up to the next multiple of 8, then buckets x labels int8 weights, bucket-major (W[bucket * labels + label]);
  when the header has `clusters: {buckets: CB (power of two), count: K}`: zero bytes up to the next multiple of 8, then CB
  uint16 little-endian entries of the word-cluster table (see cluster_lookup): 0 = empty, else bits 0-10 = cluster + 1
  and bits 11-15 = the top 5 bits of the word's FNV-1a hash (a check, so most unknown words find no cluster).
Word clusters: k-means clusters of GloVe word vectors (`cluster_table.py`), so words the training text never had still
share weights with similar words (names with names, places with places). With a table, four features are added per token.
Logit of token t, label l = sum over t's features f (in the order token_features lists them) of W[fnv1a(f) & (buckets - 1), l]
* scales[l]. Features use only the text (no model outputs).

Merging (the registry's `natural_ner` context rule, after the built-in span rules, before the pattern recognizers):
the spans so far whose type is in drop_model_types are removed; then, for each NER span in text order with score >=
threshold: "replace" - it replaces every span it overlaps; "score" - it replaces the spans it overlaps only when its
score is >= the score of each of them, else it is left out (a confident model span keeps its edges and type). Spans it
does not overlap stay. The pattern recognizers (e-mail, phone, ...) are merged after it, so they win over NER spans
they overlap. Reference: select_ner.merged.

Offsets: this module works in Python string indices (code points); the TS runtime in UTF-16 code units over the same
tokens. Everything is linear in the text: one pass to tokenise, a bounded number of features per token, Viterbi over
7 labels.
"""
import functools
import json
import struct
import unicodedata

import numpy as np

MAGIC = b"SRNER001"
# Entity types are the PII head's own names (GPE for places, as the default config's pii_types_allowed lists them).
LABELS = ("O", "B-PERSON", "I-PERSON", "B-GPE", "I-GPE", "B-ORGANIZATION", "I-ORGANIZATION")
MAX_WORD = 24    # code points of a word kept in its features (longer words: the first 24)
MAX_SHAPE = 12   # characters of a shape kept
# JavaScript's /\s/u set, spelled out so both languages agree
SPACES = set("\t\n\v\f\r \u00a0\u1680\u2028\u2029\u202f\u205f\u3000\ufeff") | {chr(c) for c in range(0x2000, 0x200B)}
DISABLED = set()  # feature kinds left out (experiments only; the shipped file's header lists none)
SENTENCE_END = {".", "!", "?", ":", ";", '"', "\u201c", "\u201d"}


def is_word_char(c):
    return unicodedata.category(c)[0] in "LNM"


def tokenize(text):
    """[(start, end)]: maximal runs of letters/digits/marks, and every other non-space character alone, except that an
    `@` or `#` directly before a word run, and not right after a word character, starts that run (social-media handles
    and hashtags are one token, as annotators mark them; the `@` inside an e-mail address stays alone)."""
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if c in SPACES:
            i += 1
        elif is_word_char(c) or (c in "@#" and i + 1 < n and is_word_char(text[i + 1]) and (i == 0 or not is_word_char(text[i - 1]))):
            j = i + 1
            while j < n and is_word_char(text[j]):
                j += 1
            out.append((i, j))
            i = j
        else:
            out.append((i, i + 1))
            i += 1
    return out


def shape(word):
    """X upper, x lower (or other letter), d digit, other chars as themselves; runs longer than 2 cut to 2."""
    s, prev, run = [], "", 0
    for c in word:
        if c.lower() != c:
            k = "X"
        elif c.upper() != c or (unicodedata.category(c)[0] in "LM"):
            k = "x"
        elif unicodedata.category(c) == "Nd":
            k = "d"
        else:
            k = c
        run = run + 1 if k == prev else 1
        prev = k
        if run <= 2:
            s.append(k)
            if len(s) >= MAX_SHAPE:
                break
    return "".join(s)


def casing_regime(text):
    """'l' when the text has no upper-case letter, 'U' when it has upper-case but no lower-case letters, else 'm'."""
    has_up = has_low = False
    for c in text:
        if c.lower() != c:
            has_up = True
        elif c.upper() != c:
            has_low = True
        if has_up and has_low:
            return "m"
    return "U" if has_up else "l"


def token_features(text, toks, cluster_of=None):
    """Per token, the list of feature strings (order matters only for float summation order: keep it).
    cluster_of(lower-cased word) -> word-cluster id or None (cluster_lookup over the file's table)."""
    words = [text[s:e] for s, e in toks]
    low = [w[:MAX_WORD].lower() for w in words]  # the first 24 code points, then lower-cased
    shp = [shape(w) for w in words]
    if cluster_of is not None:
        cl = []
        for lw in low:
            c = cluster_of(lw)
            cl.append("-" if c is None else str(c))
    regime = casing_regime(text)
    feats = []
    n = len(toks)
    for i in range(n):
        first = i == 0 or words[i - 1] in SENTENCE_END or "\n" in text[toks[i - 1][1]:toks[i][0]]
        lw = low[i]
        f = [
            "b",
            "w:" + lw,
            "s:" + shp[i],
            "p:" + lw[:3],   # first / last 3 code points of the lower-cased word
            "x:" + lw[-3:],
            "w-1:" + (low[i - 1] if i >= 1 else "<s>"),
            "w+1:" + (low[i + 1] if i + 1 < n else "</s>"),
            "w-2:" + (low[i - 2] if i >= 2 else "<s>"),
            "w+2:" + (low[i + 2] if i + 2 < n else "</s>"),
            "s-1:" + (shp[i - 1] if i >= 1 else "<s>"),
            "s+1:" + (shp[i + 1] if i + 1 < n else "</s>"),
            "ww-1:" + (low[i - 1] if i >= 1 else "<s>") + "|" + lw,
            "ww+1:" + lw + "|" + (low[i + 1] if i + 1 < n else "</s>"),
            "f:" + ("1" if first else "0") + shp[i],
            "c:" + regime + shp[i],
        ]
        if cluster_of is not None:
            f += [
                "k:" + cl[i],
                "k-1:" + (cl[i - 1] if i >= 1 else "<s>"),
                "k+1:" + (cl[i + 1] if i + 1 < n else "</s>"),
                "ks:" + cl[i] + shp[i],
            ]
        feats.append([x for x in f if x.split(":", 1)[0] not in DISABLED] if DISABLED else f)
    return feats


@functools.lru_cache(maxsize=None)  # feature strings repeat across tokens and texts; hashing them in Python is the slow part
def fnv1a(s):
    h = 0x811C9DC5
    for b in s.encode("utf-8"):
        h = ((h ^ b) * 16777619) & 0xFFFFFFFF
    return h


def buckets_of(feats, n_buckets):
    mask = n_buckets - 1
    return [[fnv1a(f) & mask for f in fs] for fs in feats]


def cluster_key(lw):
    """The table key of a lower-cased (truncated) word: without one leading @ or # (handles, hashtags)."""
    return lw[1:] if lw[:1] in ("@", "#") and len(lw) > 1 else lw


def cluster_lookup(table):
    """cluster_of(lower-cased word) -> cluster id or None, from the uint16 table (see the file layout above)."""
    mask = len(table) - 1

    def cluster_of(lw):
        h = fnv1a(cluster_key(lw))
        e = int(table[h & mask])
        if e == 0 or (e >> 11) != (h >> 27):
            return None
        return (e & 0x7FF) - 1
    return cluster_of


def build_cluster_table(words_in_priority_order, cluster_ids, log2_buckets):
    """uint16 table; a bucket goes to the first (most frequent) word that hashes to it."""
    table = np.zeros(1 << log2_buckets, dtype=np.uint16)
    mask = (1 << log2_buckets) - 1
    for w, c in zip(words_in_priority_order, cluster_ids):
        h = fnv1a(w)
        if table[h & mask] == 0:
            table[h & mask] = ((h >> 27) << 11) | (int(c) + 1)
    return table


class NerFile:
    def __init__(self, header, w, table=None):
        self.header, self.w, self.table = header, w, table
        self.cluster_of = cluster_lookup(table) if table is not None else None


def read_file(path):
    with open(path, "rb") as fh:
        data = fh.read()
    assert data[:8] == MAGIC, "not a semroute-ner file"
    (hlen,) = struct.unpack("<I", data[8:12])
    header = json.loads(data[12:12 + hlen].decode("utf-8"))
    off = 12 + hlen
    off += (-off) % 8
    L = len(header["labels"])
    w = np.frombuffer(data, dtype=np.int8, count=header["buckets"] * L, offset=off).reshape(header["buckets"], L)
    table = None
    if header.get("clusters"):
        off += header["buckets"] * L
        off += (-off) % 8
        table = np.frombuffer(data, dtype="<u2", count=header["clusters"]["buckets"], offset=off)
    return NerFile(header, w, table)


def write_file(path, header, w_int8, table=None):
    h = json.dumps(header, separators=(",", ":"), sort_keys=True).encode("utf-8")
    head = MAGIC + struct.pack("<I", len(h)) + h
    head += b"\0" * ((-len(head)) % 8)
    body = np.ascontiguousarray(w_int8, dtype=np.int8).tobytes()
    if table is not None:
        assert header["clusters"]["buckets"] == len(table)
        body += b"\0" * ((-(len(head) + len(body))) % 8) + np.ascontiguousarray(table, dtype="<u2").tobytes()
    with open(path, "wb") as fh:
        fh.write(head + body)


def logits(nf, text):
    """(tokens, float32 [tokens, labels]): per token the sum over its features of W[bucket] * scale, in feature order."""
    header, w = nf.header, nf.w
    toks = tokenize(text)
    bk = buckets_of(token_features(text, toks, nf.cluster_of), header["buckets"])
    scale = np.asarray(header["scales"], dtype=np.float32)
    out = np.zeros((len(toks), len(header["labels"])), dtype=np.float32)
    for t, bs in enumerate(bk):
        acc = np.zeros(len(header["labels"]), dtype=np.float32)
        for b in bs:
            acc = acc + w[b].astype(np.float32) * scale
        out[t] = acc
    return toks, out


def allowed(prev, cur, labels):
    """BIO validity: I-X only right after B-X or I-X (never first)."""
    if not labels[cur].startswith("I-"):
        return True
    return prev is not None and labels[prev] != "O" and labels[prev][2:] == labels[cur][2:]


def decode(header, toks, lg):
    """Spans [(type, start, end, score)]: Viterbi over log-softmax(logits) with BIO constraints; a span's score is the
    lowest softmax probability of its tokens' chosen labels; spans under header['threshold'] are dropped."""
    labels = header["labels"]
    n, L = lg.shape
    if n == 0:
        return []
    z = lg - lg.max(1, keepdims=True)
    logp = z - np.log(np.exp(z).sum(1, keepdims=True))
    prob = np.exp(logp)
    NEG = -1e30
    score = np.array([logp[0, j] if allowed(None, j, labels) else NEG for j in range(L)], dtype=np.float64)
    back = np.zeros((n, L), dtype=np.int64)
    for t in range(1, n):
        new = np.full(L, NEG)
        for j in range(L):
            best, arg = NEG, 0
            for i in range(L):  # ties: the lowest label index
                if allowed(i, j, labels) and score[i] > best:
                    best, arg = score[i], i
            new[j] = best + logp[t, j]
            back[t, j] = arg
        score = new
    path = [int(np.argmax(score))]
    for t in range(n - 1, 0, -1):
        path.append(int(back[t, path[-1]]))
    path.reverse()
    spans, cur = [], None
    for t, j in enumerate(path):
        lab = labels[j]
        if lab.startswith("B-") or (lab.startswith("I-") and cur is None):
            if cur:
                spans.append(cur)
            cur = [lab[2:], toks[t][0], toks[t][1], float(prob[t, j])]
        elif lab.startswith("I-"):
            cur[2] = toks[t][1]
            cur[3] = min(cur[3], float(prob[t, j]))
        else:
            if cur:
                spans.append(cur)
            cur = None
    if cur:
        spans.append(cur)
    th = header["threshold"]
    return [tuple(s) for s in spans if s[3] >= th]
