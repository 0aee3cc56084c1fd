/** Gathers what the HTML report embeds: every layer's activations, within a size budget. */
import type { WorkerClient, RequestOptions } from '../host/workerClient';
import type { LoadedModel, ModelRef, WorkerConfig } from '../protocol/worker/workerProtocol';
import type { ImageResult } from '../analysis/inspectionSession';
import type { ReportData } from '../protocol/reportData';
import { InspectorError } from '../analysis/errors';
import { encodeTypedArrays, type EncodedJson } from '../analysis/typedArrayJson';
import type { ExplainAnswer } from '../protocol/explainMessages';
import { basename } from 'node:path';
import type { LayerActivation } from '../analysis/activations';

/** Float32 bytes embedded at most (base64 adds a third): keeps VGG-sized reports openable. */
export const REPORT_LAYER_BUDGET_BYTES = 48 * 1024 * 1024;

/** Inputs up to this many values (32x32x3) get occlusion and integrated gradients in the report. */
const SMALL_INPUT_VALUES = 32 * 32 * 3;

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
  const selectedLayer = selectedLayerOf(model, layers, layerName);
  const fetchLayer = (name: string) =>
    client.request(
      { type: 'getLayer', config, model, inputSource: image.inputSource, layerName: name },
      options,
    );
  return {
    summary: loaded.summary,
    backend: loaded.backend,
    structure: loaded.structure,
    selectedLayer,
    image: reportImage(image),
    layers: await embedLayers(
      layers.map((l) => l.name),
      selectedLayer,
      fetchLayer,
    ),
    explain: await explainForReport(client, config, model, image.inputSource, options, {
      projectionLayer: selectedLayer,
      // The Filters section opens at the first convolution; the selected layer's come too.
      filterLayers: [
        ...new Set(
          [layers.find((l) => l.className.includes('Conv'))?.name, selectedLayer].filter(
            (n): n is string => n !== undefined,
          ),
        ),
      ],
    }),
  };
}

/** The layer asked for (it must exist), else the first spatial layer, else the first. */
function selectedLayerOf(
  model: ModelRef,
  layers: LoadedModel['summary']['layers'],
  layerName: string | undefined,
): string {
  if (layerName && !layers.some((l) => l.name === layerName)) {
    throw new InspectorError(
      'usage',
      `${model.file}: no layer '${layerName}' (layers: ${layers.map((l) => l.name).join(', ')}).`,
    );
  }
  return layerName ?? layers.find((l) => l.layout === 'spatial')?.name ?? layers[0].name;
}

function base64Of(bytes: ArrayBufferView): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

/** Every layer's activations that fit in the budget; the selected layer always. */
async function embedLayers(
  names: string[],
  selectedLayer: string,
  fetchLayer: (name: string) => Promise<LayerActivation>,
): Promise<ReportData['layers']> {
  const embedded: ReportData['layers'] = {};
  let budget = REPORT_LAYER_BUDGET_BYTES;
  // The selected layer first, so it is always embedded.
  const order = [selectedLayer, ...names.filter((n) => n !== selectedLayer)];
  for (const name of order) {
    const layer = await fetchLayer(name);
    if (layer.data.byteLength > budget && name !== selectedLayer) continue;
    budget -= layer.data.byteLength;
    embedded[name] = {
      shape: layer.shape,
      min: layer.min,
      max: layer.max,
      dataBase64: base64Of(layer.data),
    };
  }
  return embedded;
}

function reportImage(image: ImageResult): ReportData['image'] {
  return {
    inputSource: image.inputSource,
    imageName: basename(image.inputSource),
    width: image.input.width,
    height: image.input.height,
    rgbaBase64: base64Of(image.input.rgba),
    top5: image.top5,
    ...(image.warnings ? { warnings: image.warnings } : {}),
  };
}

type ExplainBase = { config: WorkerConfig; model: ModelRef; inputSource: string };
/** Runs one request of the Why tab and keeps its answer; one that cannot be made is left out. */
type OptionalAnswer = (work: () => Promise<ExplainAnswer>) => Promise<void>;

/**
 * What the Why tab shows first: the selected layer's strongest unit's projections, and filters.
 * A layer that cannot be explained (not invertible, no kernel) is just left out.
 */
async function explainForReport(
  client: WorkerClient,
  config: WorkerConfig,
  model: ModelRef,
  inputSource: string,
  options: RequestOptions,
  wanted: { projectionLayer: string; filterLayers: string[] },
): Promise<EncodedJson<ExplainAnswer>[]> {
  const base = { config, model, inputSource };
  const answers: ExplainAnswer[] = [];
  const optional: OptionalAnswer = async (work) => {
    try {
      answers.push(await work());
    } catch (error) {
      if (!(error instanceof InspectorError) || error.kind === 'timeout') throw error;
    }
  };
  await optional(async () => ({
    kind: 'projections',
    result: await client.request(
      { type: 'explainProjections', ...base, layerName: wanted.projectionLayer },
      options,
    ),
  }));
  const top = (await client.request({ type: 'runInput', ...base }, options)).top5[0];
  if (top) await explainTopClass(client, base, top.index, options, optional);
  for (const layerName of wanted.filterLayers) {
    await optional(async () => ({
      kind: 'filters',
      result: await client.request({ type: 'explainFilters', ...base, layerName }, options),
    }));
  }
  return answers.map((a) => encodeTypedArrays(a, (b) => Buffer.from(b).toString('base64')));
}

/**
 * The Why tab's class section: Grad-CAM always; the long methods only for small inputs, as the
 * panel runs them without asking (its defaults, so the tab finds them).
 */
async function explainTopClass(
  client: WorkerClient,
  base: ExplainBase,
  classRef: number,
  options: RequestOptions,
  optional: OptionalAnswer,
): Promise<void> {
  await optional(async () => ({
    kind: 'gradcam',
    result: await client.request({ type: 'classGradCam', ...base, classRef }, options),
  }));
  const { config, model } = base;
  const summary = await client.request(
    { type: 'loadModel', config, model, reload: false },
    options,
  );
  const [h, w, c] = summary.summary.inputShape as number[];
  if (!(h && w && c && h * w * c <= SMALL_INPUT_VALUES)) return;
  const window = Math.max(1, Math.round(Math.min(h, w) / 4));
  const stride = Math.max(1, Math.floor(window / 3));
  await optional(async () => ({
    kind: 'occlusion',
    result: await client.request(
      {
        type: 'classOcclusion',
        ...base,
        classRef,
        options: { window: [window, window], stride: [stride, stride], fill: 0 },
      },
      options,
    ),
  }));
  await optional(async () => ({
    kind: 'integratedGradients',
    result: await client.request(
      { type: 'classIntegratedGradients', ...base, classRef, steps: 64, baseline: 'zeros' },
      options,
    ),
  }));
}
