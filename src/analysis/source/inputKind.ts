/**
 * What an export of a model file takes, read from its source before anything runs: pictures
 * ([height, width, channels]) or signals ([steps, channels]). "Inspect image" offers a picture
 * only to models that may take one. Never guesses: a model it cannot read (loaded from a
 * model.json, built by a helper it cannot follow) is 'unknown', and unknown models stay offered.
 */
import type { LayerCall, SourceScan } from './types';

export type InputKind = 'image' | 'signal' | 'unknown';

const ONE_D = /1d$/i; // conv1d, maxPooling1d, separableConv1d, globalAveragePooling1d...
const TWO_D = /2d$/i;

function declaredRank(call: LayerCall): number | undefined {
  const { inputShape, batchInputShape } = call.options;
  if (Array.isArray(inputShape)) return inputShape.length;
  if (Array.isArray(batchInputShape)) return batchInputShape.length - 1;
  return undefined;
}

export function inputKindOf(scan: SourceScan, exportName: string): InputKind {
  const layers = scan.layers.filter((l) => l.exportNames.includes(exportName));
  // The declared input shape says it directly: [steps, channels] or [height, width, channels].
  for (const call of layers) {
    const rank = declaredRank(call);
    if (rank === 2) return 'signal';
    if (rank === 3) return 'image';
  }
  // Otherwise the layers' kinds: 1-D convolutions and poolings only, or 2-D ones.
  const oneD = layers.some((l) => ONE_D.test(l.factory));
  const twoD = layers.some((l) => TWO_D.test(l.factory));
  if (oneD && !twoD) return 'signal';
  if (twoD && !oneD) return 'image';
  return 'unknown';
}
