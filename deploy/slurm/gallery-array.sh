#!/bin/bash
# A dataset pass as a Slurm job array: array task i runs shard i of the folder
# (SLURM_ARRAY_TASK_ID -> --shard i/n, n = the array's size) and writes part-i.json.
# Run:    sbatch --export=ALL,IMAGES=/scratch/$USER/images,OUT=/scratch/$USER/gallery \
#                deploy/slurm/gallery-array.sh
# Merge:  sbatch --dependency=afterok:<job id> --wrap \
#           "node $HOME/cnn-inspector/dist/cli.js merge $OUT/part-*.json --out $OUT/gallery.json"
# A requeued task (pre-emption, node failure) continues from its checkpoint (part-i.json.checkpoint).
#SBATCH --job-name=cnn-inspector-gallery
#SBATCH --array=0-7
#SBATCH --cpus-per-task=2
#SBATCH --mem=4G
#SBATCH --time=12:00:00
#SBATCH --requeue
#SBATCH --output=cnn-inspector-gallery-%A_%a.log
set -euo pipefail

CNN_INSPECTOR=${CNN_INSPECTOR:-$HOME/cnn-inspector} # a checkout after `npm ci && npm run build`
MODEL=${MODEL:-$CNN_INSPECTOR/examples/lenet.ts}
LAYER=${LAYER:-auto}
IMAGES=${IMAGES:?set IMAGES to the folder of images (mounted on every node)}
OUT=${OUT:?set OUT to a shared folder for the parts}

# Shards count from 0 whatever the array's first index (--array=1-8 works too).
index=$((SLURM_ARRAY_TASK_ID - ${SLURM_ARRAY_TASK_MIN:-0}))
shards=${SLURM_ARRAY_TASK_COUNT:?run as a job array (sbatch --array=...)}

mkdir -p "$OUT"
node "$CNN_INSPECTOR/dist/cli.js" gallery "$MODEL" --folder "$IMAGES" --layer "$LAYER" \
  --shard "$index/$shards" --workers "${SLURM_CPUS_PER_TASK:-1}" --out "$OUT/part-$index.json"
