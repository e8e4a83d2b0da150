"""Writes WORK/domain_rows.jsonl: the pipeline's domain mix (prepare_data.prepare_domain: MMLU-Pro with chat rewrites,
clinc as `other`, casual topic and WordNet prompts), the same rows semroute-mini's domain head trained on, and
WORK/domain_extra.jsonl rows appended when EXTRA (a JSONL of {text, label, src}) is given.
With --handwritten, also WORK/hw_rows.jsonl: the hand-written domain training prompts of ../domain_handwritten/*.jsonl
(rounds 1 and 2; not round3/), read and checked against every evaluation text by train_domain_ood.handwritten_rows, for
fit_tower.py --hw-weight (their own loss weight; embed them with embed.mjs into hw_rows.f32).
Usage: python3 domain_rows.py WORK [EXTRA.jsonl] [--handwritten]"""
import json, os, sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
import prepare_data  # noqa: E402

args = [a for a in sys.argv[1:] if a != '--handwritten']
work = args[0]
rows = prepare_data.prepare_domain()
if len(args) > 1:
    for line in open(args[1]):
        if line.strip():
            r = json.loads(line)
            assert r['label'] in prepare_data.DOMAINS, r
            rows.append({'text': r['text'], 'label': r['label'], 'split': 'train', 'src': r['src'], 'form': 'extra'})
with open(os.path.join(work, 'domain_rows.jsonl'), 'w') as f:
    for r in rows:
        f.write(json.dumps(r) + '\n')
print(len(rows), 'domain rows')
if '--handwritten' in sys.argv:
    from train_domain_ood import HERE as PIPELINE, handwritten_rows  # noqa: E402
    hw = handwritten_rows(os.path.join(PIPELINE, 'domain_handwritten'), '*.jsonl')
    with open(os.path.join(work, 'hw_rows.jsonl'), 'w') as f:
        for r in hw:
            f.write(json.dumps({'text': r['text'], 'label': r['category'], 'src': 'handwritten:' + r['where']}) + '\n')
    print(len(hw), 'hand-written rows')
