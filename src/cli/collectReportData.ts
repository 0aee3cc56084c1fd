/** Gathers what the HTML report embeds: every layer's activations, within a size budget. */
import type { WorkerClient, RequestOptions } from '../worker/workerClient';
import type { LoadedModel, ModelRef, WorkerConfig } from '../worker/workerProtocol';
import type { ImageResult } from '../analysis/inspectionSession';
import type { ReportData } from '../protocol/reportData';
import { InspectorError } from '../analysis/errors';
import { basename } from 'node:path';

/** Float32 bytes embedded at most (base64 adds a third): keeps VGG-sized reports openable. */
export const REPORT_LAYER_BUDGET_BYTES = 48 * 1024 * 1024;

export async function collectReportData(
  client: WorkerClient,
  config: WorkerConfig,
  model: ModelRef,
  loaded: LoadedModel,
  image: ImageResult,
  layerName: string | undefined,
  options: RequestOptions,
): Promise<ReportData> {
  const layers = loaded.summary.layers;
  if (layerName && !layers.some((l) => l.name === layerName)) {
    throw new InspectorError(
      'usage',
      `${model.file}: no layer '${layerName}' (layers: ${layers.map((l) => l.name).join(', ')}).`,
    );
  }
  const selectedLayer =
    layerName ?? layers.find((l) => l.kind === 'spatial')?.name ?? layers[0].name;
  const embedded: ReportData['layers'] = {};
  let budget = REPORT_LAYER_BUDGET_BYTES;
  // The selected layer first, so it is always embedded.
  const order = [selectedLayer, ...layers.map((l) => l.name).filter((n) => n !== selectedLayer)];
  for (const name of order) {
    const layer = await client.request(
      { type: 'getLayer', config, model, imagePath: image.imagePath, layerName: name },
      options,
    );
    if (layer.data.byteLength > budget && name !== selectedLayer) continue;
    budget -= layer.data.byteLength;
    embedded[name] = {
      shape: layer.shape,
      min: layer.min,
      max: layer.max,
      dataBase64: Buffer.from(
        layer.data.buffer,
        layer.data.byteOffset,
        layer.data.byteLength,
      ).toString('base64'),
    };
  }
  return {
    summary: loaded.summary,
    backend: loaded.backend,
    structure: loaded.structure,
    selectedLayer,
    image: {
      imagePath: image.imagePath,
      imageName: basename(image.imagePath),
      width: image.input.width,
      height: image.input.height,
      rgbaBase64: Buffer.from(
        image.input.rgba.buffer,
        image.input.rgba.byteOffset,
        image.input.rgba.byteLength,
      ).toString('base64'),
      top5: image.top5,
    },
    layers: embedded,
  };
}
