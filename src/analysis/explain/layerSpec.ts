// Reads a tf layer (any tfjs instance: only types are imported) into a plain LayerSpec: class,
// geometry and weights as Float32Arrays, so the arithmetic and the projections are plain loops.
import type * as tfType from '@tensorflow/tfjs';
import { perAxis, perAxisPairs, spatialRankOf } from '../structure/layerConfig';
import { layerKindOf, unsupportedReasonOf } from '../structure/layerClasses';
import { dilationThatRuns } from '../structure/whatRuns';
import type { ArrayND, LayerOp, LayerSpec, MergeOp } from './types';

type Config = Record<string, unknown>;

const IDENTITY_CLASSES = new Set([
  'Dropout',
  'SpatialDropout1D',
  'SpatialDropout2D',
  'GaussianDropout',
  'GaussianNoise',
  'AlphaDropout',
  'Masking',
]);

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

function activationLayer(className: string, config: Config, spec: LayerSpec): LayerSpec {
  switch (className) {
    case 'ReLU': {
      const max = typeof config.maxValue === 'number' ? config.maxValue : undefined;
      return max === 6
        ? { ...spec, op: 'activation', activation: 'relu6' }
        : max === undefined
          ? { ...spec, op: 'activation', activation: 'relu' }
          : { ...spec, op: 'activation', activation: 'reluMax', activationParam: max };
    }
    case 'LeakyReLU':
      return {
        ...spec,
        op: 'activation',
        activation: 'leakyRelu',
        activationParam: Number(config.alpha ?? 0.3),
      };
    case 'ELU':
      return {
        ...spec,
        op: 'activation',
        activation: 'elu',
        activationParam: Number(config.alpha ?? 1),
      };
    case 'Softmax':
      return { ...spec, op: 'activation', activation: 'softmax' };
    default:
      return { ...spec, op: 'activation', activation: activationName(config.activation) };
  }
}

const MERGE_OPS: Record<string, MergeOp> = {
  Add: 'add',
  Subtract: 'subtract',
  Multiply: 'multiply',
  Average: 'average',
  Maximum: 'maximum',
  Minimum: 'minimum',
  Concatenate: 'concatenate',
};

/** Keras' merge layers; the axis of Concatenate is kept for the unbatched arrays (-1: channels). */
function mergeSpec(className: string, config: Config, base: LayerSpec): LayerSpec {
  const mergeOp = MERGE_OPS[className];
  if (!mergeOp)
    return { ...base, reason: `${className} (broadcasting arithmetic) is not inverted` };
  if (mergeOp !== 'concatenate') return { ...base, op: 'merge', mergeOp };
  const axis = typeof config.axis === 'number' ? config.axis : -1;
  if (axis === 0) return { ...base, reason: 'it concatenates along the batch axis' };
  return { ...base, op: 'merge', mergeOp, axis: axis < 0 ? axis : axis - 1 };
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

/** The LayerSpec of one layer; op 'unsupported' (with a reason) where the explanations stop. */
export function layerSpecOf(layer: tfType.layers.Layer): LayerSpec {
  const className = layer.getClassName();
  let config: Config = {};
  try {
    config = layer.getConfig() as Config;
  } catch {
    // custom layers may not implement getConfig
  }
  const kind = layerKindOf(className);
  const inputShape = (layer.inboundNodes[0]?.inputShapes ?? []) as unknown;
  const inRank =
    Array.isArray(inputShape) && typeof inputShape[0] !== 'object'
      ? inputShape.length - 1
      : undefined;
  const rank = spatialRankOf(className, inRank);
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
  const windowed = (
    op: LayerOp,
    kernelSize: number[] | undefined,
    strides: unknown,
  ): LayerSpec => ({
    ...base,
    op,
    kernelSize,
    strides: perAxis(strides ?? kernelSize, rank) ?? kernelSize,
    dilation: perAxis(config.dilationRate ?? 1, rank),
    padding: paddingOf(config),
  });
  switch (kind) {
    case 'input':
      return { ...base, op: 'input' };
    case 'conv': {
      const spec = windowed('conv', perAxis(config.kernelSize, rank), config.strides ?? 1);
      const groups = typeof config.groups === 'number' && config.groups > 1 ? config.groups : 1;
      return {
        ...spec,
        ...(groups > 1 ? { groups } : {}),
        kernel: weightNamed(layer, 'kernel'),
        bias: weightNamed(layer, 'bias')?.data,
      };
    }
    case 'depthwiseConv': {
      const spec = windowed('depthwiseConv', perAxis(config.kernelSize, rank), config.strides ?? 1);
      const runs = dilationThatRuns(className, spec.dilation ?? []);
      return {
        ...spec,
        dilation: spec.dilation && runs.dilation,
        ...(runs.note ? { notes: [runs.note] } : {}),
        kernel: weightNamed(layer, 'depthwise_kernel'),
        bias: weightNamed(layer, 'bias')?.data,
        depthMultiplier: Number(config.depthMultiplier ?? 1),
      };
    }
    case 'pooling': {
      const pool = perAxis(config.poolSize ?? 2, rank);
      const op: LayerOp = /^Max/.test(className) ? 'maxPool' : 'avgPool';
      return { ...windowed(op, pool, config.strides ?? pool), dilation: pool?.map(() => 1) };
    }
    case 'globalPooling':
      return { ...base, op: /Max/.test(className) ? 'globalMaxPool' : 'globalAvgPool' };
    case 'dense':
      return {
        ...base,
        op: 'dense',
        kernel: weightNamed(layer, 'kernel'),
        bias: weightNamed(layer, 'bias')?.data,
      };
    case 'flatten':
    case 'reshape':
      return className === 'Permute'
        ? { ...base, reason: 'Permute reorders axes' }
        : { ...base, op: 'reshape' };
    case 'zeroPadding': {
      // OnnxPad2D's mode: a constant border is cropped on the way back, a copied one folded.
      const mode = config.mode === 'reflect' || config.mode === 'edge' ? config.mode : undefined;
      const amounts = perAxisPairs(config.padding ?? 1, rank);
      return { ...base, op: 'zeroPadding', amounts, ...(mode ? { padMode: mode } : {}) };
    }
    case 'cropping':
      return { ...base, op: 'cropping', amounts: perAxisPairs(config.cropping ?? 0, rank) };
    case 'elementwise':
      if (IDENTITY_CLASSES.has(className)) return { ...base, op: 'identity' };
      if (className === 'BatchNormalization') return batchNorm(layer, config, base);
      if (['Activation', 'ReLU', 'LeakyReLU', 'ELU', 'Softmax'].includes(className)) {
        return activationLayer(className, config, base);
      }
      if (className === 'OnnxElementwise') return onnxElementwise(config, base);
      return { ...base, reason: `${className} is not inverted by these projections` };
    case 'separableConv':
      return {
        ...base,
        reason: 'separable convolutions are not inverted yet (depthwise + pointwise)',
      };
    case 'merge':
      return mergeSpec(className, config, base);
    case 'model':
      return { ...base, reason: 'a nested model is one layer here; its layers are not inverted' };
    default:
      return { ...base, reason: unsupportedReasonOf(className) ?? `${className} is not supported` };
  }
}
