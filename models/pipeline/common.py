import hashlib
import json
import os

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
WORK = os.environ.get("SR_WORK") or os.path.join(HERE, "work")  # SR_WORK: a second work dir for a side experiment
ROOT = os.path.dirname(HERE)  # models/
OUTDIR = os.path.join(ROOT, "semroute-mini")

DOMAINS = ["biology", "business", "chemistry", "computer science", "economics", "engineering", "health", "history", "law", "math",
           "other", "philosophy", "physics", "psychology"]
JB_LABELS = ["benign", "jailbreak"]
PII_TYPES = ["AGE", "CREDIT_CARD", "DATE_TIME", "DOMAIN_NAME", "EMAIL_ADDRESS", "GPE", "IBAN_CODE", "IP_ADDRESS", "NRP",
             "ORGANIZATION", "PERSON", "PHONE_NUMBER", "STREET_ADDRESS", "TITLE", "US_DRIVER_LICENSE", "US_SSN", "ZIP_CODE"]
PII_LABELS = ["O"] + [f"{p}-{t}" for t in PII_TYPES for p in ("B", "I")]  # 1 + 2*17 = 35; B-X = 1+2k, I-X = 2+2k
MAX_LEN = 128
VOCAB_SIZE = 12288


def jl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(l) for l in f if l.strip()]


def sha(s):
    return hashlib.sha1(s.encode()).hexdigest()[:10]


def bio_labels(offsets, spans):
    """Token BIO ids from char spans; specials (offset (0,0) at ends) -> -100."""
    labs = []
    for i, (s, e) in enumerate(offsets):
        if s == e:
            labs.append(-100)
            continue
        lab = 0
        for sp in spans:
            if sp["start"] <= s < sp["end"]:
                k = PII_TYPES.index(sp["type"])
                lab = 1 + 2 * k if s == sp["start"] or not _prev_in(offsets, i, sp) else 2 + 2 * k
                break
        labs.append(lab)
    return labs


def _prev_in(offsets, i, sp):
    if i == 0:
        return False
    ps, pe = offsets[i - 1]
    return ps != pe and sp["start"] <= ps < sp["end"]


def word_level(label_ids, cont):
    """Word-level BIO: a continuation sub-token ('##' piece, cont[k] True) takes the label of the previous token, as I-<type>."""
    out = [int(x) for x in label_ids]
    for k in range(1, len(out)):
        if cont[k]:
            prev = out[k - 1]
            out[k] = 0 if prev == 0 else (prev if (prev - 1) % 2 == 1 else prev + 1)
    return out


def viterbi_word_labels(logits, offsets, cont, temperature=1.0):
    """heads.json `decoding: "viterbi_chunk_vote_bio"`: token labels whose word-start tokens (not a ## continuation,
    non-empty offsets; the first token always counts as a start) carry the most probable VALID BIO sequence under
    log softmax(logits / temperature) (I-<type> only right after B-/I-<type>, never first) instead of each token's
    argmax; other tokens keep their argmax (word_level() overrides continuation pieces). Feed the result to
    decode_spans_chunk_vote. Same rule as packages/core postprocess.ts viterbiWordLabels."""
    x = np.asarray(logits, dtype=np.float64) / temperature
    x = x - x.max(1, keepdims=True)
    lp = x - np.log(np.exp(x).sum(1, keepdims=True))
    labels = lp.argmax(1)
    steps = [k for k in range(len(offsets)) if not (cont[k] and k > 0) and offsets[k][0] != offsets[k][1]]
    if not steps:
        return labels
    L = lp.shape[1]
    is_i = np.array([j > 0 and (j - 1) % 2 == 1 for j in range(L)])
    allowed = np.ones((L, L), bool)  # allowed[from, to]
    for j in np.nonzero(is_i)[0]:
        allowed[:, j] = False
        allowed[j - 1, j] = allowed[j, j] = True
    trans = np.where(allowed, 0.0, -np.inf)
    score = np.where(is_i, -np.inf, lp[steps[0]])
    back = []
    for k in steps[1:]:
        tot = score[:, None] + trans
        back.append(tot.argmax(0))
        score = tot.max(0) + lp[k]
    path = [int(score.argmax())]
    for b in reversed(back):
        path.append(int(b[path[-1]]))
    labels = labels.copy()
    for k, lab in zip(steps, reversed(path)):
        labels[k] = lab
    return labels


def decode_spans_chunk_vote(label_ids, offsets, text, cont):
    """Chunk-vote BIO (heads.json `decoding: "chunk_vote_bio"`). Labels are first made word-level. Tokens are grouped
    into chunks: maximal runs of tokens with no whitespace between them ("192.168.0.1", "216-43-0705", "Uruguay.").
    In a chunk with any non-O token, the span runs from its first to its last non-O token and takes the type most of
    those tokens carry (tie: the type that appears first). A chunk's span continues the previous chunk's span when
    both are of one type, the previous span reached the end of its chunk, this one starts at its chunk's first token,
    and its first non-O label is I- (multi-word names and addresses); otherwise it starts a new span."""
    labs = word_level(label_ids, cont)
    toks = [(k, s, e, int(l)) for k, ((s, e), l) in enumerate(zip(offsets, labs)) if s != e]
    chunks, cur = [], []
    for t in toks:
        if cur and cur[-1][2] != t[1] and text[cur[-1][2]:t[1]].strip() == "":
            chunks.append(cur); cur = []
        cur.append(t)
    if cur:
        chunks.append(cur)
    spans, open_ = [], None
    for ch in chunks:
        nz = [t for t in ch if t[3] != 0]
        if not nz:
            if open_:
                spans.append(tuple(open_)); open_ = None
            continue
        votes, first = {}, {}
        for t in nz:
            k = (t[3] - 1) // 2
            votes[k] = votes.get(k, 0) + 1
            first.setdefault(k, t[0])
        typ = PII_TYPES[max(votes, key=lambda k: (votes[k], -first[k]))]
        s, e = nz[0][1], nz[-1][2]
        cont_ok = open_ is not None and open_[0] == typ and (nz[0][3] - 1) % 2 == 1 and nz[0] is ch[0]
        if cont_ok:
            open_[2] = e
        else:
            if open_:
                spans.append(tuple(open_))
            open_ = [typ, s, e]
        if nz[-1] is not ch[-1]:
            spans.append(tuple(open_)); open_ = None
    if open_:
        spans.append(tuple(open_))
    return spans


def decode_spans(label_ids, offsets, cont=None):
    """BIO token labels -> list of (type, start, end) char spans. An I- without a matching open span starts a new one.
    With cont (per-token 'is a ## continuation piece' flags) labels are first made word-level (see word_level)."""
    if cont is not None:
        label_ids = word_level(label_ids, cont)
    spans, cur = [], None
    for lab, (s, e) in zip(label_ids, offsets):
        if s == e:
            continue
        lab = int(lab)
        if lab == 0:
            if cur:
                spans.append(tuple(cur)); cur = None
            continue
        k = (lab - 1) // 2
        t = PII_TYPES[k]
        is_b = (lab - 1) % 2 == 0
        if is_b or cur is None or cur[0] != t:
            if cur:
                spans.append(tuple(cur))
            cur = [t, s, e]
        else:
            cur[2] = e
    if cur:
        spans.append(tuple(cur))
    return spans


def strip_span(text, s, e):
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    return s, e


def softmax(x, axis=-1):
    x = x - x.max(axis=axis, keepdims=True)
    e = np.exp(x)
    return e / e.sum(axis=axis, keepdims=True)
