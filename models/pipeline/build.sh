#!/usr/bin/env bash
# One command to rebuild semroute-mini deterministically (seeded). Resumable: rerun to continue training from the last checkpoint.
# Usage (background, as intended):  nohup models/pipeline/build.sh > models/pipeline/work/logs/build.log 2>&1 &
# Env: RUN / RUN2 / RUN4 / RUN5 (stage 1 / 2 / 4 / 5 run names, default main / chat / cm / cm5), STEPS / STEPS2 / STEPS4 (cosine horizons, default 5500 / 3500 / 3000), MINUTES (training wall budget for this invocation, default 600),
#      THREADS (default 1; use 2 on an idle machine), PY (default /usr/bin/python3), SEMROUTE_SHARED (default /work/shared).
set -euo pipefail
cd "$(dirname "$0")"
PY=${PY:-/usr/bin/python3}
RUN=${RUN:-main}
STEPS=${STEPS:-5500}
RUN2=${RUN2:-chat}
STEPS2=${STEPS2:-3500}
RUN4=${RUN4:-cm}
RUN5=${RUN5:-cm5}
STEPS4=${STEPS4:-3000}
MINUTES=${MINUTES:-600}
THREADS=${THREADS:-1}   # on a shared/contended 2-core box 1 thread is ~3x faster than 2 (OpenMP barrier stalls)
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-PASSIVE}
mkdir -p work/logs
if [ ! -d node_modules/@faker-js ]; then (cd ../.. && ONNXRUNTIME_NODE_INSTALL=skip pnpm --filter @semroute/model-pipeline install); fi
echo "[$(date -u +%T)] 1/6 prepare data";      [ -f work/data/stats.json ] || $PY prepare_data.py
echo "[$(date -u +%T)] 2/6 build tokenizer";   [ -f work/tokenizer/tokenizer.json ] || $PY build_tokenizer.py
echo "[$(date -u +%T)] 3/6 train stage 1: multi-task from GloVe init (resumable)"
$PY train.py --run "$RUN" --steps "$STEPS" --minutes "$MINUTES" --threads "$THREADS" --init glove --eval-every 400
# Stage 2: from stage 1's best weights, a shorter schedule weighted towards PII and chat-style prompts (resumable).
echo "[$(date -u +%T)] 3b/6 train stage 2: chat-style PII + casual domain emphasis (resumable)"
$PY train.py --run "$RUN2" --init-from "$RUN" --steps "$STEPS2" --minutes "$MINUTES" --threads "$THREADS" --lr 5e-4 --eval-every 500 \
  --weights domain:0.4,jailbreak:0.15,pii:0.45
# Stage 4: context masking on PII batches (tokens outside entities -> [MASK] with p=0.3), then the uniform average of the
# stage 2 and stage 4 weights is what ships (see the card: keeps stage 2's domain accuracy, most of stage 4's PII gain).
echo "[$(date -u +%T)] 3c/6 train stage 4: PII context masking (resumable), then average with stage 2"
$PY train.py --run "$RUN4" --init-from "$RUN2" --steps "$STEPS4" --minutes "$MINUTES" --threads "$THREADS" --lr 2e-4 --eval-every 500 \
  --context-mask 0.3 --weights domain:0.35,jailbreak:0.15,pii:0.5
$PY average_weights.py "$RUN4-avg" "$RUN2" "$RUN4"
# Stage 5: from that average, the same settings for 2,000 steps keeping a snapshot at every validation; what ships is the
# average of the last three snapshots (2026-12-03: chosen on validation over the best single snapshot and over the average
# with the stage's start).
echo "[$(date -u +%T)] 3d/6 train stage 5 (resumable), then the average of its last three snapshots"
$PY train.py --run "$RUN5" --init-from "$RUN4-avg" --steps 2000 --minutes "$MINUTES" --threads "$THREADS" --lr 2e-4 --eval-every 250 \
  --snapshots --context-mask 0.3 --weights domain:0.35,jailbreak:0.15,pii:0.5
$PY average_weights.py "$RUN5-swa" "$RUN5/step1500.pt" "$RUN5/step1750.pt" "$RUN5/step2000.pt"
# Stage 6: the domain head's n-gram path (WordPiece unigrams + hashed bigrams, a linear model fitted beside the frozen
# encoder; epoch and mixing weight chosen on validation), written into the same checkpoint and the same ONNX graph.
echo "[$(date -u +%T)] 3e/6 n-gram path of the domain head"
[ -f "work/runs/$RUN5-swa-ng/best.pt" ] || $PY train_ngrams.py --run "$RUN5-swa" --out "$RUN5-swa-ng" --threads "$THREADS"
echo "[$(date -u +%T)] 4/6 variants table";    $PY variants.py
echo "[$(date -u +%T)] 5/6 calibrate, export, quantize, evaluate, reference files"; $PY finalize.py --run "$RUN5-swa-ng" --ckpt best --threads "$THREADS"
echo "[$(date -u +%T)] 5b/6 PII through the shipped runtime (model only, + pattern recognizers)"
(cd ../.. && pnpm --filter @semroute/node-adapter... run build) && node eval_runtime_pii.mjs ../semroute-mini work/data/pii.jsonl ../semroute-mini/eval_runtime_pii.json
echo "[$(date -u +%T)] 6/6 card";              $PY make_card.py
node check_onnx.mjs ../semroute-mini && node check_tokenizer.mjs ../semroute-mini
echo "[$(date -u +%T)] done"
