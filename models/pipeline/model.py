"""ModernBERT-style multi-task encoder in plain PyTorch (torch 1.13 compatible, ONNX opset 17 exportable).
Pre-norm, bias-free linears, fused Wqkv, RoPE (global theta 160k / local 10k), GeGLU MLP, alternating attention:
layer i is GLOBAL when i % global_every == 0, otherwise LOCAL with a real banded mask (|i-j| <= window/2), final norm."""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F


CASE_CLASSES = ("no capitals", "capitalised word start", "all capitals", "capitals inside a word")


def case_class(token):
    """Case class of a WordPiece token (index into CASE_CLASSES)."""
    cont = token.startswith("##")
    cased = [c for c in (token[2:] if cont else token) if c.lower() != c.upper()]
    if not any(c.isupper() for c in cased):
        return 0
    if len(cased) > 1 and all(c.isupper() for c in cased):
        return 2
    return 1 if not cont and cased[0].isupper() else 3


def fold_case_embedding(state, cfg):
    """Weights without the training-only case embedding: its rows are added into tok_embeddings (same outputs)."""
    if "case_emb.weight" not in state:
        return state, cfg
    state = dict(state)
    emb = state["tok_embeddings.weight"] + state.pop("case_emb.weight")[state.pop("case_class")]
    state["tok_embeddings.weight"] = emb
    return state, {k: v for k, v in cfg.items() if k != "case_embedding"}


class LN(nn.Module):
    """LayerNorm without bias (ModernBERT); exported as LayerNormalization with a zero bias constant."""

    def __init__(self, d, eps=1e-5):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(d))
        self.register_buffer("zero", torch.zeros(d), persistent=False)
        self.eps = eps
        self.d = d

    def forward(self, x):
        return F.layer_norm(x, (self.d,), self.weight, self.zero, self.eps)


def rope_cache(seq_len, dim, theta, device):
    inv = 1.0 / (theta ** (torch.arange(0, dim, 2, device=device, dtype=torch.float32) / dim))
    t = torch.arange(seq_len, device=device, dtype=torch.float32)
    f = t[:, None] * inv[None, :]
    emb = torch.cat([f, f], dim=-1)
    return emb.cos()[None, None], emb.sin()[None, None]


def rotate_half(x):
    x1, x2 = x.chunk(2, dim=-1)
    return torch.cat([-x2, x1], dim=-1)


class Layer(nn.Module):
    def __init__(self, cfg, idx):
        super().__init__()
        H, self.nh = cfg["hidden"], cfg["heads"]
        self.hd = H // self.nh
        self.is_global = idx % cfg["global_every"] == 0
        self.attn_norm = LN(H) if idx > 0 else nn.Identity()  # ModernBERT: first layer's attn_norm is identity (emb norm)
        self.Wqkv = nn.Linear(H, 3 * H, bias=False)
        self.Wo = nn.Linear(H, H, bias=False)
        self.mlp_norm = LN(H)
        self.Wi = nn.Linear(H, 2 * cfg["intermediate"], bias=False)
        self.Wmo = nn.Linear(cfg["intermediate"], H, bias=False)
        self.drop = cfg.get("dropout", 0.0)

    def forward(self, x, gmask, lmask, cos_g, sin_g, cos_l, sin_l):
        B, S, H = x.shape
        qkv = self.Wqkv(self.attn_norm(x)).view(B, S, 3, self.nh, self.hd).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]
        cos, sin = (cos_g, sin_g) if self.is_global else (cos_l, sin_l)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        att = torch.matmul(q, k.transpose(-1, -2)) * (1.0 / math.sqrt(self.hd))
        att = att + (gmask if self.is_global else lmask)
        att = torch.softmax(att, dim=-1)
        if self.training and self.drop > 0:
            att = F.dropout(att, self.drop)
        o = torch.matmul(att, v).transpose(1, 2).reshape(B, S, H)
        x = x + F.dropout(self.Wo(o), self.drop, self.training)
        a, g = self.Wi(self.mlp_norm(x)).chunk(2, dim=-1)
        x = x + F.dropout(self.Wmo(F.gelu(a) * g), self.drop, self.training)
        return x


