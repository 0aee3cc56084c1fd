// Reads a tf layer (any tfjs instance: only types are imported) into a plain LayerSpec: class,
// geometry and weights as Float32Arrays, so the arithmetic and the projections are plain loops.
import type * as tfType from '@tensorflow/tfjs';
import { perAxis, perAxisPairs, spatialRankOf } from '../structure/layerConfig';
import {
  layerCapabilities,
  type ActivationClass,
  type LayerCapabilities,
} from '../layerCapabilities';
import { dilationThatRuns } from '../structure/whatRuns';
import type { ArrayND, LayerSpec } from './types';

type Config = Record<string, unknown>;

function weightNamed(layer: tfType.layers.Layer, suffix: string): ArrayND | undefined {
  const w = layer.weights.find((v) => v.originalName.endsWith(suffix) || v.name.endsWith(suffix));
  if (!w) return undefined;
  const t = w.read();
  return { data: Float32Array.from(t.dataSync()), shape: t.shape };
}

function activationName(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object' && 'getClassName' in value) {
    return (value as { getClassName(): string }).getClassName();
  }
  return 'linear';
}

function paddingOf(config: Config): 'valid' | 'same' | 'causal' {
  const p = String(config.padding ?? 'valid').toLowerCase();
  return p === 'same' || p === 'causal' ? p : 'valid';
}

function batchNorm(layer: tfType.layers.Layer, config: Config, spec: LayerSpec): LayerSpec {
  const mean = weightNamed(layer, 'moving_mean')?.data;
  const variance = weightNamed(layer, 'moving_variance')?.data;
  if (!mean || !variance) return { ...spec, op: 'unsupported', reason: 'no moving statistics' };
  const gamma = weightNamed(layer, 'gamma')?.data;
  const beta = weightNamed(layer, 'beta')?.data;
  const epsilon = typeof config.epsilon === 'number' ? config.epsilon : 1e-3;
  const scale = new Float32Array(mean.length);
  const offset = new Float32Array(mean.length);
  for (let c = 0; c < mean.length; c++) {
    scale[c] = (gamma ? gamma[c] : 1) / Math.sqrt(variance[c] + epsilon);
    offset[c] = (beta ? beta[c] : 0) - mean[c] * scale[c];
  }
  const axis = config.axis;
  const lastAxis = axis === undefined || axis === -1 || (Array.isArray(axis) && axis[0] === -1);
  if (!lastAxis)
    return { ...spec, op: 'unsupported', reason: 'normalises an axis other than the channels' };
  return { ...spec, op: 'batchNorm', scale, offset };
}

/** LayerNormalization over the last axis (the channels); another axis cannot be followed back. */
function layerNorm(layer: tfType.layers.Layer, config: Config, spec: LayerSpec): LayerSpec {
  const rank = (layer.outputShape as (number | null)[]).length;
  const axes = (Array.isArray(config.axis) ? config.axis : [config.axis ?? -1]) as number[];
  if (axes.length !== 1 || (axes[0] !== -1 && axes[0] !== rank - 1)) {
    return { ...spec, op: 'unsupported', reason: 'normalises other axes than the channels' };
  }
  const epsilon = typeof config.epsilon === 'number' ? config.epsilon : 1e-3;
  return { ...spec, op: 'layerNorm', scale: weightNamed(layer, 'gamma')?.data, epsilon };
}

/** An activation layer: its class's own function (with its parameters), or its `activation`. */
function activationLayer(
  fn: ActivationClass | undefined,
  config: Config,
  spec: LayerSpec,
): LayerSpec {
  switch (fn) {
    case 'relu': {
      const max = typeof config.maxValue === 'number' ? config.maxValue : undefined;
      return max === 6
        ? { ...spec, op: 'activation', activation: 'relu6' }
        : max === undefined
          ? { ...spec, op: 'activation', activation: 'relu' }
          : { ...spec, op: 'activation', activation: 'reluMax', activationParam: max };
    }
    case 'leakyRelu':
      return {
        ...spec,
        op: 'activation',
        activation: 'leakyRelu',
        activationParam: Number(config.alpha ?? 0.3),
      };
    case 'elu':
      return {
        ...spec,
        op: 'activation',
        activation: 'elu',
        activationParam: Number(config.alpha ?? 1),
      };
    case 'softmax':
      return { ...spec, op: 'activation', activation: 'softmax' };
    case undefined:
      return { ...spec, op: 'activation', activation: activationName(config.activation) };
  }
}

