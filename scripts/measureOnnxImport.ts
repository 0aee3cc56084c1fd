/**
 * Import time and peak resident memory of one ONNX file, in a fresh process:
 *   node --expose-gc dist/scripts/measureOnnxImport.js FILE.onnx [wasm|cpu]
 * Prints one JSON line: the file's size, the import's wall time, the process's peak RSS
 * (getrusage's maxrss, Node and TensorFlow.js included: baselineRssMb) and the RSS after a GC with the
 * model still loaded. Built by scripts/build.mjs; npm run bench runs it for ResNet-18 and VGG-16.
 */
import { statSync } from 'node:fs';
import { loadRuntime } from '../src/analysis/runtime';
import { loadOnnxFile } from '../src/analysis/onnx/loadOnnxModel';

async function main(): Promise<void> {
  const [file, backend = 'wasm'] = process.argv.slice(2);
  const runtime = await loadRuntime(backend as 'wasm' | 'cpu');
  const baselineMb = process.memoryUsage().rss / 1e6;
  const steps: string[] = [];
  const started = performance.now();
  const loaded = await loadOnnxFile(runtime.tf, file, {
    onProgress: (step, fraction) => steps.push(`${step} ${Math.round(fraction * 100)}%`),
  });
  const importMs = performance.now() - started;
  // The file's buffer is garbage once the model is built: collect it (twice, with a turn of the
  // event loop between, so external memory is returned) and read what stays resident.
  const gc = (globalThis as { gc?: () => void }).gc;
  for (let i = 0; i < 2 && gc; i++) {
    await new Promise((r) => setTimeout(r, 50));
    gc();
  }
  const afterGcMb = process.memoryUsage().rss / 1e6;
  const params = loaded.model.countParams();
  process.stdout.write(
    `${JSON.stringify({
      file,
      backend: runtime.backend,
      fileMb: statSync(file).size / 1e6,
      params,
      importMs: Math.round(importMs),
      baselineRssMb: Math.round(baselineMb),
      peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
      rssAfterGcMb: Math.round(afterGcMb),
      progressMessages: steps.length,
    })}\n`,
  );
}

void main();
