"""Stores the USE-lite tower graph's token embedding table (`embeddings`, float32 [8002, 256], 8.2 MB, the largest
weight) as float16 and casts the rows its Gather picks back to float32 (Gather -> Cast), so the table takes 4.1 MB and
every computation after the lookup stays fp32: onnxruntime-node and onnxruntime-web (its CPU kernels built to WASM) still
compute alike, unlike the int8 tower (../../semroute-plus/CARD.md). Gather before Cast: only the picked rows are cast.
build_tower.py applies it to the graph it writes (unless --fp32-embeddings); this script applies the same step to a built
graph file:
    python3 fp16_embeddings.py IN.onnx OUT.onnx
Deterministic (numpy's round-to-nearest-even, one protobuf serialisation): the step on the same graph gives the same bytes.
A graph whose table is already float16 behind a Cast is written unchanged."""
import sys
import numpy as np, onnx
from onnx import helper as h, numpy_helper as nh, TensorProto as TP

TABLE = 'embeddings'


def fp16_embeddings(m: onnx.ModelProto) -> onnx.ModelProto:
    """Converts `m` in place (and returns it); raises ValueError, saying what, when the graph is not the one expected."""
    g = m.graph
    table = [i for i in g.initializer if i.name == TABLE]
    if len(table) != 1:
        raise ValueError(f'expected one initializer named {TABLE!r}, found {len(table)}: is this a USE-lite tower graph (build_onnx.py)?')
    table = table[0]
    users = [(k, n) for k, n in enumerate(g.node) if TABLE in n.input]
    if len(users) != 1 or users[0][1].op_type != 'Gather' or list(users[0][1].input) != [TABLE, 'input_ids']:
        raise ValueError(f'expected {TABLE!r} to feed exactly one Gather(embeddings, input_ids), found {[(n.op_type, list(n.input)) for _, n in users]}')
    at, gather = users[0]
    if table.data_type == TP.FLOAT16:
        after = [n for n in g.node if gather.output[0] in n.input]
        if len(after) == 1 and after[0].op_type == 'Cast':
            return m  # already converted
        raise ValueError(f'{TABLE!r} is float16 but its Gather is not followed by one Cast')
    if table.data_type != TP.FLOAT:
        raise ValueError(f'{TABLE!r} has ONNX data type {table.data_type}, expected float32 ({TP.FLOAT})')
    w = nh.to_array(table)
    w16 = w.astype(np.float16)
    if not np.isfinite(w16).all():
        raise ValueError(f'{TABLE!r} has values outside float16 range (max |w| {np.abs(w).max():g})')
    table.CopyFrom(nh.from_array(w16, TABLE))
    rows = gather.output[0]
    gather.output[0] = f'{rows}_fp16'
    g.node.insert(at + 1, h.make_node('Cast', [gather.output[0]], [rows], name=f'{TABLE}_to_fp32', to=TP.FLOAT))
    onnx.checker.check_model(m)
    return m


def rounding_error(m32: onnx.ModelProto) -> float:
    """The largest |w - fp16(w)| over the fp32 table of a graph not yet converted."""
    w = nh.to_array(next(i for i in m32.graph.initializer if i.name == TABLE))
    return float(np.abs(w - w.astype(np.float16).astype(np.float32)).max())


if __name__ == '__main__':
    if len(sys.argv) != 3:
        sys.exit('usage: python3 fp16_embeddings.py IN.onnx OUT.onnx')
    m = onnx.load(sys.argv[1])
    was = next((i.data_type for i in m.graph.initializer if i.name == TABLE), None)
    err = rounding_error(m) if was == TP.FLOAT else 0.0
    try:
        fp16_embeddings(m)
    except ValueError as e:
        sys.exit(f'{sys.argv[1]}: {e}')
    onnx.save(m, sys.argv[2])
    print(f'{sys.argv[2]}: {TABLE} float16' + (' (already)' if was == TP.FLOAT16 else f', max rounding |delta| {err:.3g}'))
