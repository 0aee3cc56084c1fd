#!/usr/bin/env bash
# The main job on the bundled example: installs what is missing, builds, and writes the report of
# the trained LeNet-5 on a Fashion-MNIST test picture (HTML page + JSON) to example-report/.
set -euo pipefail
cd "$(dirname "$0")/.."

[ -d node_modules ] || npm ci --no-audit --no-fund
node scripts/build.mjs

mkdir -p example-report
image="examples/images/fashion-mnist/000-ankle-boot.png"
node dist/cli.js report examples/lenet.ts --image "$image" --layer conv1 \
  --out example-report/lenet.html --json example-report/lenet.json

node -e '
const r = require("./example-report/lenet.json");
console.log(`${r.model.file} on ${r.image.file} (${r.backend} backend), ${r.model.totalParams} parameters`);
for (const l of r.layers) console.log(`  ${l.name.padEnd(12)} ${l.className.padEnd(14)} ${l.outputShape.join("x").padEnd(10)} ${l.params.trainable + l.params.nonTrainable}`);
console.log("top-5:", r.top5.map((c) => `${c.label} ${(100 * c.probability).toFixed(1)}%`).join(", "));
console.log("open example-report/lenet.html in a browser to see every feature map.");
'