class Head(nn.Module):
    def __init__(self, H, n):
        super().__init__()
        self.dense = nn.Linear(H, H, bias=False)
        self.norm = LN(H)
        self.out = nn.Linear(H, n)

    def forward(self, x):
        return self.out(self.norm(F.gelu(self.dense(x))))


class NgramBag(nn.Module):
    """Bag of WordPiece unigrams and hashed bigrams -> domain logits: a linear fastText-style model that the domain head
    mixes with the encoder's logits (cfg ngram_buckets / ngram_prime / ngram_mix; train_ngrams.py fits it). Features of a
    sequence: every real token id > 4 (no [PAD]/[UNK]/[CLS]/[SEP]/[MASK]) as itself, and every pair of adjacent such tokens
    as vocab + (a * prime + b) mod (buckets - vocab); the logits are the mean of their table rows plus a bias (a text
    with no features gets the bias). Plain gathers and integer arithmetic, so export_onnx writes it into the same graph."""

    def __init__(self, buckets, vocab, n_out, prime):
        super().__init__()
        self.buckets, self.vocab, self.prime = buckets, vocab, prime
        self.table = nn.Parameter(torch.zeros(buckets, n_out))
        self.bias = nn.Parameter(torch.zeros(n_out))

    def features(self, input_ids, attention_mask):
        valid = (input_ids > 4) & (attention_mask > 0)
        pairs = (input_ids[:, :-1] * self.prime + input_ids[:, 1:]) % (self.buckets - self.vocab) + self.vocab
        idx = torch.cat([input_ids, pairs], 1)
        keep = torch.cat([valid, valid[:, :-1] & valid[:, 1:]], 1).to(self.table.dtype)
        return idx, keep

    @staticmethod
    def mean_rows(table, idx, keep):
        """The mean of the valid features' rows of `table` (zeros for a text with no features)."""
        total = (table[idx] * keep.unsqueeze(-1)).sum(1)
        return total / keep.sum(1, keepdim=True).clamp(min=1.0)

    def forward(self, input_ids, attention_mask):
        idx, keep = self.features(input_ids, attention_mask)
        return self.mean_rows(self.table, idx, keep) + self.bias


class NgramAttnBag(NgramBag):
    """NgramBag whose features are pooled by attention instead of the mean (jailbreak experiment, 2026-12-07): the table has
    one more column, a gate logit per feature, and the pooled logits are sum_i softmax_i(gate_i * gate_scale) * row_i over
    the valid features, plus the bias, so one decisive word ("toxic", "ignore") can outweigh a long prompt's other words.
    gate "column": the gate is its own column per row ("unigram": only the WordPiece rows' gates, a hashed pair's gate is 0,
    so a rare pair cannot learn to take the softmax over); gate "vector": the gate is the row's logits dotted with one learned
    vector (n_out numbers: a feature's weight follows what it says, e.g. how strongly it says "attack"). A zero gate is the
    mean, so training starts from NgramBag. `gate_scale` (a fixed temperature) sets how fast the gates move under Adam
    relative to the rows. With `with_mean`, a second table's mean (NgramBag) is added: mean logits + attention logits.
    Softmax as the graph computes it: gates of invalid features masked to -1e4, minus their max, exp, times the mask,
    normalised (an empty bag gives the bias)."""

    def __init__(self, buckets, vocab, n_out, prime, gate_scale=1.0, with_mean=False, gate="column"):
        super().__init__(buckets, vocab, n_out, prime)
        self.n_out, self.gate_scale, self.gate = n_out, gate_scale, gate
        if gate in ("column", "unigram"):
            self.table = nn.Parameter(torch.zeros(buckets, n_out + 1))
        elif gate == "vector":
            self.gate_vector = nn.Parameter(torch.zeros(n_out))
        else:
            raise ValueError(f"NgramAttnBag gate {gate!r}: expected 'column', 'unigram' or 'vector'")
        self.mean_table = nn.Parameter(torch.zeros(buckets, n_out)) if with_mean else None

    def attention(self, idx, rows, keep):
        """Softmax weights of the gates over the valid features (B, F); rows: the gathered table rows (B, F, columns)."""
        gate = rows @ self.gate_vector if self.gate == "vector" else rows[..., self.n_out]
        if self.gate == "unigram":
            gate = gate * (idx < self.vocab).to(gate.dtype)
        gate = gate * self.gate_scale
        gate = gate * keep + (keep - 1.0) * 1e4
        w = torch.exp(gate - gate.max(1, keepdim=True).values) * keep
        return w / w.sum(1, keepdim=True).clamp(min=1e-9)

    def forward(self, input_ids, attention_mask):
        idx, keep = self.features(input_ids, attention_mask)
        rows = self.table[idx]
        out = (rows[..., :self.n_out] * self.attention(idx, rows, keep).unsqueeze(-1)).sum(1) + self.bias
        if self.mean_table is not None:
            out = out + self.mean_rows(self.mean_table, idx, keep)
        return out


