"""Move a trained checkpoint onto a new WordPiece vocabulary (e.g. the cased one of `build_tokenizer.py --cased`) without
training from scratch: every new token's embedding (and MLM bias) starts as the mean of the old rows that the old
tokenizer splits that token into ("Christian" -> old "christian"; "##sen" -> old "##sen"); specials keep their rows;
the encoder layers and heads are copied as they are. A fine-tuning stage (train.py --init-from) then teaches the model
what case adds. The n-gram paths are left out (they index the old vocabulary; train_ngrams.py refits them).

Usage: python3 transplant_vocab.py --from-work work --from-run shipped --to-work work_cased --to-run transplant
(the new vocabulary is <to-work>/tokenizer/tokenizer.json)
"""
import argparse
import json
import os

import torch

import sr_tokenizer as T


def old_pieces(old, token):
    """Old-vocabulary ids of a new token: a word start splits like a word, a "##" piece like the inside of a word."""
    cont = token.startswith("##")
    text = token[2:] if cont else token
    norm, _ = T.normalize(text, old.lowercase)
    if not norm:
        return []
    if not cont:
        pieces = old.word_pieces(norm)
        return [p[0] for p in pieces] if pieces else []
    ids, s = [], 0
    while s < len(norm):  # greedy longest match, every piece a continuation
        e = len(norm)
        while e > s and "##" + norm[s:e] not in old.vocab:
            e -= 1
        if e == s:
            return []
        ids.append(old.vocab["##" + norm[s:e]]); s = e
    return ids


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--from-work", required=True)
    ap.add_argument("--from-run", required=True)
    ap.add_argument("--to-work", required=True)
    ap.add_argument("--to-run", required=True)
    a = ap.parse_args()
    old = T.load(os.path.join(a.from_work, "tokenizer", "tokenizer.json"))
    new = T.load(os.path.join(a.to_work, "tokenizer", "tokenizer.json"))
    src = torch.load(os.path.join(a.from_work, "runs", a.from_run, "best.pt"), map_location="cpu")
    state = {k: v for k, v in src["model"].items() if not k.startswith(("domain_ngram.", "pii_ngram."))}
    emb, bias = state["tok_embeddings.weight"], state.get("mlm_bias")
    new_emb = torch.empty(len(new.vocab), emb.shape[1], dtype=emb.dtype)
    new_bias = torch.empty(len(new.vocab), dtype=emb.dtype) if bias is not None else None
    exact = mean = unk = 0
    for token, i in new.vocab.items():
        if i < len(T.SPECIALS):
            ids = [i]
        else:
            ids = old_pieces(old, token)
        if not ids:
            ids = [T.UNK]; unk += 1
        elif len(ids) == 1:
            exact += 1
        else:
            mean += 1
        new_emb[i] = emb[ids].mean(0)
        if new_bias is not None:
            new_bias[i] = bias[ids].mean()
    state["tok_embeddings.weight"] = new_emb
    if new_bias is not None:
        state["mlm_bias"] = new_bias
    out = os.path.join(a.to_work, "runs", a.to_run)
    os.makedirs(out, exist_ok=True)
    cfg = dict(src.get("cfg") or {}, vocab_size=len(new.vocab))
    torch.save({"model": state, "step": src["step"], "val": src.get("val"), "cfg": cfg,
                "transplanted_from": {"work": os.path.abspath(a.from_work), "run": a.from_run}}, os.path.join(out, "best.pt"))
    json.dump({"transplanted_from": {"run": a.from_run, "step": src["step"]}, "cfg": cfg,
               "rows": {"one_old_row": exact, "mean_of_old_rows": mean, "unk_row": unk}},
              open(os.path.join(out, "config.json"), "w"), indent=1)
    print(f"{len(new.vocab)} rows: {exact} from one old row, {mean} from a mean of old rows, {unk} from [UNK]")


if __name__ == "__main__":
    main()
