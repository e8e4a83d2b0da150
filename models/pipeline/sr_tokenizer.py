"""Hand-built WordPiece tokenizer, HF tokenizer.json compatible (BertNormalizer lowercase+strip accents,
BertPreTokenizer, WordPiece '##', TemplateProcessing [CLS] $A [SEP]).  Offsets are char offsets (UTF-16 code
units are NOT used: offsets index Python str code points; see STATUS.md)."""
import collections
import json
import unicodedata

SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
PAD, UNK, CLS, SEP, MASK = 0, 1, 2, 3, 4
MAX_CHARS_PER_WORD = 100


def _is_control(c):
    if c in "\t\n\r":
        return False
    return unicodedata.category(c) in ("Cc", "Cf", "Co", "Cs")


# JS /\s/ set (what transformers.js uses in _clean_text)
_JS_WS = set("\t\n\v\f\r \u00a0\u1680\u2028\u2029\u202f\u205f\u3000\ufeff") | {chr(c) for c in range(0x2000, 0x200B)}


def _is_ws(c):
    return c in _JS_WS


def _is_cjk(cp):
    return (0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF or 0x20000 <= cp <= 0x2A6DF or 0x2A700 <= cp <= 0x2B73F
            or 0x2B740 <= cp <= 0x2B81F or 0x2B820 <= cp <= 0x2CEAF or 0xF900 <= cp <= 0xFAFF or 0x2F800 <= cp <= 0x2FA1F)


def _is_punct(c):
    cp = ord(c)
    if 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126:
        return True
    return unicodedata.category(c).startswith("P")


def _cased(c):
    return c.lower() != c or c.upper() != c or unicodedata.category(c) in ("Lt",)


def _case_ignorable(c):
    return unicodedata.category(c) in ("Mn", "Me", "Cf", "Lm", "Sk") or c in "'.:\u00b7\u2019\u2018\u2024\ufe52\uff07\uff0e\u0387\u05f4\u2027\ufe13\ufe55\uff1a\u00ad"


def _final_sigma(s, i):
    j = i - 1
    while j >= 0 and _case_ignorable(s[j]):
        j -= 1
    before = j >= 0 and _cased(s[j])
    k = i + 1
    while k < len(s) and _case_ignorable(s[k]):
        k += 1
    after = k < len(s) and _cased(s[k])
    return "\u03c2" if before and not after else "\u03c3"


def normalize(text, lowercase=True):
    """Returns (normalized string, list mapping each normalized char -> original char index). Accents are stripped either
    way; `lowercase=False` is the cased tokenizer (BertNormalizer lowercase false, strip_accents true)."""
    chars, align = [], []
    for i, c in enumerate(text):
        cp = ord(c)
        if cp == 0 or cp == 0xFFFD or _is_control(c):
            continue
        if _is_ws(c):
            chars.append(" "); align.append(i)
        elif _is_cjk(cp):
            chars += [" ", c, " "]; align += [i, i, i]
        else:
            chars.append(c); align.append(i)
    s1 = "".join(chars)
    # lowercase (transformers.js order: lowercase, then strip accents); per char, with Unicode's Final_Sigma context rule
    chars2, align2 = [], []
    for i, (c, a) in enumerate(zip(s1, align)):
        lc = c if not lowercase else _final_sigma(s1, i) if c == "\u03a3" else c.lower()
        chars2 += list(lc); align2 += [a] * len(lc)
    out, out_al = [], []
    for c, a in zip(chars2, align2):
        for d in unicodedata.normalize("NFD", c):
            if unicodedata.category(d) == "Mn":
                continue
            out.append(d); out_al.append(a)
    return "".join(out), out_al


def pretokenize(norm):
    """Split on whitespace, isolate punctuation. Returns list of (word, start, end) in normalized indices."""
    words, cur, start = [], [], 0
    for i, c in enumerate(norm):
        if c == " " or c.isspace():
            if cur:
                words.append(("".join(cur), start, i)); cur = []
        elif _is_punct(c):
            if cur:
                words.append(("".join(cur), start, i)); cur = []
            words.append((c, i, i + 1))
        else:
            if not cur:
                start = i
            cur.append(c)
    if cur:
        words.append(("".join(cur), start, len(norm)))
    return words