def jailbreak_bag(cfg):
    """The jailbreak head's n-gram path from cfg: NgramBag (jb_ngram_*), or NgramAttnBag with cfg jb_ngram_attention
    (jb_ngram_gate, jb_ngram_gate_scale, jb_ngram_with_mean); None without jb_ngram_buckets."""
    if not cfg.get("jb_ngram_buckets"):
        return None
    args = (cfg["jb_ngram_buckets"], cfg["vocab_size"], cfg["n_jailbreak"], cfg["jb_ngram_prime"])
    if cfg.get("jb_ngram_attention"):
        return NgramAttnBag(*args, gate_scale=cfg.get("jb_ngram_gate_scale", 1.0), with_mean=bool(cfg.get("jb_ngram_with_mean")),
                            gate=cfg.get("jb_ngram_gate", "column"))
    return NgramBag(*args)


class TokenNgram(nn.Module):
    """Per-token linear model over hashed n-grams -> PII logits, mixed with the encoder's token logits (cfg
    pii_ngram_buckets / pii_ngram_mix; train_ngrams.py --head pii fits it). Each token t reads three rows: its own id,
    the pair (previous id, t) and the pair (t, next id), each hashed into `buckets` rows of its own table (the token
    before the first is [CLS] = 2, the one after the last is [SEP] = 3); the logits are their sum plus a bias."""

    P_PREV, P_NEXT = 1000003, 1000033

    def __init__(self, buckets, n_out):
        super().__init__()
        self.buckets = buckets
        self.unigram = nn.Parameter(torch.zeros(buckets, n_out))
        self.with_prev = nn.Parameter(torch.zeros(buckets, n_out))
        self.with_next = nn.Parameter(torch.zeros(buckets, n_out))
        self.bias = nn.Parameter(torch.zeros(n_out))

    def forward(self, input_ids):
        first = torch.full_like(input_ids[:, :1], 2)
        last = torch.full_like(input_ids[:, :1], 3)
        prev = torch.cat([first, input_ids[:, :-1]], 1)
        nxt = torch.cat([input_ids[:, 1:], last], 1)
        return (self.unigram[input_ids % self.buckets] + self.with_prev[(prev * self.P_PREV + input_ids) % self.buckets]
                + self.with_next[(input_ids * self.P_NEXT + nxt) % self.buckets] + self.bias)


