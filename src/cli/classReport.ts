/**
 * `--explain-class <index|top|label> [--cam-layer NAME] [--occlusion WINDOW[:STRIDE][@FILL]]
 * [--ig-steps N] [--ig-baseline zeros|blur]`
 * and `--visualize-unit layer:channel`: the class explanations as numbers in the JSON report and
 * as PNG files next to it (maps blended over the input; the feature visualization as an image).
 */
import { writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { InspectorError } from '../analysis/errors';
import type { RequestOptions, WorkerClient } from '../host/workerClient';
import type { ModelRef, WorkerConfig } from '../protocol/worker/workerProtocol';
import type { ImageResult } from '../analysis/inspectionSession';
import { encodePng, projectionPicture } from '../analysis/explain/projectionImage';
import { heatOverlay, sumChannels } from '../analysis/explain/heatmapImage';
import type { IgBaseline } from '../analysis/explain/integratedGradients';
import type { OcclusionOptions } from '../analysis/explain/occlusion';
import { featurePicture } from '../analysis/explain/featureImage';
import { compareWithGallery } from '../analysis/explain/featureComparison';

export interface ClassArgs {
  classRef: number | string;
  camLayer?: string;
  /** Undefined: a window of a quarter of the input's shorter side, stride a third of it, fill 0. */
  occlusion?: { window: number; stride?: number; fill?: number };
  igSteps: number;
  igBaseline: IgBaseline;
}

const CLASS_OPTIONS = ['cam-layer', 'occlusion', 'ig-steps', 'ig-baseline'] as const;

/** `WINDOW[:STRIDE][@FILL]`: pixels, pixels, and a value of the model input (after preprocessing). */
function parseOcclusion(text: string): NonNullable<ClassArgs['occlusion']> {
  const m = /^(\d+)(?::(\d+))?(?:@(.+))?$/.exec(text);
  if (!m || Number(m[1]) < 1 || (m[2] !== undefined && Number(m[2]) < 1))
    throw new InspectorError(
      'usage',
      `--occlusion '${text}': expected WINDOW[:STRIDE][@FILL], window and stride in pixels (positive whole numbers).`,
    );
  const fill = m[3] === undefined ? undefined : Number(m[3]);
  if (fill !== undefined && (m[3].trim() === '' || !Number.isFinite(fill)))
    throw new InspectorError(
      'usage',
      `--occlusion '${text}': the fill after @ must be a number (a value of the model input after preprocessing).`,
    );
  return { window: Number(m[1]), stride: m[2] === undefined ? undefined : Number(m[2]), fill };
}

export function parseClassArgs(values: {
  'explain-class'?: string;
  'cam-layer'?: string;
  occlusion?: string;
  'ig-steps'?: string;
  'ig-baseline'?: string;
}): ClassArgs | undefined {
  const which = values['explain-class'];
  if (which === undefined) {
    for (const option of CLASS_OPTIONS)
      if (values[option] !== undefined)
        throw new InspectorError('usage', `--${option} needs --explain-class <index|top>.`);
    return undefined;
  }
  if (which.trim() === '')
    throw new InspectorError('usage', '--explain-class needs a class: an index, top or a label.');
  const args: ClassArgs = {
    classRef: /^\d+$/.test(which) ? Number(which) : which,
    camLayer: values['cam-layer'],
    igSteps: 64,
    igBaseline: 'zeros',
  };
  if (values.occlusion !== undefined) args.occlusion = parseOcclusion(values.occlusion);
  if (values['ig-steps'] !== undefined) {
    const n = Number(values['ig-steps']);
    if (!/^\d+$/.test(values['ig-steps']) || n < 1 || n > 4096)
      throw new InspectorError(
        'usage',
        `--ig-steps '${values['ig-steps']}': expected a whole number from 1 to 4096.`,
      );
    args.igSteps = n;
  }
  const baseline = values['ig-baseline'];
  if (baseline !== undefined) {
    if (baseline !== 'zeros' && baseline !== 'blur')
      throw new InspectorError('usage', `--ig-baseline '${baseline}': expected zeros or blur.`);
    args.igBaseline = baseline;
  }
  return args;
}

/** Parses `layer:channel` (the layer name may contain ':'). */
export function parseVisualizeUnit(text: string): { layer: string; channel: number } {
  const m = /^(.+):(\d+)$/.exec(text);
  if (!m) throw new InspectorError('usage', `--visualize-unit '${text}': expected layer:channel.`);
  return { layer: m[1], channel: Number(m[2]) };
}

const nested = (data: ArrayLike<number>, shape: number[]): unknown => {
  if (shape.length === 1) return Array.from(data);
  const size = data.length / shape[0];
  return Array.from({ length: shape[0] }, (_, i) =>
    nested(Array.prototype.slice.call(data, i * size, (i + 1) * size), shape.slice(1)),
  );
};

interface Context {
  client: WorkerClient;
  config: WorkerConfig;
  model: ModelRef;
  image: ImageResult;
  jsonPath: string;
  options: RequestOptions;
}

function stemOf(jsonPath: string, suffix: string): string {
  return join(dirname(jsonPath), `${basename(jsonPath).replace(/\.json$/i, '')}.${suffix}`);
}

function writePng(path: string, picture: Parameters<typeof encodePng>[0]): string {
  writeFileSync(path, encodePng(picture));
  return basename(path);
}

export async function buildClassReport(context: Context, args: ClassArgs) {
  const { image, jsonPath } = context;
  // 1-D models: the numbers only (as --unit does), no PNG files; occlusion slides along the steps
  const isSignal = image.signal !== undefined;
  const { cam, occlusion, ig } = await runClassMethods(context, args);
  const stem = stemOf(jsonPath, `class-${cam.class.index}`);
  const png = (suffix: string, picture: () => Parameters<typeof encodePng>[0]) =>
    isSignal ? {} : { png: writePng(`${stem}.${suffix}`, picture()) };
  const input = image.input;
  const channels = ig.values.shape[ig.values.shape.length - 1];
  return {
    class: cam.class.index,
    label: cam.class.label,
    score: cam.class.score,
    gradcam: {
      layer: cam.layer,
      values: nested(cam.values, cam.shape),
      ...png('gradcam.png', () => heatOverlay(cam.upsampled, input)),
      ...(cam.guided && !isSignal
        ? {
            guidedPng: writePng(
              `${stem}.guided-gradcam.png`,
              projectionPicture(cam.guided, cam.channelOrder),
            ),
          }
        : {}),
      ...(cam.notes.length ? { notes: cam.notes } : {}),
    },
    occlusion: {
      window: isSignal ? [occlusion.window[1]] : occlusion.window,
      stride: isSignal ? [occlusion.stride[1]] : occlusion.stride,
      fill: occlusion.fill,
      values: isSignal
        ? Array.from(occlusion.values)
        : nested(occlusion.values, [occlusion.rows, occlusion.cols]),
      ...png('occlusion.png', () => heatOverlay(occlusion.perPixel, input)),
    },
    integratedGradients: {
      steps: ig.steps,
      baseline: ig.baseline,
      sum: ig.sum,
      scoreDifference: ig.scoreDifference,
      values: nested(ig.values.data, ig.values.shape),
      ...png('integrated-gradients.png', () =>
        heatOverlay(sumChannels(ig.values.data, channels), input),
      ),
    },
  };
}

/** Grad-CAM, occlusion and integrated gradients of the class, one after the other. */
async function runClassMethods(context: Context, args: ClassArgs) {
  const { client, config, model, image, options } = context;
  const base = { config, model, inputSource: image.inputSource, classRef: args.classRef };
  const cam = await client.request(
    { type: 'classGradCam', ...base, camLayer: args.camLayer },
    options,
  );
  const occlusion = await client.request(
    { type: 'classOcclusion', ...base, options: occlusionOptions(args, image) },
    options,
  );
  const ig = await client.request(
    {
      type: 'classIntegratedGradients',
      ...base,
      steps: args.igSteps,
      baseline: args.igBaseline,
    },
    options,
  );
  return { cam, occlusion, ig };
}

/** The window and stride asked for, else a quarter of the input's shorter side and a third of it. */
function occlusionOptions(args: ClassArgs, image: ImageResult): OcclusionOptions {
  const { input } = image;
  const side = image.signal !== undefined ? input.width : Math.min(input.height, input.width);
  const window = args.occlusion?.window ?? Math.max(1, Math.round(side / 4));
  const stride = args.occlusion?.stride ?? Math.max(1, Math.floor(window / 3));
  return {
    window: [window, window],
    stride: [stride, stride],
    fill: args.occlusion?.fill ?? 0,
  };
}

export async function buildFeatureVisualization(
  context: Context,
  unit: { layer: string; channel: number },
  /** The folder gallery of the report (`--gallery-folder`), to compare with its top patches. */
  gallery?: Parameters<typeof compareWithGallery>[0],
) {
  const { client, config, model, image, jsonPath, options } = context;
  const result = await client.request(
    {
      type: 'visualizeUnit',
      config,
      model,
      inputSource: image.inputSource,
      layerName: unit.layer,
      channel: unit.channel,
    },
    options,
  );
  const png = writePng(
    stemOf(jsonPath, `${unit.layer}-${unit.channel}.feature.png`),
    featurePicture(result.image, result.range, result.channelOrder),
  );
  const comparison =
    gallery && compareWithGallery(gallery, result.layer, result.channel, result.activation);
  return {
    layer: result.layer,
    channel: result.channel,
    steps: result.steps,
    activation: result.activation,
    meanActivation: result.meanActivation,
    currentImageActivation: result.currentActivation,
    png,
    ...(comparison ? { gallery: comparison } : {}),
  };
}
