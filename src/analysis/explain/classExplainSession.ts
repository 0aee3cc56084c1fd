// The class-level explanations of one loaded model after a forward pass: Grad-CAM and Guided
// Grad-CAM (from the pass's own activations), occlusion, integrated gradients, and feature
// visualization of a channel. The glue between InspectionSession and the pure modules.
import type * as tfType from '@tensorflow/tfjs';
import type { InspectionSession } from '../inspectionSession';
import { InspectorError } from '../errors';
import {
  chainStepsOf,
  classHead,
  layerChain,
  scoresFrom,
  type ChainStepWithOutput,
  type ClassHead,
  type LayerChain,
} from './classChain';
import { camCandidates, defaultCamLayer, gradCam, type GradCamResult } from './gradCam';
import {
  integratedGradients,
  type IgBaseline,
  type IntegratedGradientsResult,
} from './integratedGradients';
import {
  occlusionSensitivity,
  type LongRun,
  type OcclusionOptions,
  type OcclusionResult,
} from './occlusion';
import {
  channelStats,
  visualizeChannel,
  type FeatureVisualizationOptions,
  type FeatureVisualizationResult,
} from './featureVisualization';
import { NotInvertibleError } from './projection';
import type { ChannelOrder } from './channelOrder';

export interface ClassRef {
  index: number;
  label: string;
  /** The class score before softmax (the output itself for models without softmax). */
  score: number;
}

interface Cached {
  head: ClassHead;
  /** The chain to the output layer, or why the model is not one. */
  chain: LayerChain | NotInvertibleError;
  layerChains: Map<string, LayerChain>;
}

const cache = new WeakMap<tfType.LayersModel, Cached>();

function cachedOf(session: InspectionSession): Cached {
  const model = session.layersModel;
  let entry = cache.get(model);
  if (!entry) {
    const head = classHead(session.tf, model);
    let chain: LayerChain | NotInvertibleError;
    try {
      chain = layerChain(session.tf, model, head.outputLayer.name);
    } catch (error) {
      if (!(error instanceof NotInvertibleError)) throw error;
      chain = error;
    }
    entry = { head, chain, layerChains: new Map() };
    cache.set(model, entry);
  }
  return entry;
}

/** The chain to the output, or a clear message saying why the gradient methods cannot apply. */
function outputChain(session: InspectionSession, method: string): LayerChain {
  const { chain } = cachedOf(session);
  if (chain instanceof NotInvertibleError)
    throw new InspectorError('layer', `${method} cannot apply to this model: ${chain.message}.`);
  return chain;
}

function modelInput(session: InspectionSession) {
  const input = session.modelInput;
  if (!input)
    throw new InspectorError(
      'layer',
      'Choose an input first: the explanations need a forward pass.',
    );
  return input;
}

/** The chain's steps for the current forward pass (no extra pass: the session keeps every output). */
function currentSteps(session: InspectionSession, chain: LayerChain): ChainStepWithOutput[] {
  return chainStepsOf(chain, modelInput(session), (j) => {
    const output = session.layer(chain.layers[j].name);
    return { data: output.data, shape: output.shape };
  });
}

/** `top` (the most likely class), an index, or a label (case-insensitive). */
export function resolveClass(session: InspectionSession, which: number | string): ClassRef {
  const { head } = cachedOf(session);
  const labels = session.summary.labels;
  const out = session.layer(head.outputLayer.name);
  let index: number;
  if (which === 'top') {
    index = out.data.reduce((best, v, i) => (v > out.data[best] ? i : best), 0);
  } else if (typeof which === 'number' || /^\d+$/.test(which)) {
    index = Number(which);
  } else {
    index = labels?.findIndex((l) => l.toLowerCase() === which.toLowerCase()) ?? -1;
    if (index < 0)
      throw new InspectorError(
        'usage',
        `No class is labelled '${which}'${labels ? ` (labels: ${labels.join(', ')})` : ''}.`,
      );
  }
  if (!Number.isInteger(index) || index < 0 || index >= head.classes)
    throw new InspectorError(
      'usage',
      `Class ${which} is outside the model's ${head.classes} classes (0 to ${head.classes - 1}).`,
    );
  const scores = classScoresNow(session);
  return { index, label: labels?.[index] ?? `class ${index}`, score: scores[index] };
}

/** The current pass's class scores (before softmax). */
export function classScoresNow(session: InspectionSession): Float32Array {
  const { head } = cachedOf(session);
  const out = session.layer(head.outputLayer.name);
  const inbound = head.outputLayer.inboundNodes[0].inboundLayers[0];
  const entering =
    inbound.getClassName() === 'InputLayer' ? modelInput(session) : session.layer(inbound.name);
  return scoresFrom(session.tf, head, { data: entering.data, shape: entering.shape }, out.data);
}

