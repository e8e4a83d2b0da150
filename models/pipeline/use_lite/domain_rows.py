"""Writes WORK/domain_rows.jsonl: the pipeline's domain mix (prepare_data.prepare_domain: MMLU-Pro with chat rewrites,
clinc as `other`, casual topic and WordNet prompts), the same rows semroute-mini's domain head trained on, and
WORK/domain_extra.jsonl rows appended when EXTRA (a JSONL of {text, label, src}) is given.
Usage: python3 domain_rows.py WORK [EXTRA.jsonl]"""
import json, os, sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
import prepare_data  # noqa: E402

work = sys.argv[1]
rows = prepare_data.prepare_domain()
if len(sys.argv) > 2:
    for line in open(sys.argv[2]):
        if line.strip():
            r = json.loads(line)
            assert r['label'] in prepare_data.DOMAINS, r
            rows.append({'text': r['text'], 'label': r['label'], 'split': 'train', 'src': r['src'], 'form': 'extra'})
with open(os.path.join(work, 'domain_rows.jsonl'), 'w') as f:
    for r in rows:
        f.write(json.dumps(r) + '\n')
print(len(rows), 'domain rows')
