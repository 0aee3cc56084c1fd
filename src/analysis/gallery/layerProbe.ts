// One layer of a loaded model for one image, without reading back the others; and a hash of the
// weights that layer depends on, so a gallery cache knows when the model it was built with changed.
import type * as tfType from '@tensorflow/tfjs';
import { createHash } from 'node:crypto';
import type { InspectionSession } from '../inspectionSession';
import type { DecodeOptions } from '../image/decodeImage';
import type { ModelImage } from '../image/toModelInput';
import { InspectorError } from '../errors';
import type { LayerMap } from './imagePatches';

function layerOutputName(model: tfType.LayersModel, layerName: string): string {
  let layer: tfType.layers.Layer;
  try {
    layer = model.getLayer(layerName);
  } catch {
    throw new InspectorError('layer', `The model has no layer '${layerName}'.`);
  }
  const output = layer.inboundNodes.length > 1 ? layer.getOutputAt(0) : layer.output;
  if (Array.isArray(output)) {
    throw new InspectorError('layer', `Layer '${layerName}' has several outputs.`);
  }
  return (output as tfType.SymbolicTensor).name;
}

/** Runs the model on the image up to `layerName` only; every tensor is disposed before returning. */
export async function computeLayerForImage(
  session: InspectionSession,
  inputSource: string,
  layerName: string,
  decodeOptions: DecodeOptions = {},
): Promise<{ image: ModelImage; map: LayerMap }> {
  const model = session.layersModel;
  const outputName = layerOutputName(model, layerName);
  const { image, input } = await session.prepareImage(inputSource, decodeOptions);
  let output: tfType.Tensor | undefined;
  try {
    const native = await session.nativeLayer(input, layerName);
    if (native) return { image, map: { shape: native.shape, data: native.data } };
    output = session.tf.tidy(() => model.execute(input, outputName) as tfType.Tensor);
    const data = (await output.data()) as Float32Array;
    return {
      image,
      map: {
        shape: output.shape.slice(1),
        data: data instanceof Float32Array ? data : Float32Array.from(data),
      },
    };
  } finally {
    input.dispose();
    output?.dispose();
  }
}

/**
 * sha256 of the names, shapes and values of the weights of `layerName` and every layer before it
 * in the model: the weights its output can depend on (later layers do not change the gallery).
 */
export function weightsHashUpTo(model: tfType.LayersModel, layerName: string): string {
  const hash = createHash('sha256');
  for (const layer of model.layers) {
    for (const weight of layer.weights) {
      hash.update(`${weight.name}:${weight.shape.join('x')};`);
      const values = weight.read().dataSync() as Float32Array;
      hash.update(new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
    }
    if (layer.name === layerName) return hash.digest('hex');
  }
  throw new InspectorError('layer', `The model has no layer '${layerName}'.`);
}
