"""Write a checkpoint as an ONNX graph (opset 17, fp32; build_graph) and its dynamic-int8 variant (quantize_dynamic).
Usage: python3 export_onnx.py CKPT OUTDIR"""
import math
import os
import sys

import numpy as np
import onnx
import torch
from onnx import TensorProto, helper, numpy_helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from model import SemrouteModel, TokenNgram


def _t(sd, name):
    return sd[name].detach().cpu().numpy().astype(np.float32)


def build_graph(sd, cfg):
    """The inference graph, written node by node from a state dict. torch.onnx.export of model.py gave 541 nodes (329
    left after onnxruntime's optimiser), much of it Shape/Gather/Unsqueeze/Concat arithmetic for every reshape and
    per-layer RoPE slicing, each costing microseconds per call; this graph has 183 (178). Same maths as model.py in
    eval mode: reshapes use 0 (copy this dim) instead of computed shapes, the RoPE tables are computed once per call
    and shared by all layers of a kind (rotate_half's sign lives in the sine table), q and k are rotated as one tensor.
    Linear weights are initializers `W.<param name>` (transposed, x @ W^T); parameters used as they are keep torch's
    names `m.<param name>` (recover_from_onnx.py reads both). Plain opset-17 operators only, so the same file runs
    on onnxruntime CPU/CUDA, WASM and WebGPU (onnxruntime's com.microsoft MultiHeadAttention/RotaryEmbedding/
    SkipLayerNormalization were measured slower on CPU at this size: 4.70 vs 4.22 ms per 64-token call, 1 thread)."""
    H, nh, L, I = cfg["hidden"], cfg["heads"], cfg["layers"], cfg["intermediate"]
    hd = H // nh
    nodes, inits = [], []

    def const(name, arr):
        inits.append(numpy_helper.from_array(np.asarray(arr), name))
        return name

    def node(op, inputs, name, n_out=1, **attrs):
        outs = [name] if n_out == 1 else [f"{name}:{k}" for k in range(n_out)]
        nodes.append(helper.make_node(op, inputs, outs, name=name, **attrs))
        return outs[0] if n_out == 1 else outs

    def linear(x, param, name):  # bias-free nn.Linear: x @ W^T
        return node("MatMul", [x, const(f"W.{param}", _t(sd, param).T.copy())], name)

    def layer_norm(x, param, name):
        return node("LayerNormalization", [x, const(f"m.{param}", _t(sd, param))], name, axis=-1, epsilon=1e-5)

    def gelu(x, name):  # erf form, as F.gelu exports it; onnxruntime fuses the five nodes into one Gelu kernel
        d = node("Div", [x, "c.sqrt2"], f"{name}/Div")
        e = node("Erf", [d], f"{name}/Erf")
        a = node("Add", [e, "c.one"], f"{name}/Add")
        m = node("Mul", [x, a], f"{name}/Mul")
        return node("Mul", [m, "c.half"], f"{name}/Mul_1")

    const("c.one", np.array(1.0, np.float32))
    const("c.half", np.array(0.5, np.float32))
    const("c.sqrt2", np.array(math.sqrt(2.0), np.float32))
    const("c.neg", np.array(-1e4, np.float32))

    # embeddings
    x = node("Gather", ["m.tok_embeddings.weight", "input_ids"], "/embeddings/Gather", axis=0)
    const("m.tok_embeddings.weight", _t(sd, "tok_embeddings.weight"))
    x = layer_norm(x, "emb_norm.weight", "/embeddings/norm")

    # positions, RoPE tables [S, hd] per theta: cos(p*f) and [-sin(p*f) | sin(p*f)] (rotate_half's sign folded in)
    seq = node("Shape", ["input_ids"], "/pos/seq_len", start=1, end=2)
    seq = node("Squeeze", [seq, const("c.axes0", np.array([0], np.int64))], "/pos/seq_scalar")
    pos = node("Range", [const("c.i0", np.array(0, np.int64)), seq, const("c.i1", np.array(1, np.int64))], "/pos/range")
    posf = node("Cast", [pos], "/pos/float", to=TensorProto.FLOAT)
    posf = node("Unsqueeze", [posf, const("c.axes1", np.array([1], np.int64))], "/pos/column")
    tables = {}
    for kind, theta in (("global", cfg["rope_global"]), ("local", cfg["rope_local"])):
        inv = (1.0 / (theta ** (torch.arange(0, hd, 2, dtype=torch.float32) / hd))).numpy()
        f_cos = node("Mul", [posf, const(f"c.rope_{kind}_freq", np.concatenate([inv, inv]))], f"/rope_{kind}/freq")
        f_sin = node("Mul", [posf, const(f"c.rope_{kind}_freq_signed", np.concatenate([-inv, inv]))], f"/rope_{kind}/freq_signed")
        tables[kind] = (node("Cos", [f_cos], f"/rope_{kind}/cos"), node("Sin", [f_sin], f"/rope_{kind}/sin_signed"))

    # additive masks: keys that are padding (global), and also outside the local window (local)
    keep = node("Cast", ["attention_mask"], "/mask/float", to=TensorProto.FLOAT)
    key4 = node("Unsqueeze", [keep, const("c.axes12", np.array([1, 2], np.int64))], "/mask/key4")
    gmask = node("Mul", [node("Sub", ["c.one", key4], "/mask/global_off"), "c.neg"], "/mask/global")
    dist = node("Sub", [node("Unsqueeze", [pos, "c.axes0"], "/mask/row"), node("Unsqueeze", [pos, "c.axes1"], "/mask/col")], "/mask/dist")
    near = node("LessOrEqual", [node("Abs", [dist], "/mask/abs"), const("c.half_window", np.array(cfg["window"] // 2, np.int64))], "/mask/near")
    band = node("Cast", [near], "/mask/band", to=TensorProto.FLOAT)
    lmask = node("Mul", [node("Sub", ["c.one", node("Mul", [key4, band], "/mask/key_band")], "/mask/local_off"), "c.neg"], "/mask/local")
    const("c.shape_qkv", np.array([0, 0, 3 * nh, hd], np.int64))
    const("c.shape_hidden", np.array([0, 0, H], np.int64))
    const("c.attn_scale", np.array(1.0 / math.sqrt(hd), np.float32))
    const("c.split_qk_v", np.array([2 * nh, nh], np.int64))

    for i in range(L):
        p = f"/layers.{i}"
        is_global = i % cfg["global_every"] == 0
        cos, sin = tables["global" if is_global else "local"]
        h = layer_norm(x, f"layers.{i}.attn_norm.weight", f"{p}/attn_norm") if i > 0 else x
        qkv = linear(h, f"layers.{i}.Wqkv.weight", f"{p}/Wqkv/MatMul")
        qkv = node("Reshape", [qkv, "c.shape_qkv"], f"{p}/qkv/Reshape")
        qkv = node("Transpose", [qkv], f"{p}/qkv/Transpose", perm=[0, 2, 1, 3])  # B, 3*nh, S, hd
        qk, v = node("Split", [qkv, "c.split_qk_v"], f"{p}/qkv/Split", n_out=2, axis=1)
        lo, hi = node("Split", [qk], f"{p}/rope/halves", n_out=2, axis=3)
        swapped = node("Concat", [hi, lo], f"{p}/rope/swap", axis=3)
        qk = node("Add", [node("Mul", [qk, cos], f"{p}/rope/cos"), node("Mul", [swapped, sin], f"{p}/rope/sin")], f"{p}/rope/Add")
        q, k = node("Split", [qk], f"{p}/qk/Split", n_out=2, axis=1)
        kt = node("Transpose", [k], f"{p}/k/Transpose", perm=[0, 1, 3, 2])
        att = node("Mul", [node("MatMul", [q, kt], f"{p}/scores/MatMul"), "c.attn_scale"], f"{p}/scores/scale")
        att = node("Add", [att, gmask if is_global else lmask], f"{p}/scores/mask")
        att = node("Softmax", [att], f"{p}/softmax", axis=-1)
        o = node("MatMul", [att, v], f"{p}/context/MatMul")
        o = node("Reshape", [node("Transpose", [o], f"{p}/context/Transpose", perm=[0, 2, 1, 3]), "c.shape_hidden"], f"{p}/context/Reshape")
        x = node("Add", [x, linear(o, f"layers.{i}.Wo.weight", f"{p}/Wo/MatMul")], f"{p}/attn_residual")
        h = layer_norm(x, f"layers.{i}.mlp_norm.weight", f"{p}/mlp_norm")
        a, g = node("Split", [linear(h, f"layers.{i}.Wi.weight", f"{p}/Wi/MatMul")], f"{p}/mlp/Split", n_out=2, axis=2)
        u = node("Mul", [gelu(a, f"{p}/mlp/gelu"), g], f"{p}/mlp/gate")
        x = node("Add", [x, linear(u, f"layers.{i}.Wmo.weight", f"{p}/Wmo/MatMul")], f"{p}/mlp_residual")
    h = layer_norm(x, "final_norm.weight", "/final_norm")

    # masked mean pooling, heads
    tok_mask = node("Unsqueeze", [keep, const("c.axes2", np.array([2], np.int64))], "/pool/mask")
    total = node("ReduceSum", [node("Mul", [h, tok_mask], "/pool/masked"), "c.axes1"], "/pool/sum", keepdims=0)
    count = node("Clip", [node("ReduceSum", [tok_mask, "c.axes1"], "/pool/count", keepdims=0), "c.one"], "/pool/count_min1")
    mean = node("Div", [total, count], "/pool/mean")
    outs = {}
    ngram = bool(cfg.get("ngram_buckets"))
    jb_ngram = bool(cfg.get("jb_ngram_buckets"))
    for head in ("domain", "jailbreak"):
        d = gelu(linear(mean, f"{head}_head.dense.weight", f"/{head}_head/dense/MatMul"), f"/{head}_head/gelu")
        d = layer_norm(d, f"{head}_head.norm.weight", f"/{head}_head/norm")
        name = f"/{head}_head/logits" if (head == "domain" and ngram) or (head == "jailbreak" and jb_ngram) else f"{head}_logits"
        outs[head] = node("Gemm", [d, const(f"m.{head}_head.out.weight", _t(sd, f"{head}_head.out.weight")),
                                   const(f"m.{head}_head.out.bias", _t(sd, f"{head}_head.out.bias"))], name, transB=1)
    if ngram or jb_ngram:  # model.NgramBag features (WordPiece ids + hashed adjacent pairs), computed once for both paths
        if ngram and jb_ngram and (cfg["jb_ngram_buckets"], cfg["jb_ngram_prime"]) != (cfg["ngram_buckets"], cfg["ngram_prime"]):
            raise SystemExit("the jailbreak and domain n-gram paths must share buckets and prime (one feature computation)")
        buckets, prime = (cfg["ngram_buckets"], cfg["ngram_prime"]) if ngram else (cfg["jb_ngram_buckets"], cfg["jb_ngram_prime"])
        valid = node("And", [node("Greater", ["input_ids", const("c.i4", np.array(4, np.int64))], "/ngram/real_token"),
                             node("Cast", ["attention_mask"], "/ngram/mask_bool", to=TensorProto.BOOL)], "/ngram/valid")
        c_start0, c_start1 = const("c.slice_from0", np.array([0], np.int64)), const("c.slice_from1", np.array([1], np.int64))
        c_end_last, c_end_all = const("c.slice_to_last", np.array([-1], np.int64)), const("c.slice_to_end", np.array([2 ** 62], np.int64))
        left = node("Slice", ["input_ids", c_start0, c_end_last, "c.axes1"], "/ngram/left")
        right = node("Slice", ["input_ids", c_start1, c_end_all, "c.axes1"], "/ngram/right")
        mixed = node("Add", [node("Mul", [left, const("c.ngram_prime", np.array(prime, np.int64))], "/ngram/scale"), right], "/ngram/pair")
        pairs = node("Add", [node("Mod", [mixed, const("c.ngram_span", np.array(buckets - cfg["vocab_size"], np.int64))], "/ngram/hash"),
                             const("c.ngram_offset", np.array(cfg["vocab_size"], np.int64))], "/ngram/pair_index")
        pair_ok = node("And", [node("Slice", [valid, c_start0, c_end_last, "c.axes1"], "/ngram/left_ok"),
                               node("Slice", [valid, c_start1, c_end_all, "c.axes1"], "/ngram/right_ok")], "/ngram/pair_ok")
        idx = node("Concat", ["input_ids", pairs], "/ngram/index", axis=1)
        feat_keep = node("Cast", [node("Concat", [valid, pair_ok], "/ngram/keep_bool", axis=1)], "/ngram/keep", to=TensorProto.FLOAT)
        keep3 = node("Unsqueeze", [feat_keep, "c.axes2"], "/ngram/keep3")
        feat_count = node("Clip", [node("ReduceSum", [feat_keep, "c.axes1"], "/ngram/count", keepdims=1), "c.one"], "/ngram/count_min1")

        def bag_mean(prefix, table):  # mean of the valid features' rows
            rows = node("Gather", [const(f"m.{table}", _t(sd, table)), idx], f"{prefix}/Gather", axis=0)
            total = node("ReduceSum", [node("Mul", [rows, keep3], f"{prefix}/masked"), "c.axes1"], f"{prefix}/sum", keepdims=0)
            return node("Div", [total, feat_count], f"{prefix}/mean")

        def bag(prefix, param):
            return node("Add", [bag_mean(prefix, f"{param}.table"), const(f"m.{param}.bias", _t(sd, f"{param}.bias"))], f"{prefix}/logits")

        def attention_bag(prefix, param):  # model.NgramAttnBag: the rows' last column gates a softmax over the features
            n_out = cfg["n_jailbreak"]
            rows = node("Gather", [const(f"m.{param}.table", _t(sd, f"{param}.table")), idx], f"{prefix}/Gather", axis=0)
            vals = node("Slice", [rows, const(f"c{prefix}/from0", np.array([0], np.int64)), const(f"c{prefix}/to_out", np.array([n_out], np.int64)),
                                  "c.axes2"], f"{prefix}/values")
            kind = cfg.get("jb_ngram_gate", "column")
            if kind == "vector":  # the row's logits . one learned vector
                gate = node("MatMul", [vals, const(f"m.{param}.gate_vector", _t(sd, f"{param}.gate_vector")[:, None].copy())], f"{prefix}/gate")
            else:  # the rows' last column
                gate = node("Slice", [rows, const(f"c{prefix}/from_out", np.array([n_out], np.int64)),
                                      const(f"c{prefix}/to_gate", np.array([n_out + 1], np.int64)), "c.axes2"], f"{prefix}/gate")
            if kind == "unigram":  # a hashed pair's gate is 0
                is_unigram = node("Cast", [node("Less", [idx, const(f"c{prefix}/vocab", np.array(cfg["vocab_size"], np.int64))], f"{prefix}/unigram_bool")],
                                  f"{prefix}/unigram", to=TensorProto.FLOAT)
                gate = node("Mul", [gate, node("Unsqueeze", [is_unigram, "c.axes2"], f"{prefix}/unigram3")], f"{prefix}/gate_unigram")
            gate = node("Mul", [gate, const(f"c{prefix}/gate_scale", np.array(cfg.get("jb_ngram_gate_scale", 1.0), np.float32))], f"{prefix}/gate_scaled")
            off = node("Mul", [node("Sub", [keep3, "c.one"], f"{prefix}/invalid"), const(f"c{prefix}/big", np.array(1e4, np.float32))], f"{prefix}/invalid_off")
            gate = node("Add", [node("Mul", [gate, keep3], f"{prefix}/gate_valid"), off], f"{prefix}/gate_masked")
            top = node("ReduceMax", [gate], f"{prefix}/gate_max", axes=[1], keepdims=1)
            w = node("Mul", [node("Exp", [node("Sub", [gate, top], f"{prefix}/gate_shift")], f"{prefix}/exp"), keep3], f"{prefix}/weights")
            den = node("Max", [node("ReduceSum", [w, "c.axes1"], f"{prefix}/weight_sum", keepdims=0),
                               const(f"c{prefix}/tiny", np.array(1e-9, np.float32))], f"{prefix}/weight_sum_min")
            num = node("ReduceSum", [node("Mul", [vals, w], f"{prefix}/weighted"), "c.axes1"], f"{prefix}/sum", keepdims=0)
            out = node("Add", [node("Div", [num, den], f"{prefix}/pooled"), const(f"m.{param}.bias", _t(sd, f"{param}.bias"))], f"{prefix}/attn_logits")
            if cfg.get("jb_ngram_with_mean"):
                out = node("Add", [out, bag_mean(f"{prefix}/mean_table", f"{param}.mean_table")], f"{prefix}/logits")
            return out
    if jb_ngram:  # the jailbreak head's path: log_softmax(encoder) + mix * log_softmax(n-gram)
        jb_bag = attention_bag if cfg.get("jb_ngram_attention") else bag
        jg_lp = node("LogSoftmax", [jb_bag("/jb_ngram", "jailbreak_ngram")], "/jailbreak_mix/ngram", axis=-1)
        outs["jailbreak"] = node("Add", [node("LogSoftmax", [outs["jailbreak"]], "/jailbreak_mix/encoder", axis=-1),
                                         node("Mul", [jg_lp, const("c.jb_ngram_mix", np.array(cfg["jb_ngram_mix"], np.float32))], "/jailbreak_mix/weighted")],
                                 "jailbreak_logits")
    if ngram:  # model.NgramBag, then log_softmax(encoder) + mix * log_softmax(ngram)
        ng = bag("/ngram", "domain_ngram")
        enc_lp = node("LogSoftmax", [outs["domain"]], "/domain_mix/encoder", axis=-1)
        ng_lp = node("LogSoftmax", [ng], "/domain_mix/ngram", axis=-1)
        outs["domain"] = node("Add", [enc_lp, node("Mul", [ng_lp, const("c.ngram_mix", np.array(cfg["ngram_mix"], np.float32))], "/domain_mix/weighted")],
                              "domain_logits")
    pii = linear(h, "pii_head.1.weight", "/pii_head/pii_head.1/MatMul")
    pii_ngram = bool(cfg.get("pii_ngram_buckets"))
    outs["pii"] = node("Add", [pii, const("m.pii_head.1.bias", _t(sd, "pii_head.1.bias"))], "/pii_head/logits" if pii_ngram else "pii_logits")
    if pii_ngram:  # model.TokenNgram, then log_softmax(encoder) + mix * log_softmax(n-gram), per token
        nb = const("c.pii_ngram_buckets", np.array(cfg["pii_ngram_buckets"], np.int64))
        head0 = node("Slice", ["input_ids", const("c.pii_from0", np.array([0], np.int64)), const("c.pii_to1", np.array([1], np.int64)), "c.axes1"], "/pii_ngram/first_col")
        zero = node("Mul", [head0, const("c.pii_i0", np.array(0, np.int64))], "/pii_ngram/zeros")
        cls_col = node("Add", [zero, const("c.pii_cls", np.array(2, np.int64))], "/pii_ngram/cls")
        sep_col = node("Add", [zero, const("c.pii_sep", np.array(3, np.int64))], "/pii_ngram/sep")
        before = node("Slice", ["input_ids", "c.pii_from0", const("c.pii_to_last", np.array([-1], np.int64)), "c.axes1"], "/pii_ngram/before")
        after = node("Slice", ["input_ids", const("c.pii_from1", np.array([1], np.int64)), const("c.pii_to_end", np.array([2 ** 62], np.int64)), "c.axes1"], "/pii_ngram/after")
        prev = node("Concat", [cls_col, before], "/pii_ngram/prev", axis=1)
        nxt = node("Concat", [after, sep_col], "/pii_ngram/next", axis=1)
        uni = node("Mod", ["input_ids", nb], "/pii_ngram/uni_index")
        pidx = node("Mod", [node("Add", [node("Mul", [prev, const("c.pii_p_prev", np.array(TokenNgram.P_PREV, np.int64))], "/pii_ngram/prev_scale"), "input_ids"], "/pii_ngram/prev_pair"), nb], "/pii_ngram/prev_index")
        nidx = node("Mod", [node("Add", [node("Mul", ["input_ids", const("c.pii_p_next", np.array(TokenNgram.P_NEXT, np.int64))], "/pii_ngram/next_scale"), nxt], "/pii_ngram/next_pair"), nb], "/pii_ngram/next_index")
        rows = [node("Gather", [const(f"m.pii_ngram.{t}", _t(sd, f"pii_ngram.{t}")), ix], f"/pii_ngram/{t}/Gather", axis=0)
                for t, ix in (("unigram", uni), ("with_prev", pidx), ("with_next", nidx))]
        ng = node("Add", [node("Add", [node("Add", [rows[0], rows[1]], "/pii_ngram/sum01"), rows[2]], "/pii_ngram/sum"),
                          const("m.pii_ngram.bias", _t(sd, "pii_ngram.bias"))], "/pii_ngram/logits")
        outs["pii"] = node("Add", [node("LogSoftmax", [outs["pii"]], "/pii_mix/encoder", axis=-1),
                                   node("Mul", [node("LogSoftmax", [ng], "/pii_mix/ngram", axis=-1),
                                                const("c.pii_ngram_mix", np.array(cfg["pii_ngram_mix"], np.float32))], "/pii_mix/weighted")], "pii_logits")
    norm = node("Clip", [node("ReduceL2", [mean], "/pooled/norm", axes=[1], keepdims=1), const("c.eps", np.array(1e-6, np.float32))], "/pooled/norm_min")
    node("Div", [mean, norm], "pooled")

    f32, i64 = TensorProto.FLOAT, TensorProto.INT64
    graph = helper.make_graph(
        nodes, "semroute",
        [helper.make_tensor_value_info("input_ids", i64, ["batch", "sequence"]),
         helper.make_tensor_value_info("attention_mask", i64, ["batch", "sequence"])],
        [helper.make_tensor_value_info("domain_logits", f32, ["batch", cfg["n_domain"]]),
         helper.make_tensor_value_info("jailbreak_logits", f32, ["batch", cfg["n_jailbreak"]]),
         helper.make_tensor_value_info("pii_logits", f32, ["batch", "sequence", cfg["n_pii"]]),
         helper.make_tensor_value_info("pooled", f32, ["batch", H])],
        inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="semroute-pipeline")
    model.ir_version = 8
    onnx.checker.check_model(model, full_check=True)
    return model


def export_fp32(ckpt, path):
    ck = torch.load(ckpt, map_location="cpu")
    m = SemrouteModel(ck["cfg"]); m.load_state_dict(ck["model"]); m.eval()
    onnx.save(build_graph(m.state_dict(), ck["cfg"]), path)
    return m


W_QMAX = 63  # 7-bit symmetric weights, see quantize_dynamic
HALF_TABLES = ("m.domain_ngram.table", "m.jailbreak_ngram.table", "m.jailbreak_ngram.mean_table")  # gathered tables stored as fp16 instead of int8 in the int8 graph
SKIP_NODES = ("/pii_head/", "_head/dense/", "/Wmo/", "/Wo/")  # kept fp32: small heads, attention output and GeGLU down-projection (activation outliers)


def quantize_dynamic(src, dst, skip_substrings=SKIP_NODES):
    """MatMul(A, W_const) -> DynamicQuantizeLinear(A) + MatMulInteger(uint8 A, int8 W per-column symmetric) + Cast + Mul(scale).
    Gather(table_const, ids) -> int8 table with per-row scales (the n-gram table: fp16).  Small classifier output layers stay fp32."""
    m = onnx.load(src)
    g = m.graph
    inits = {i.name: i for i in g.initializer}
    new_nodes, drop_inits, add_inits = [], set(), []
    used_count = {}
    for n in g.node:
        for i in n.input:
            used_count[i] = used_count.get(i, 0) + 1
    n_q = n_e = 0
    for n in g.node:
        if n.op_type == "MatMul" and n.input[1] in inits and not any(s in n.name for s in skip_substrings):
            W = numpy_helper.to_array(inits[n.input[1]]).astype(np.float32)
            if W.ndim != 2 or W.size < 4096:
                new_nodes.append(n); continue
            # 7-bit weights (onnxruntime's `reduce_range`): x86 CPUs without VNNI multiply uint8 activations by int8
            # weights with vpmaddubsw, which saturates a pair sum above 32767 (2 * 255 * 127 does); with |w| <= 63 it
            # cannot, so every CPU (AVX2, AVX-512 VNNI, WASM SIMD) computes the same integers and the same decisions.
            scale = np.maximum(np.abs(W).max(axis=0), 1e-8) / W_QMAX  # per output column
            Wq = np.clip(np.round(W / scale), -W_QMAX, W_QMAX).astype(np.int8)
            b = n.name or n.output[0]
            wq_name, ws_name = n.input[1] + "_q", n.input[1] + "_scale"
            add_inits += [numpy_helper.from_array(Wq, wq_name), numpy_helper.from_array(scale.astype(np.float32), ws_name)]
            if used_count.get(n.input[1], 0) <= 1:
                drop_inits.add(n.input[1])
            a = n.input[0]
            new_nodes += [
                helper.make_node("DynamicQuantizeLinear", [a], [b + "_aq", b + "_as", b + "_az"], name=b + "_dql"),
                helper.make_node("MatMulInteger", [b + "_aq", wq_name, b + "_az"], [b + "_mmi"], name=b + "_mmi"),
                helper.make_node("Cast", [b + "_mmi"], [b + "_f"], to=TensorProto.FLOAT, name=b + "_cast"),
                helper.make_node("Mul", [b + "_as", ws_name], [b + "_sc"], name=b + "_scmul"),
                helper.make_node("Mul", [b + "_f", b + "_sc"], [n.output[0]], name=b + "_out"),
            ]
            n_q += 1
        elif n.op_type == "Gather" and n.input[0] in HALF_TABLES:
            # The n-gram table's log-probabilities are scaled by ngram_mix (~6) in the domain logits: per-row int8 moved
            # them by up to 0.36, fp16 keeps them within the int8 contract (5e-2) at half the fp32 size.
            T16 = numpy_helper.to_array(inits[n.input[0]]).astype(np.float16)
            b = n.name or n.output[0]
            add_inits.append(numpy_helper.from_array(T16, n.input[0] + "_fp16"))
            if used_count.get(n.input[0], 0) <= 1:
                drop_inits.add(n.input[0])
            new_nodes += [
                helper.make_node("Gather", [n.input[0] + "_fp16", n.input[1]], [b + "_g16"], axis=0, name=b + "_g16"),
                helper.make_node("Cast", [b + "_g16"], [n.output[0]], to=TensorProto.FLOAT, name=b + "_gcast"),
            ]
        elif n.op_type == "Gather" and n.input[0] in inits and numpy_helper.to_array(inits[n.input[0]]).ndim == 2 \
                and numpy_helper.to_array(inits[n.input[0]]).shape[0] > 1000:
            E = numpy_helper.to_array(inits[n.input[0]]).astype(np.float32)
            scale = np.maximum(np.abs(E).max(axis=1), 1e-8) / 127.0
            Eq = np.clip(np.round(E / scale[:, None]), -127, 127).astype(np.int8)
            b = n.name or n.output[0]
            eq, es = n.input[0] + "_q", n.input[0] + "_rowscale"
            add_inits += [numpy_helper.from_array(Eq, eq), numpy_helper.from_array(scale[:, None].astype(np.float32), es)]
            if used_count.get(n.input[0], 0) <= 1:
                drop_inits.add(n.input[0])
            new_nodes += [
                helper.make_node("Gather", [eq, n.input[1]], [b + "_gq"], axis=0, name=b + "_gq"),
                helper.make_node("Gather", [es, n.input[1]], [b + "_gs"], axis=0, name=b + "_gs"),
                helper.make_node("Cast", [b + "_gq"], [b + "_gf"], to=TensorProto.FLOAT, name=b + "_gcast"),
                helper.make_node("Mul", [b + "_gf", b + "_gs"], [n.output[0]], name=b + "_gmul"),
            ]
            n_e += 1
        else:
            new_nodes.append(n)
    del g.node[:]
    g.node.extend(new_nodes)
    keep = [i for i in g.initializer if i.name not in drop_inits]
    del g.initializer[:]
    g.initializer.extend(keep + add_inits)
    onnx.checker.check_model(m)
    onnx.save(m, dst)
    return n_q, n_e


if __name__ == "__main__":
    ck, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    export_fp32(ck, os.path.join(out, "model.onnx"))
    nq, ne = quantize_dynamic(os.path.join(out, "model.onnx"), os.path.join(out, "model_quantized.onnx"))
    print(f"quantized {nq} MatMuls, {ne} embedding tables;",
          {f: os.path.getsize(os.path.join(out, f)) for f in ("model.onnx", "model_quantized.onnx")})
