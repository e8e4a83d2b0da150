"""Test vectors for the TypeScript implementation of the semroute-ner format (ner_features.py is the reference).

Usage: python3 make_vectors.py NER_BIN OUT_JSON            vectors from a trained file
       python3 make_vectors.py --random OUT_BIN            a seeded random-weight file (for tests of the format only)
Each vector: text, tokens [[start, end]] in UTF-16 code units, per token its features and buckets, logits, and the
decoded spans (type, UTF-16 start/end, score)."""
import json
import sys

import numpy as np

import ner_features as N

TEXTS = [
    "Please email me at john.smith@example.com or call +1 (415) 555-0132, I am John Smith.",
    "i moved from san francisco to new york last year and now work at goldman sachs",
    "Meeting with Dr. María José García-López at the Université de Montréal on Saturday the 21st.",
    "THE UNITED NATIONS MET IN GENEVA WITH ANGELA MERKEL",
    "@barackobama thanks 4 the visit to #Chicago !! 😀😀 https://t.co/x",
    "",
    "   \n\t ",
    "Ünïcödé wörds: Zürich, Łódź, São Paulo; 東京 and Москва.",
    "A" * 40 + " Bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb Ccc-Ddd's O'Neill.\nNew line Starts Here",
    "The contract between Apple Inc. and the Government of Canada was signed by Tim Cook in Cupertino, California.",
]


def utf16(text, i):
    return len(text[:i].encode("utf-16-le")) // 2


def main():
    if sys.argv[1] == "--random":
        rng = np.random.default_rng(7)
        B = 1 << 12
        header = {"format": "semroute-ner", "version": 1, "buckets": B, "labels": list(N.LABELS),
                  "scales": [0.05] * len(N.LABELS), "threshold": 0.3, "drop_model_types": [],
                  "max_word": N.MAX_WORD, "max_shape": N.MAX_SHAPE}
        words = ["john", "smith", "new", "york", "paris", "acme", "chicago", "maría", "tokyo", "canada", "apple", "tim"]
        header["clusters"] = {"buckets": 1 << 8, "count": 5}
        table = N.build_cluster_table(words, [i % 5 for i in range(len(words))], 8)
        N.write_file(sys.argv[2], header, rng.integers(-127, 128, size=(B, len(N.LABELS))).astype(np.int8), table)
        return
    nf = N.read_file(sys.argv[1])
    header = nf.header
    out = []
    for t in TEXTS:
        toks, lg = N.logits(nf, t)
        feats = N.token_features(t, toks, nf.cluster_of)
        out.append({
            "text": t,
            "tokens": [[utf16(t, s), utf16(t, e)] for s, e in toks],
            "features": feats,
            "buckets": N.buckets_of(feats, header["buckets"]),
            "logits": lg.tolist(),
            "spans": [{"type": ty, "start": utf16(t, s), "end": utf16(t, e), "score": sc} for ty, s, e, sc in N.decode(header, toks, lg)],
        })
    with open(sys.argv[2], "w") as fh:
        json.dump({"file": sys.argv[1].split("/")[-1], "header": header, "vectors": out}, fh, ensure_ascii=False, indent=1)


if __name__ == "__main__":
    main()
