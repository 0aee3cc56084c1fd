#!/bin/bash
# A dataset pass with GNU parallel: n shard processes on this machine (one worker thread each),
# or spread over several machines with SSH_HOSTS=host1,host2 (the tool, the model and the folder
# at the same paths on every machine, e.g. a shared mount), then the merge.
# Usage: deploy/parallel/gallery.sh <model.ts> <image folder> <layer|auto> <out folder> [shards]
# Resumable: rerun the same command after an interruption; finished parts are kept.
set -euo pipefail

if (($# < 4)); then
  echo "usage: $0 <model.ts> <image folder> <layer|auto> <out folder> [shards]" >&2
  exit 2
fi
tool=$(cd "$(dirname "$0")/../.." && pwd)/dist/cli.js
model=$(realpath "$1")
images=$(realpath "$2")
layer=$3
mkdir -p "$4"
out=$(realpath "$4")
shards=${5:-$(nproc)}

# Quoted once here, since parallel runs the command line through a shell (on each host).
q() { printf '%q' "$1"; }
hosts=()
if [[ -n ${SSH_HOSTS:-} ]]; then hosts=(--sshlogin "$SSH_HOSTS"); fi
seq 0 $((shards - 1)) | parallel --will-cite --halt now,fail=1 --line-buffer "${hosts[@]}" \
  "test -f $(q "$out")/part-{}.json || node $(q "$tool") gallery $(q "$model") --folder $(q "$images") --layer $(q "$layer") --shard {}/$shards --workers 1 --out $(q "$out")/part-{}.json"
node "$tool" merge "$out"/part-*.json --out "$out/gallery.json"
