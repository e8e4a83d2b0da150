"""Assembles models/semroute-plus from models/semroute-mini (config, tokenizer, int8 graph: copied unchanged) and the tower
folder written by build_tower.py; heads.json = semroute-mini's with the domain head's `tower` block (and the jailbreak head's, when the tower has a
jailbreak head: build_tower.py with fit_jb_tower.py's output). The blend weight and
temperature come from the tower folder's own config.json (`selection`, written by build_tower.py with the head they were
chosen for), so re-assembling after semroute-mini changes keeps the shipped tower and its blend together; re-select them
(fit_tower.py, build_tower.py) when the shipped domain head changes.  Usage: python3 assemble_plus.py [WORK]  (WORK unused;
accepted for older callers)"""
import json, os, shutil

HERE = os.path.dirname(os.path.abspath(__file__))
MODELS = os.path.normpath(os.path.join(HERE, '..', '..'))
MINI, PLUS = os.path.join(MODELS, 'semroute-mini'), os.path.join(MODELS, 'semroute-plus')
sel = json.load(open(os.path.join(PLUS, 'towers', 'use-lite', 'config.json')))['selection']
os.makedirs(os.path.join(PLUS, 'onnx'), exist_ok=True)
os.makedirs(os.path.join(PLUS, 'ner'), exist_ok=True)
for f in ('config.json', 'tokenizer.json', 'tokenizer_config.json', 'LICENSE', 'onnx/model_quantized.onnx', 'ner/ner.bin'):
    shutil.copy(os.path.join(MINI, f), os.path.join(PLUS, f))
heads = json.load(open(os.path.join(MINI, 'heads.json')))
for h in heads['heads']:
    if h['name'] == 'domain':
        h['tower'] = {'folder': 'towers/use-lite', 'output': 'logits', 'temperature': 1.0,
                      'blend': {'weight': sel['blend_weight'], 'temperature': sel['blend_temperature']}}
        h['notes'] += ('; tower: a second encoder in towers/use-lite (USE-lite, its own tokenizer; logits over the same labels). '
                       'Final domain scores = softmax(((1 - w) * log p_shipped + w * log softmax(tower logits)) / T) with p_shipped the '
                       'calibrated probabilities above, w = blend.weight and T = blend.temperature (both chosen on the out-of-distribution dev half, models/eval)')
    if h['name'] == 'jailbreak' and 'jailbreak_blend_weight' in sel:  # the tower's jailbreak head (fit_jb_tower.py)
        h['tower'] = {'folder': 'towers/use-lite', 'output': 'jailbreak_logits', 'temperature': 1.0,
                      'blend': {'weight': sel['jailbreak_blend_weight'], 'temperature': sel['jailbreak_blend_temperature']}}
        h['notes'] += ('; tower: the USE-lite tower in towers/use-lite also scores jailbreak (output jailbreak_logits, on its summary '
                       'window). Final jailbreak probability = sigmoid(((1 - w) * logit p_shipped + w * logit p_tower) / T) with '
                       'p_shipped the highest calibrated window probability above, w = blend.weight and T = blend.temperature (w chosen '
                       'on the out-of-distribution dev half, models/eval; T puts default_threshold where at most '
                       f"{100 * sel['jailbreak_operating_realistic_fpr']:g}% of the realistic benign dev prompts and "
                       f"{200 * sel['jailbreak_operating_realistic_fpr']:g}% of all benign ones are flagged)")
json.dump(heads, open(os.path.join(PLUS, 'heads.json'), 'w'), indent=1)
print('assembled', PLUS)
