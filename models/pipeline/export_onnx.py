"""Export a checkpoint to ONNX (opset 17, fp32) and write the dynamic-int8 variant with python3-onnx graph edits.
Usage: python3 export_onnx.py CKPT OUTDIR"""
import os
import sys

import numpy as np
import onnx
import torch
from onnx import TensorProto, helper, numpy_helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from model import ExportWrapper, SemrouteModel

OUTPUTS = ["domain_logits", "jailbreak_logits", "pii_logits", "pooled"]


def export_fp32(ckpt, path):
    ck = torch.load(ckpt, map_location="cpu")
    m = SemrouteModel(ck["cfg"]); m.load_state_dict(ck["model"]); m.eval()
    w = ExportWrapper(m).eval()
    ids = torch.tensor([[2, 100, 200, 300, 400, 3], [2, 500, 600, 3, 0, 0]], dtype=torch.long)
    am = (ids != 0).long()
    torch.onnx.export(w, (ids, am), path, opset_version=17, input_names=["input_ids", "attention_mask"], output_names=OUTPUTS,
                      dynamic_axes={"input_ids": {0: "batch", 1: "sequence"}, "attention_mask": {0: "batch", 1: "sequence"},
                                    "domain_logits": {0: "batch"}, "jailbreak_logits": {0: "batch"},
                                    "pii_logits": {0: "batch", 1: "sequence"}, "pooled": {0: "batch"}},
                      do_constant_folding=True)
    g = onnx.load(path)
    onnx.checker.check_model(g)
    return m


W_QMAX = 63  # 7-bit symmetric weights, see quantize_dynamic
SKIP_NODES = ("/pii_head/", "_head/dense/", "/Wmo/", "/Wo/")  # kept fp32: small heads, attention output and GeGLU down-projection (activation outliers)


def quantize_dynamic(src, dst, skip_substrings=SKIP_NODES):
    """MatMul(A, W_const) -> DynamicQuantizeLinear(A) + MatMulInteger(uint8 A, int8 W per-column symmetric) + Cast + Mul(scale).
    Gather(table_const, ids) -> int8 table with per-row scales.  Small classifier output layers stay fp32."""
    m = onnx.load(src)
    g = m.graph
    inits = {i.name: i for i in g.initializer}
    # map value names to producers: torch exports Linear weights as initializers (often transposed by constant folding)
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
