#!/usr/bin/env bash
# sdevk sampling as a Slurm job array: one array task per shard.
#
# Sample i of a run depends only on (checkpoint, seed, sampler settings, i),
# so a 50,000-sample run splits by index: task k (SLURM_ARRAY_TASK_ID = k)
# makes samples k*SHARD .. k*SHARD+SHARD-1 (the last shard may be shorter)
# into $OUT/shard-0000k.npy with its sidecar shard-0000k.npy.json.
#
# To use: edit the #SBATCH lines for your cluster (keep --array at
# 0..ceil(TOTAL/SHARD)-1), then submit the array and a merge that waits for
# every task to succeed:
#
#   jid=$(sbatch --parsable deploy/slurm/sample-array.sh)
#   sbatch --dependency=afterok:$jid --wrap "sdevk merge --out $OUT/all.npy $OUT/shard-*.npy"
#
# merge refuses gaps, overlaps and shards of other checkpoints, seeds or
# settings. A failed task can be rerun alone: sbatch --array=K sample-array.sh.
# TOTAL, SHARD, SEED, BATCH, CHECKPOINT and OUT may also be set in the
# environment of sbatch (it exports it to the tasks).
#SBATCH --job-name=sdevk-sample
#SBATCH --array=0-49
#SBATCH --gres=gpu:1
#SBATCH --cpus-per-task=4
#SBATCH --time=04:00:00
#SBATCH --output=sdevk-sample-%A_%a.log
set -euo pipefail

TOTAL=${TOTAL:-50000}
SHARD=${SHARD:-1000}
SEED=${SEED:-42}
BATCH=${BATCH:-256}
CHECKPOINT=${CHECKPOINT:-runs/cifar10_ddpmpp}
OUT=${OUT:-samples}

k=${SLURM_ARRAY_TASK_ID:?run this under sbatch --array (SLURM_ARRAY_TASK_ID is not set)}
first=$((k * SHARD))
if ((first >= TOTAL)); then
  echo "task $k: samples from $first are past TOTAL=$TOTAL; nothing to do" >&2
  exit 0
fi
n=$((TOTAL - first < SHARD ? TOTAL - first : SHARD))
mkdir -p "$OUT"
exec sdevk sample --checkpoint "$CHECKPOINT" --seed "$SEED" \
  --first "$first" --n "$n" --batch "$BATCH" --out "$(printf '%s/shard-%05d.npy' "$OUT" "$k")"
