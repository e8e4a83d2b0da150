"""Build the WordPiece vocab from TRAIN-split texts only and write HF tokenizer files to work/tokenizer/.
--cased keeps letter case (accents are still stripped): names and organisations are capitalised in most prompts, and the
uncased vocabulary hides that from the PII head."""
import json, os, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import WORK, VOCAB_SIZE, MAX_LEN, jl
import sr_tokenizer as T

if __name__ == "__main__":
    D = os.path.join(WORK, "data")
    texts = []
    for name in ("domain", "jailbreak", "pii"):
        texts += [r["text"] for r in jl(os.path.join(D, name + ".jsonl")) if r["split"] == "train" and r["src"] != "pii-free-benign"]
    lowercase = "--cased" not in sys.argv[1:]
    vocab, wc = T.build_vocab(texts, size=VOCAB_SIZE, lowercase=lowercase)
    out = os.path.join(WORK, "tokenizer"); os.makedirs(out, exist_ok=True)
    json.dump(T.hf_tokenizer_json(vocab, lowercase=lowercase), open(os.path.join(out, "tokenizer.json"), "w", encoding="utf-8"), ensure_ascii=False)
    json.dump(T.hf_tokenizer_config(MAX_LEN, lowercase), open(os.path.join(out, "tokenizer_config.json"), "w"), indent=1)
    tok = T.WordPiece(vocab, lowercase)
    n_unk = n = 0
    for t in texts[::20]:
        ids, _ = tok.encode(t); n += len(ids); n_unk += ids.count(T.UNK)
    print(f"vocab {len(vocab)} words-seen {len(wc)} unk-rate {n_unk/max(n,1):.4f} avg-len {n/len(texts[::20]):.1f}")
