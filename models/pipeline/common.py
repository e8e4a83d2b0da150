import hashlib
import json
import os

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
WORK = os.path.join(HERE, "work")
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
