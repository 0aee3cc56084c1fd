/**
 * Speed figures of the class explanations (`npm run bench` runs it after the forward passes):
 * Grad-CAM (alone, and with Guided Grad-CAM) against a forward pass, occlusion and feature
 * visualization, for LeNet (28x28) and VGG-16 (224x224) on wasm, single-threaded. A forward pass
 * here is what the panel does for an image: decode, resize, run and read every activation back.
 * `--quick` skips VGG-16's occlusion and feature visualization.
 */
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadRuntime } from '../src/analysis/runtime';
import { InspectionSession } from '../src/analysis/inspectionSession';
import {
  explainFeatureVisualization,
  explainGradCam,
  explainOcclusion,
} from '../src/analysis/explain/classExplainSession';

const examples = join(__dirname, '..', '..', 'examples');
const ms = (v: number) => `${v.toFixed(v < 10 ? 1 : 0)} ms`;

async function median(times: number, work: () => unknown): Promise<number> {
  const all: number[] = [];
  for (let i = 0; i < times; i++) {
    const started = performance.now();
    await work();
    all.push(performance.now() - started);
  }
  all.sort((a, b) => a - b);
  return all[Math.floor(all.length / 2)];
}

async function figures(
  model: string,
  image: string,
  repeats: number,
  occlusion: { window: number; stride: number },
  feature: { layer: string; steps: number } | undefined,
): Promise<void> {
  const runtime = await loadRuntime('wasm', { wasmThreads: 1 });
  const session = await InspectionSession.open(runtime, join(examples, model), undefined);
  try {
    await session.runInput(image);
    const forward = await median(repeats, () => session.runInput(image));
    let started = performance.now();
    explainGradCam(session, 'top', undefined, false);
    const firstCam = performance.now() - started;
    const cam = await median(repeats, () => explainGradCam(session, 'top', undefined, false));
    const guided = await median(repeats, () => explainGradCam(session, 'top'));
    const layer = explainGradCam(session, 'top', undefined, false).layer;
    console.log(
      `${model.padEnd(10)}forward pass ${ms(forward)} · Grad-CAM at ${layer} ${ms(cam)} (${(cam / forward).toFixed(2)}x a pass; first call ${ms(firstCam)}) · with Guided Grad-CAM ${ms(guided)} (${(guided / forward).toFixed(2)}x)`,
    );
    const window = [occlusion.window, occlusion.window] as [number, number];
    const stride = [occlusion.stride, occlusion.stride] as [number, number];
    started = performance.now();
    const occ = await explainOcclusion(session, 'top', { window, stride, fill: 0 });
    const occMs = performance.now() - started;
    const passes = occ.rows * occ.cols;
    console.log(
      `${''.padEnd(10)}occlusion ${occlusion.window}:${occlusion.stride}, ${passes} windows: ${ms(occMs)} (${ms(occMs / passes)} per window)`,
    );
    if (feature) {
      started = performance.now();
      await explainFeatureVisualization(session, feature.layer, 0, { steps: feature.steps });
      const fvMs = performance.now() - started;
      console.log(
        `${''.padEnd(10)}feature visualization ${feature.layer}:0, ${feature.steps} steps: ${ms(fvMs)} (${ms(fvMs / feature.steps)} per step)`,
      );
    }
  } finally {
    session.dispose();
  }
}

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  console.log('\nclass explanations, wasm (1 thread)');
  const boot = join(examples, 'images', 'fashion-mnist', '000-ankle-boot.png');
  await figures('lenet.ts', boot, 20, { window: 7, stride: 2 }, { layer: 'conv2', steps: 128 });
  await figures(
    'vgg16.ts',
    join(examples, 'images', 'chelsea.png'),
    3,
    quick ? { window: 112, stride: 112 } : { window: 56, stride: 56 },
    quick ? undefined : { layer: 'block3_conv3', steps: 8 },
  );
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