class WordPiece:
    def __init__(self, vocab, lowercase=True):
        self.vocab = vocab if isinstance(vocab, dict) else {t: i for i, t in enumerate(vocab)}
        self.lowercase = lowercase
        self.inv = {i: t for t, i in self.vocab.items()}

    def word_pieces(self, w):
        if len(w) > MAX_CHARS_PER_WORD:
            return None
        out, s = [], 0
        while s < len(w):
            e, cur = len(w), None
            while s < e:
                sub = w[s:e] if s == 0 else "##" + w[s:e]
                if sub in self.vocab:
                    cur = (self.vocab[sub], s, e); break
                e -= 1
            if cur is None:
                return None
            out.append(cur); s = cur[2]
        return out

    def encode(self, text, add_special=True):
        """Returns (ids, offsets) with offsets as (start,end) into the ORIGINAL text; added [CLS]/[SEP] get (0,0).
        Special-token strings typed in the text (e.g. "[CLS]") are matched on the raw text first, as HF/transformers.js do."""
        ids, offs = [], []
        pos = 0
        while True:
            hits = [(text.find(t, pos), t) for t in SPECIALS if text.find(t, pos) >= 0]
            if not hits:
                break
            at, t = min(hits)
            self._encode_segment(text, pos, at, ids, offs)
            ids.append(SPECIALS.index(t)); offs.append((at, at + len(t)))
            pos = at + len(t)
        self._encode_segment(text, pos, len(text), ids, offs)
        if add_special:
            ids = [CLS] + ids + [SEP]; offs = [(0, 0)] + offs + [(0, 0)]
        return ids, offs

    def _encode_segment(self, full, a, b, ids, offs):
        norm, al = normalize(full[a:b], self.lowercase)
        al = [x + a for x in al]
        for w, ws, we in pretokenize(norm):
            pieces = self.word_pieces(w)
            if pieces is None:
                ids.append(UNK); offs.append((al[ws], al[we - 1] + 1))
                continue
            for tid, s, e in pieces:
                ids.append(tid); offs.append((al[ws + s], al[ws + e - 1] + 1))


def build_vocab(texts, size=12000, min_word_freq=3, lowercase=True):
    """Deterministic WordPiece-style vocab: specials, all chars (+## forms) seen >= 2 times, frequent whole words,
    then frequent word-initial prefixes and ## suffix pieces, scored by (freq * (len-1))."""
    wc = collections.Counter()
    for t in texts:
        norm, _ = normalize(t, lowercase)
        for w, _, _ in pretokenize(norm):
            wc[w] += 1
    cc = collections.Counter()
    for w, f in wc.items():
        for c in w:
            cc[c] += f
    chars = sorted([c for c, f in cc.items() if f >= 2], key=lambda c: (-cc[c], c))
    vocab = list(SPECIALS)
    seen = set(vocab)

    def add(t):
        if t not in seen:
            seen.add(t); vocab.append(t)
    for c in chars:
        add(c)
    for c in chars:
        if not _is_punct(c):
            add("##" + c)
    n_words = int((size - len(vocab)) * 0.7)
    words = [w for w, f in sorted(wc.items(), key=lambda x: (-x[1], x[0])) if f >= min_word_freq and len(w) > 1 and len(w) <= 24]
    for w in words[:n_words]:
        add(w)
    # subword pieces from words not in vocab
    pc = collections.Counter()
    for w, f in wc.items():
        if w in seen or len(w) < 3 or len(w) > 30:
            continue
        for L in range(2, min(8, len(w)) + 1):
            pc[w[:L]] += f
        for s in range(1, len(w) - 1):
            for L in range(2, min(7, len(w) - s) + 1):
                pc["##" + w[s:s + L]] += f
    scored = sorted(pc.items(), key=lambda x: (-(x[1] * (len(x[0].replace("##", "")) - 1) ** 0.8), x[0]))
    for p, f in scored:
        if len(vocab) >= size:
            break
        if f >= 3:
            add(p)
    return vocab, wc


def hf_tokenizer_json(vocab, model_max_length=8192, lowercase=True):
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": [
            {"id": i, "content": t, "single_word": False, "lstrip": False, "rstrip": False, "normalized": False, "special": True}
            for i, t in enumerate(SPECIALS)
        ],
        "normalizer": {"type": "BertNormalizer", "clean_text": True, "handle_chinese_chars": True, "strip_accents": True,
                       "lowercase": lowercase},
        "pre_tokenizer": {"type": "BertPreTokenizer"},
        "post_processor": {
            "type": "TemplateProcessing",
            "single": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                       {"SpecialToken": {"id": "[SEP]", "type_id": 0}}],
            "pair": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                     {"SpecialToken": {"id": "[SEP]", "type_id": 0}}, {"Sequence": {"id": "B", "type_id": 1}},
                     {"SpecialToken": {"id": "[SEP]", "type_id": 1}}],
            "special_tokens": {t: {"id": t, "ids": [i], "tokens": [t]} for i, t in enumerate(SPECIALS) if t in ("[CLS]", "[SEP]")},
        },
        "decoder": {"type": "WordPiece", "prefix": "##", "cleanup": True},
        "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##",
                  "max_input_chars_per_word": MAX_CHARS_PER_WORD, "vocab": {t: i for i, t in enumerate(vocab)}},
    }


def hf_tokenizer_config(max_len, lowercase=True):
    return {"tokenizer_class": "BertTokenizer", "do_lower_case": lowercase, "strip_accents": True, "tokenize_chinese_chars": True,
            "model_max_length": max_len, "cls_token": "[CLS]", "sep_token": "[SEP]", "pad_token": "[PAD]",
            "unk_token": "[UNK]", "mask_token": "[MASK]", "clean_up_tokenization_spaces": True}


def load(path):
    tj = json.load(open(path, encoding="utf-8"))
    return WordPiece(tj["model"]["vocab"], lowercase=tj["normalizer"].get("lowercase", True) is not False)