class SemrouteModel(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        H = cfg["hidden"]
        self.tok_embeddings = nn.Embedding(cfg["vocab_size"], H)
        # training only (cfg case_embedding, cased vocabularies): every token's row plus one row per case class
        # (case_classes), shared by all tokens of that class, so "capitalised" means the same for rare tokens as for
        # frequent ones; fold_case_embedding() adds it into tok_embeddings before anything is saved for later stages.
        if cfg.get("case_embedding"):
            self.case_emb = nn.Embedding(len(CASE_CLASSES), H)  # zeroed below, after self.apply(self._init)
            self.register_buffer("case_class", torch.zeros(cfg["vocab_size"], dtype=torch.long))
        self.emb_norm = LN(H)
        self.layers = nn.ModuleList([Layer(cfg, i) for i in range(cfg["layers"])])
        self.final_norm = LN(H)
        self.domain_head = Head(H, cfg["n_domain"])
        self.jailbreak_head = Head(H, cfg["n_jailbreak"])
        self.pii_head = nn.Sequential(nn.Dropout(cfg.get("dropout", 0.0)), nn.Linear(H, cfg["n_pii"]))
        self.distill_proj = nn.Linear(H, cfg.get("teacher_dim", 512), bias=False)  # training only (not exported)
        self.mlm_bias = nn.Parameter(torch.zeros(cfg["vocab_size"]))  # training only: tied-embedding MLM decoder bias
        self.apply(self._init)
        if hasattr(self, "case_emb"):
            nn.init.zeros_(self.case_emb.weight)
        # optional n-gram path of the domain head (added after training by train_ngrams.py; zero-initialised)
        self.domain_ngram = NgramBag(cfg["ngram_buckets"], cfg["vocab_size"], cfg["n_domain"], cfg["ngram_prime"]) if cfg.get("ngram_buckets") else None
        self.pii_ngram = TokenNgram(cfg["pii_ngram_buckets"], cfg["n_pii"]) if cfg.get("pii_ngram_buckets") else None
        # optional n-gram path of the jailbreak head (2026-12-06, train_ngrams.py --head jailbreak): the same features
        # as the domain path (same buckets and prime, so the graph computes them once)
        # (cfg jb_ngram_attention: attention-pooled, NgramAttnBag)
        self.jailbreak_ngram = jailbreak_bag(cfg)

    def _init(self, m):
        if isinstance(m, nn.Linear):
            nn.init.trunc_normal_(m.weight, std=0.02, a=-0.06, b=0.06)
            if m.bias is not None:
                nn.init.zeros_(m.bias)
        elif isinstance(m, nn.Embedding):
            nn.init.trunc_normal_(m.weight, std=0.02, a=-0.06, b=0.06)

    def encode(self, input_ids, attention_mask):
        S = input_ids.shape[1]
        e = self.tok_embeddings(input_ids)
        if hasattr(self, "case_emb"):
            e = e + self.case_emb(self.case_class[input_ids])
        x = self.emb_norm(e)
        x = F.dropout(x, self.cfg.get("dropout", 0.0), self.training)
        hd = self.cfg["hidden"] // self.cfg["heads"]
        cos_g, sin_g = rope_cache(S, hd, self.cfg["rope_global"], x.device)
        cos_l, sin_l = rope_cache(S, hd, self.cfg["rope_local"], x.device)
        keymask = attention_mask[:, None, None, :].to(x.dtype)  # B,1,1,S
        neg = torch.tensor(-1e4, dtype=x.dtype, device=x.device)
        gmask = (1.0 - keymask) * neg
        pos = torch.arange(S, device=x.device)
        band = ((pos[None, :] - pos[:, None]).abs() <= self.cfg["window"] // 2).to(x.dtype)[None, None]  # 1,1,S,S
        lmask = (1.0 - keymask * band) * neg
        for layer in self.layers:
            x = layer(x, gmask, lmask, cos_g, sin_g, cos_l, sin_l)
        return self.final_norm(x)

    def forward(self, input_ids, attention_mask):
        h = self.encode(input_ids, attention_mask)
        m = attention_mask.to(h.dtype).unsqueeze(-1)
        mean = (h * m).sum(1) / m.sum(1).clamp(min=1.0)
        dom = self.domain_head(mean)
        if self.domain_ngram is not None:  # log-linear mix: log p_encoder + mix * log p_ngram
            dom = F.log_softmax(dom, -1) + self.cfg["ngram_mix"] * F.log_softmax(self.domain_ngram(input_ids, attention_mask), -1)
        jb = self.jailbreak_head(mean)
        if getattr(self, "jailbreak_ngram", None) is not None:  # log-linear mix, as for the domain head
            jb = F.log_softmax(jb, -1) + self.cfg["jb_ngram_mix"] * F.log_softmax(self.jailbreak_ngram(input_ids, attention_mask), -1)
        pii = self.pii_head(h)
        if self.pii_ngram is not None:  # log-linear mix per token, as for the domain head
            pii = F.log_softmax(pii, -1) + self.cfg["pii_ngram_mix"] * F.log_softmax(self.pii_ngram(input_ids), -1)
        pooled = mean / mean.norm(dim=-1, keepdim=True).clamp(min=1e-6)
        return dom, jb, pii, pooled, mean, h


class ExportWrapper(nn.Module):
    def __init__(self, m):
        super().__init__()
        self.m = m

    def forward(self, input_ids, attention_mask):
        dom, jb, pii, pooled, _, _ = self.m(input_ids, attention_mask)
        return dom, jb, pii, pooled