export interface GradCamExplanation extends GradCamResult {
  class: ClassRef;
  /** Layers Grad-CAM can use, for the picker. */
  candidates: string[];
  /** The colour order of the input's channels: Guided Grad-CAM is drawn in RGB accordingly. */
  channelOrder: ChannelOrder;
}

export function explainGradCam(
  session: InspectionSession,
  which: number | string,
  camLayer?: string,
  /** Also Guided Grad-CAM (one more backward pass, through the whole chain). */
  withGuided = true,
): GradCamExplanation {
  const target = resolveClass(session, which);
  const chain = outputChain(session, 'Grad-CAM');
  const steps = currentSteps(session, chain);
  const candidates = camCandidates(steps);
  const layer = camLayer ?? defaultCamLayer(steps);
  try {
    return {
      ...gradCam(session.tf, steps, target.index, layer, withGuided),
      class: target,
      candidates,
      channelOrder: session.channelOrder,
    };
  } catch (error) {
    if (error instanceof NotInvertibleError)
      throw new InspectorError('layer', `Grad-CAM cannot apply to this model: ${error.message}.`);
    throw error;
  }
}

export async function explainOcclusion(
  session: InspectionSession,
  which: number | string,
  options: OcclusionOptions,
  run: LongRun = {},
): Promise<OcclusionResult & { class: ClassRef }> {
  const target = resolveClass(session, which);
  const input = modelInput(session);
  if (input.shape.length !== 3 && input.shape.length !== 2)
    throw new InspectorError(
      'usage',
      'Occlusion needs an image (height, width, channels) or a signal (steps, channels).',
    );
  // a signal is one row high: its window and stride are along the steps only
  const along = (pair: [number, number]): [number, number] =>
    input.shape.length === 2 ? [1, pair[1]] : pair;
  const result = await occlusionSensitivity(
    session.tf,
    cachedOf(session).head,
    input,
    target.index,
    { ...options, window: along(options.window), stride: along(options.stride) },
    run,
  );
  return { ...result, class: target };
}

export async function explainIntegratedGradients(
  session: InspectionSession,
  which: number | string,
  steps = 64,
  baseline: IgBaseline = 'zeros',
  run: LongRun = {},
): Promise<IntegratedGradientsResult & { class: ClassRef }> {
  const target = resolveClass(session, which);
  const chain = outputChain(session, 'Integrated gradients');
  try {
    const result = await integratedGradients(
      session.tf,
      chain,
      cachedOf(session).head,
      modelInput(session),
      target.index,
      steps,
      baseline,
      run,
    );
    return { ...result, class: target };
  } catch (error) {
    if (error instanceof NotInvertibleError)
      throw new InspectorError(
        'layer',
        `Integrated gradients cannot apply to this model: ${error.message}.`,
      );
    throw error;
  }
}

export interface FeatureVisualizationExplanation extends FeatureVisualizationResult {
  /** The channel's largest activation on the current input. */
  currentActivation: number | null;
  /** The colour order of the input's channels: the image is drawn in RGB accordingly. */
  channelOrder: ChannelOrder;
}

export async function explainFeatureVisualization(
  session: InspectionSession,
  layer: string,
  channel: number,
  options: Partial<FeatureVisualizationOptions> = {},
  run: LongRun = {},
): Promise<FeatureVisualizationExplanation> {
  session.layersModel.getLayer(layer); // throws a clear error for an unknown name
  if (session.summary.inputShape.length !== 3)
    throw new InspectorError(
      'usage',
      `Feature visualization needs an image input (height, width, channels); this model takes [${session.summary.inputShape.join(', ')}].`,
    );
  const cached = cachedOf(session);
  let chain = cached.layerChains.get(layer);
  try {
    if (!chain) {
      chain = layerChain(session.tf, session.layersModel, layer);
      cached.layerChains.set(layer, chain);
    }
    const size = session.imageInputSize();
    const range = await session.inputRange();
    const result = await visualizeChannel(
      session.tf,
      chain,
      channel,
      [size.height, size.width, size.channels],
      range,
      options,
      run,
    );
    let currentActivation: number | null = null;
    if (session.modelInput) {
      const out = session.layer(layer);
      currentActivation = channelStats({ data: out.data, shape: out.shape }, channel).max;
    }
    return { ...result, currentActivation, channelOrder: session.channelOrder };
  } catch (error) {
    if (error instanceof NotInvertibleError)
      throw new InspectorError(
        'layer',
        `Feature visualization cannot reach '${layer}': ${error.message}.`,
      );
    throw error;
  }
}