/** Keras' merge layers; the axis of Concatenate is kept for the unbatched arrays (-1: channels). */
function mergeSpec(caps: LayerCapabilities, config: Config, base: LayerSpec): LayerSpec {
  const mergeOp = caps.mergeOp;
  if (!mergeOp) return { ...base, reason: caps.explainLimit };
  if (mergeOp !== 'concatenate') return { ...base, op: 'merge', mergeOp };
  const axis = typeof config.axis === 'number' ? config.axis : -1;
  if (axis === 0) return { ...base, reason: 'it concatenates along the batch axis' };
  return { ...base, op: 'merge', mergeOp, axis: axis < 0 ? axis : axis - 1 };
}

/**
 * The ONNX import's channel layers (onnx/channelLayers.ts): OnnxChannelSlice keeps channels
 * [begin, begin + size); OnnxChannelShuffle with g groups of C / g makes output channel j * g + i
 * of input channel i * (C / g) + j.
 */
function channelSources(layer: tfType.layers.Layer, config: Config): number[] {
  if (typeof config.groups !== 'number') {
    const begin = Number(config.begin);
    return Array.from({ length: Number(config.size) }, (_, k) => begin + k);
  }
  const groups = config.groups;
  const shape = (layer.input as tfType.SymbolicTensor).shape;
  const perGroup = Number(shape[shape.length - 1]) / groups;
  const sources = new Array<number>(groups * perGroup);
  for (let i = 0; i < groups; i++)
    for (let j = 0; j < perGroup; j++) sources[j * groups + i] = i * perGroup + j;
  return sources;
}

const CONSTANT_OPS = new Set(['add', 'sub', 'mul', 'div']);

/**
 * The ONNX import's OnnxElementwise: arithmetic with a constant (a pooling's divisor, scales,
 * offsets) is followed exactly; Clip, ELU, HardSigmoid and HardSwish with its own parameters are
 * not (yet) inverted.
 */
function onnxElementwise(config: Config, base: LayerSpec): LayerSpec {
  const op = String(config.op);
  const constant = config.constant as { shape: number[]; values: number[] } | undefined;
  if (!CONSTANT_OPS.has(op) || !constant) {
    return {
      ...base,
      reason: `the ONNX element-wise op '${op}' is not inverted by these projections`,
    };
  }
  return {
    ...base,
    op: 'constantArithmetic',
    arithmetic: {
      op: op as 'add' | 'sub' | 'mul' | 'div',
      constant,
      constantFirst: config.constantFirst === true,
    },
  };
}

/** The layer's class, configuration and input rank, read once (custom layers may lack a config). */
function readLayer(layer: tfType.layers.Layer): {
  className: string;
  config: Config;
  rank: number;
} {
  const className = layer.getClassName();
  let config: Config = {};
  try {
    config = layer.getConfig() as Config;
  } catch {
    // custom layers may not implement getConfig
  }
  const inputShape = (layer.inboundNodes[0]?.inputShapes ?? []) as unknown;
  const inRank =
    Array.isArray(inputShape) && typeof inputShape[0] !== 'object'
      ? inputShape.length - 1
      : undefined;
  return { className, config, rank: spatialRankOf(className, inRank) };
}

/** The LayerSpec of one layer; op 'unsupported' (with a reason) where the explanations stop. */
export function layerSpecOf(layer: tfType.layers.Layer): LayerSpec {
  const { className, config, rank } = readLayer(layer);
  const base: LayerSpec = {
    name: layer.name,
    className,
    op: 'unsupported',
    spatialRank: rank,
    activation: activationName(config.activation),
  };
  const format = config.dataFormat ?? config.data_format;
  if (format === 'channelsFirst' || format === 'channels_first') {
    return { ...base, reason: 'channels-first data is not supported (channels last only)' };
  }
  return specOfOp(layer, layerCapabilities(className), config, base);
}

/** Convolutions and poolings: the window, its stride, dilation and padding, and the weights. */
function windowedSpec(
  layer: tfType.layers.Layer,
  op: 'conv' | 'depthwiseConv' | 'maxPool' | 'avgPool',
  config: Config,
  base: LayerSpec,
): LayerSpec {
  const rank = base.spatialRank;
  const windowed = (kernelSize: number[] | undefined, strides: unknown): LayerSpec => ({
    ...base,
    op,
    kernelSize,
    strides: perAxis(strides ?? kernelSize, rank) ?? kernelSize,
    dilation: perAxis(config.dilationRate ?? 1, rank),
    padding: paddingOf(config),
  });
  const bias = () => weightNamed(layer, 'bias')?.data;
  switch (op) {
    case 'conv': {
      const spec = windowed(perAxis(config.kernelSize, rank), config.strides ?? 1);
      const groups = typeof config.groups === 'number' && config.groups > 1 ? config.groups : 1;
      return {
        ...spec,
        ...(groups > 1 ? { groups } : {}),
        kernel: weightNamed(layer, 'kernel'),
        bias: bias(),
      };
    }
    case 'depthwiseConv': {
      const spec = windowed(perAxis(config.kernelSize, rank), config.strides ?? 1);
      const runs = dilationThatRuns(base.className, spec.dilation ?? []);
      return {
        ...spec,
        dilation: spec.dilation && runs.dilation,
        ...(runs.note ? { notes: [runs.note] } : {}),
        kernel: weightNamed(layer, 'depthwise_kernel'),
        bias: bias(),
        depthMultiplier: Number(config.depthMultiplier ?? 1),
      };
    }
    default: {
      const pool = perAxis(config.poolSize ?? 2, rank);
      const spec = windowed(pool, config.strides ?? pool);
      // Keras' pooling has no dilation; the ONNX import's dilated max pooling has.
      return { ...spec, dilation: perAxis(config.dilationRate ?? 1, rank) ?? pool?.map(() => 1) };
    }
  }
}

/** The spec by what the layer's class computes (its entry in the capability table). */
function specOfOp(
  layer: tfType.layers.Layer,
  caps: LayerCapabilities,
  config: Config,
  base: LayerSpec,
): LayerSpec {
  const rank = base.spatialRank;
  switch (caps.explain) {
    case 'input':
    case 'identity':
    case 'reshape':
      return { ...base, op: caps.explain };
    case 'conv':
    case 'depthwiseConv':
    case 'maxPool':
    case 'avgPool':
      return windowedSpec(layer, caps.explain, config, base);
    case 'globalMaxPool':
    case 'globalAvgPool':
      return { ...base, op: caps.explain };
    case 'dense':
      return {
        ...base,
        op: 'dense',
        kernel: weightNamed(layer, 'kernel'),
        bias: weightNamed(layer, 'bias')?.data,
      };
    case 'zeroPadding': {
      // OnnxPad2D's mode: a constant border is cropped on the way back, a copied one folded.
      const mode = config.mode === 'reflect' || config.mode === 'edge' ? config.mode : undefined;
      const amounts = perAxisPairs(config.padding ?? 1, rank);
      return { ...base, op: 'zeroPadding', amounts, ...(mode ? { padMode: mode } : {}) };
    }
    case 'cropping':
      return { ...base, op: 'cropping', amounts: perAxisPairs(config.cropping ?? 0, rank) };
    case 'batchNorm':
      return batchNorm(layer, config, base);
    case 'layerNorm':
      return layerNorm(layer, config, base);
    case 'activation':
      return activationLayer(caps.activation, config, base);
    case 'constantArithmetic':
      return onnxElementwise(config, base);
    case 'merge':
      return mergeSpec(caps, config, base);
    case 'channelSelect':
      return { ...base, op: 'channelSelect', channelSources: channelSources(layer, config) };
    case 'unsupported':
      return { ...base, reason: caps.explainLimit ?? `${base.className} is not supported` };
    default:
      return caps.explain satisfies never;
  }
}
